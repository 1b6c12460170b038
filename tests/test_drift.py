"""Drift categories with evidence, change measures, self-consistency and blame."""

from pathlib import Path

import pytest
from inspect_ai import eval as inspect_eval
from inspect_ai.log import EvalLog
from replay_scripts import fenced, spec, surviving, trial, write

from roundtrip_eval.eval import drift
from roundtrip_eval.eval.record import CheckRecord, Cycle
from roundtrip_eval.eval.tasks import fizzbuzz, roundtrip
from roundtrip_eval.problems.load import load_problem

FIZZ = load_problem("fizzbuzz").reference
SEP = load_problem("separate_vowels_and_consonants").reference

# Hidden drift, each a plausible regeneration of C0.
LOWERED = SEP.replace("    for char in input_string:", "    input_string = input_string.lower()\n"
                      "    for char in input_string:")
TUPLE = SEP.replace("return vowel_part + other_part", "return (vowel_part, other_part)")
ZERO = FIZZ.replace("if n % 15 == 0:", "if n % 15 == 0 and n != 0:")
RENAMED = FIZZ.replace("def fizzbuzz(n):", "def fizz_buzz(n):")
SLEEPS = FIZZ.replace("def fizzbuzz(n):", "import time\n\ndef fizzbuzz(n):\n    time.sleep(30)")
NO_FIFTEEN = FIZZ.replace('if n % 15 == 0:\n        return "FizzBuzz"\n    elif', "if")


def test_normalised_ast_ignores_names_docstrings_annotations() -> None:
    renamed = FIZZ.replace("(n)", "(number: int) -> object").replace("n %", "number %").replace(
        "return n", "return number").replace("):\n", '):\n    """Doc."""\n', 1)
    assert drift.normalised_ast(renamed) == drift.normalised_ast(FIZZ)
    assert drift.ast_similarity(renamed, FIZZ) == 1.0
    assert drift.ast_similarity(ZERO, FIZZ) < 1.0
    assert drift.ast_similarity("def f(:", FIZZ) == 0.0


def test_similarity_orders_distances() -> None:
    near = drift.ast_similarity(ZERO, FIZZ)
    far = drift.ast_similarity("def fizzbuzz(n):\n    return [n] * 3\n", FIZZ)
    assert 0.0 < far < near < 1.0


def test_spec_diff_names_the_lost_sentence() -> None:
    old = "Takes n. If n is divisible by 15 return FizzBuzz. Else return n."
    new = "Takes n. Else return n."
    assert drift.spec_diff(old, new) == {
        "removed": ["If n is divisible by 15 return FizzBuzz."], "added": []}


@pytest.mark.parametrize(
    ("check", "expected"),
    [
        ({"category": "semantic", "n_failed": 1, "n_inputs": 150,
          "failed_classes": {"edge": 1, "multiple_15": 1}}, ("boundary", ["edge", "multiple_15"])),
        ({"category": "semantic", "n_failed": 5, "n_inputs": 150,
          "failed_classes": {"case": 5, "plain": 2}}, ("feature_dropped", ["case"])),
        ({"category": "semantic", "n_failed": 5, "n_inputs": 150,
          "failed_classes": {"case": 3, "unicode": 2}}, ("semantic", ["case", "unicode"])),
        ({"category": "return_type", "n_failed": 5, "n_inputs": 150,
          "failed_classes": {"edge": 5}}, ("return_type", ["edge"])),
    ],
)
def test_refine(check: dict, expected: tuple) -> None:
    sizes = {"edge": 40, "multiple_15": 13, "case": 50, "plain": 80, "unicode": 20}
    assert drift.refine(check, sizes, FIZZ, NO_FIFTEEN) == expected


def test_feature_direction_reads_the_code() -> None:
    assert drift.feature_direction(SEP, LOWERED) == "feature_added"
    assert drift.feature_direction(FIZZ, NO_FIFTEEN) == "feature_dropped"


def run(tmp: Path, lines: dict, **task_args: object) -> EvalLog:
    script = write(tmp / "replay.jsonl", lines)
    problems = sorted({p for p, _ in lines})
    task = roundtrip(problems=",".join(problems), sandbox="local", **task_args)
    [log] = inspect_eval(task, model=f"replay/{script}", log_dir=str(tmp / "logs"), display="none")
    assert log.status == "success", log.error
    return log


def test_hidden_drift_is_categorised_with_evidence(tmp_path: Path) -> None:
    log = run(
        tmp_path,
        {
            ("separate_vowels_and_consonants", 1): trial("x", [SEP, LOWERED]),
            ("separate_vowels_and_consonants", 2): trial("x", [TUPLE]),
            ("separate_vowels_and_consonants", 3): surviving("separate_vowels_and_consonants", 3),
            ("fizzbuzz", 1): trial("x", [FIZZ, FIZZ, ZERO]),
            ("fizzbuzz", 2): trial("x", [RENAMED]),
            ("fizzbuzz", 3): trial("x", [SLEEPS]),
        },
        epochs=3, cycles=3,
    )
    got = {(s.id, s.epoch): s.scores["drift"] for s in log.samples or [] if s.scores}
    lowered = got[("separate_vowels_and_consonants", 1)]
    assert lowered.value == "feature_added"
    assert lowered.metadata["evidence"]["changed_classes"] == ["case"]
    assert lowered.metadata["evidence"]["input"] == "('A',)"
    assert "expected 'A' (str), got 'a' (str)" in lowered.explanation
    tup = got[("separate_vowels_and_consonants", 2)]
    assert tup.value == "return_type" and "(tuple)" in tup.explanation
    zero = got[("fizzbuzz", 1)]
    assert zero.value == "boundary"
    assert zero.metadata["evidence"]["input"] == "(0,)"
    assert zero.metadata["evidence"]["expected"] == "'FizzBuzz' (str)"
    assert zero.metadata["cycle"] == 3
    assert got[("fizzbuzz", 2)].value == "signature"
    assert "fizz_buzz" in got[("fizzbuzz", 2)].explanation
    assert got[("fizzbuzz", 3)].value == "timeout"


def test_change_measures_and_consistency(tmp_path: Path) -> None:
    refactor = FIZZ.replace("(n)", "(x)").replace("n %", "x %").replace("return n", "return x")
    log = run(
        tmp_path,
        {("fizzbuzz", 1): trial("x", [FIZZ, refactor, ZERO, ZERO, FIZZ])},
        epochs=1, cycles=5, stop_on_failure=False,
    )
    [sample] = log.samples or []
    history = sample.store["cycles"]
    assert [c["fixed_point"] for c in history] == [True, True, False, True, False]
    assert history[0]["similarity_to_c0"] == 1.0 and history[2]["similarity_to_c0"] < 1.0
    assert [c["consistent"] for c in history] == [True, True, False, True, False]
    assert [c["passed"] for c in history] == [True, True, False, False, True]
    consistency = sample.scores["consistency"].value
    assert consistency["cycles_consistent"] == 2 and sample.scores["curves"].value["consistent@2"] == 1
    assert consistency["recoveries"] == 1 and consistency["failures_followed"] == 2
    assert sample.scores["survival"].value["cycles_survived"] == 2
    stab = sample.scores["stability"].value
    assert stab["fixed_point_rate"] == pytest.approx(3 / 5)
    assert sample.scores["curves"].value["similarity@1"] == 1.0 and "similarity@1" not in stab


def test_blame_reports_f_or_g_with_regenerations_logged(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = fenced(ZERO)
    good = fenced(FIZZ)
    # probes in order: F (k f-tries from the failing spec), E (k from the earlier spec, cycle >= 2),
    # then G (k g->f pairs) at cycle 1 or when F = 0 and E <= 1/2 (docs/blame_rule.md)
    # trial 1: f slipped at cycle 2 (F and E pass) -> "f"
    f_slip = trial("x", [FIZZ, ZERO]) + [good] * 2 + [good] * 2
    # trial 2: the spec lost the 0 case at cycle 1 (F fails alike, fresh g->f passes) -> "g"
    g_lost = trial("x", [ZERO]) + [bad] * 2 + [spec(9), good] * 2
    log = run(tmp_path, {("fizzbuzz", 1): f_slip, ("fizzbuzz", 2): g_lost}, epochs=2, cycles=3,
              blame=2)
    by_epoch = {s.epoch: s for s in log.samples or []}
    # the records keep the rule's verdict; the score names no step (blame.ATTRIBUTES is False:
    # the rule missed its target on the fresh blind set, docs/blame_rule.md)
    assert by_epoch[1].store["blame"]["verdict"] == "f"
    assert by_epoch[2].store["blame"]["verdict"] == "g"
    assert by_epoch[1].scores["blame"].value == by_epoch[2].scores["blame"].value == "unattributed"
    assert by_epoch[1].store["blame"]["earlier_pass_rate"] == 1.0
    assert by_epoch[1].store["blame"]["fresh"] is None  # E decided: G was not run
    result = by_epoch[2].store["blame"]
    assert result["cycle"] == 1 and result["k"] == 2 and result["earlier"] is None
    assert [r["passed"] for r in result["from_spec"]] == [False, False]
    assert [r["passed"] for r in result["fresh"]] == [True, True]
    assert result["from_spec"][0]["headline"] == result["failing_headline"]
    explanation = by_epoch[2].scores["blame"].explanation or ""
    assert explanation == ("cycle 1: f passed from the failing spec 0%, fresh g->f 100%; blame does not "
                           "name a step (the rule missed its validation target, docs/blame_rule.md)")
    spans = [e.name for e in by_epoch[1].events if e.event == "span_begin"]
    assert "blame" in spans
    assert log.results is not None
    blame_metrics = {s.name: s.metrics for s in log.results.scores}["blame"]
    assert blame_metrics["unattributed"].value == 1.0 and blame_metrics["f"].value == 0.0
    import studies.blame_validation as validation
    validation.dump(tmp_path / "logs")
    shown = capsys.readouterr().out
    assert "## fizzbuzz/1" in shown and "## fizzbuzz/2" in shown and "check: " in shown
    assert "verdict" not in shown and "pass_rate" not in shown  # the labels stay blind
    validation.dump(tmp_path / "logs", check=False)
    assert "check: " not in capsys.readouterr().out  # nor does the drift category show
    labels = tmp_path / "labels.csv"
    labels.write_text("trial,label,second_label,reason\nfizzbuzz/1,f,f,x\nfizzbuzz/2,f,g,y\n")
    assert validation.score(tmp_path / "logs", labels) == 0
    scored = capsys.readouterr().out
    assert "## first reader vs second reader: agree on 1/2 = 50.0%" in scored
    assert "## first reader vs rule: agreement 1/2 = 50.0%" in scored
    assert "## second reader vs rule: agreement 2/2 = 100.0%" in scored
    assert "precision (where the rule answers g/f/both): 1/2 = 50.0% [95% CI" in scored
    assert "coverage (share where it answers): 2/2 = 100.0%" in scored


def test_spec_and_code_models_are_separate_roles(tmp_path: Path) -> None:
    specs = write(tmp_path / "specs.jsonl", {("fizzbuzz", 1): [spec(1), spec(2)]})
    codes = write(tmp_path / "codes.jsonl", {("fizzbuzz", 1): [fenced(FIZZ), fenced(ZERO)]})
    unused = write(tmp_path / "unused.jsonl", {("fizzbuzz", 1): []})
    task = fizzbuzz(sandbox="local", epochs=1, cycles=2, spec_model=f"replay/{specs}",
                    code_model=f"replay/{codes}")
    [log] = inspect_eval(task, model=f"replay/{unused}", log_dir=str(tmp_path), display="none")
    assert log.status == "success", log.error
    [sample] = log.samples or []
    models = [e.model for e in sample.events if e.event == "model"]
    assert models == [f"replay/{specs}", f"replay/{codes}"] * 2
    assert sample.scores["drift"].value == "boundary"



# --- Issue 13: the return_type / feature_dropped boundary, code without the target, evidence ---

NONE_SHOWN = [{"input": "(7,)", "expected": "7 (int)", "actual": "None (NoneType)", "kind": "return_type"}]
SIZES = {"plain": 80, "edge": 40, "multiple_5": 20, "large": 6}


@pytest.mark.parametrize(
    ("check", "expected"),
    [
        # None on one class (even `plain`): a branch that returns nothing is a dropped feature
        ({"category": "return_type", "n_failed": 80, "n_inputs": 150, "failures": NONE_SHOWN,
          "failed_classes": {"plain": 80, "edge": 33, "large": 2}}, ("feature_dropped", ["plain"])),
        # None on edge inputs only: boundary
        ({"category": "return_type", "n_failed": 3, "n_inputs": 150, "failures": NONE_SHOWN,
          "failed_classes": {"edge": 3, "plain": 1}}, ("boundary", ["edge"])),
        # None on every input: the function returns nothing in general, a type C0 never returns
        ({"category": "return_type", "n_failed": 150, "n_inputs": 150, "failures": NONE_SHOWN,
          "failed_classes": {"plain": 80, "edge": 40, "multiple_5": 20}},
         ("return_type", ["edge", "multiple_5", "plain"])),
        # the same value converted, on one class: still a type change
        ({"category": "return_type", "n_failed": 20, "n_inputs": 150,
          "failures": [{"input": "(5,)", "expected": "5 (int)", "actual": "'5' (str)"}],
          "failed_classes": {"multiple_5": 20}}, ("return_type", ["multiple_5"])),
    ],
)
def test_refine_none_on_one_class_is_a_dropped_feature(check: dict, expected: tuple) -> None:
    assert drift.refine(check, SIZES, FIZZ, FIZZ) == expected


def test_code_without_the_target_is_a_signature_failure_whatever_it_did() -> None:
    crash = {"category": "crash", "n_failed": 150, "n_inputs": 150}
    assert drift.refine(crash, SIZES, FIZZ, "print(undefined_name)\n", "fizzbuzz") == ("signature", [])
    assert drift.refine(crash, SIZES, FIZZ, FIZZ, "fizzbuzz")[0] == "crash"
    assert drift.refine(crash, SIZES, FIZZ, "fizzbuzz = (\n", "fizzbuzz")[0] == "crash"  # no parse
    names = drift.bound_names("import os.path as p, sys\nx: int = 1\nclass K: pass\n")
    assert names == ["p", "sys", "x", "K"]
    guarded = "try:\n    import numpy\nexcept ImportError:\n    def fizzbuzz(n):\n        return n\n"
    assert drift.refine(crash, SIZES, FIZZ, guarded, "fizzbuzz")[0] == "crash"
    record = Cycle(cycle=1, detail="crash: importing the code raised NameError", code="total = 0\n",
                   check=CheckRecord(passed=False, detail="", **crash))
    detail = drift.explain("signature", record, [], SIZES, FIZZ, "fizzbuzz")
    assert detail.startswith("signature: no function fizzbuzz() in the code (it defines: total)")
    assert "NameError" in detail


def test_explain_names_the_class_and_how_much_of_it_differs() -> None:
    check = {"category": "return_type", "n_failed": 80, "n_inputs": 150, "failures": NONE_SHOWN,
             "failed_classes": {"plain": 80}}
    detail = "return_type: fizzbuzz(7) expected 7 (int), got None (NoneType); 80/150 inputs differ"
    record = Cycle(cycle=1, detail=detail, code=FIZZ, check=CheckRecord(passed=False, detail="", **check))
    line = drift.explain("feature_dropped", record, ["plain"], SIZES)
    assert line.startswith("feature_dropped: fizzbuzz(7) expected 7 (int), got None (NoneType)")
    assert "probe class plain (80 of its 80 inputs)" in line and "branch lost" in line
    semantic = dict(check, category="semantic", failures=[{"actual": "'a' (str)"}])
    record = Cycle(cycle=1, detail="semantic: f('A') expected 'A' (str), got 'a' (str)", code=LOWERED,
                   check=CheckRecord(passed=False, detail="", **semantic))
    assert "operations gained: attr:lower" in drift.explain("feature_added", record, ["plain"], SIZES, SEP)


def test_explain_shows_the_text_behind_syntax_and_extraction() -> None:
    crash = Cycle(cycle=1, detail="crash: raised ZeroDivisionError", code=FIZZ)
    assert drift.explain("crash", crash, [], SIZES) == "crash: raised ZeroDivisionError"
    broken = Cycle(cycle=1, detail="syntax: invalid syntax", code="x = 1\nfunc fizzbuzz(n) {\n")
    line = drift.explain("syntax", broken, [], SIZES)
    assert line == "syntax: invalid syntax; line 2: 'func fizzbuzz(n) {'"
    silent = Cycle(
        cycle=1, detail="extraction: no code found in the reply (none)", code_reply="I would  loop.\n"
    )
    line = drift.explain("extraction", silent, [], SIZES)
    assert line.endswith("the reply (15 characters) begins 'I would loop.'")


# f replies and g replies of our own, one per rule; each trial fails at its first cycle
NO_BUZZ = FIZZ.replace('return "Buzz"', "pass")  # multiples of 5 (only) now get None
GO_CODE = 'func fizzbuzz(n int) interface{} {\n\treturn n\n}\n'
EMPTY_FENCE_SPEC = "```pseudocode\n\n```"
LEAKED_SPEC = "Spec:\n```python\n" + FIZZ + "```"


def test_new_rules_end_to_end_with_evidence_in_the_explanation(tmp_path: Path) -> None:
    log = run(
        tmp_path,
        {
            ("fizzbuzz", 1): trial("x", [NO_BUZZ]),
            ("fizzbuzz", 2): [spec(1), GO_CODE],
            ("fizzbuzz", 3): [spec(1), "```python\ntotal = sum(range(10))\n```"],
            ("fizzbuzz", 4): [spec(1), "I would write a loop that checks `n % 15` first."],
            ("fizzbuzz", 5): [EMPTY_FENCE_SPEC],
            ("fizzbuzz", 6): [LEAKED_SPEC],
        },
        epochs=6, cycles=1,
    )
    got = {s.epoch: s for s in log.samples or []}
    assert {e: s.error for e, s in got.items() if s.error} == {}  # f was never asked for 5 and 6
    score = {e: s.scores["drift"] for e, s in got.items() if s.scores}
    assert score[1].value == "feature_dropped"
    assert "fizzbuzz(5) expected 'Buzz' (str), got None (NoneType)" in score[1].explanation
    assert "probe class multiple_5" in score[1].explanation
    assert score[1].metadata["evidence"]["changed_classes"] == ["multiple_5"]
    assert score[2].value == "syntax"
    assert "line 1: 'func fizzbuzz(n int) interface{} {'" in score[2].explanation
    assert score[3].value == "signature" and "it binds only: total" in score[3].explanation
    assert score[4].value == "extraction" and "begins 'I would write a loop" in score[4].explanation
    assert score[5].value == "spec_failure" and "spec is empty" in score[5].explanation
    assert score[6].value == "spec_failure" and "code itself" in score[6].explanation
    assert got[6].store["cycles"][0]["spec_leak"] is True
    assert got[5].store["cycles"][0]["code_reply"] is None
