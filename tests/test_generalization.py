"""Variants, name masking and the generalization_gap task, against hand calculations."""

from pathlib import Path

import pytest
from inspect_ai import eval as inspect_eval
from inspect_ai.log import EvalLog, resolve_sample_attachments
from replay_scripts import fenced, spec, trial, write

from roundtrip_eval.eval.dataset import pair_problems
from roundtrip_eval.eval.tasks import fizzbuzz, generalization_gap
from roundtrip_eval.problems.load import ProblemError, load_problem
from roundtrip_eval.stats.difference import bootstrap_difference

PAIRS = "fizzbuzz,leap_year"


def wrong(name: str) -> str:
    function = load_problem(name).function
    return f"def {function}(*args):\n    return None\n"


def ok(name: str) -> list:
    return trial(name, [load_problem(name).reference])


def bad(name: str) -> list:
    return trial(name, [wrong(name)])


def gap_metrics(log: EvalLog) -> dict[str, float]:
    assert log.status == "success", log.error
    assert log.results is not None
    [score] = [s for s in log.results.scores if s.name == "generalization"]
    return {k.split("/")[-1]: m.value for k, m in score.metrics.items()}


def test_pair_problems() -> None:
    assert pair_problems(PAIRS) == ["chime_label", "fizzbuzz", "is_festival_year", "is_leap_year"]
    with pytest.raises(ValueError, match="unknown pair"):
        pair_problems("nope")


def test_gap_matches_a_hand_calculation(tmp_path: Path) -> None:
    # known: fizzbuzz 2/2, is_leap_year 1/2 -> 3/4; novel: chime_label 1/2, festival 0/2 -> 1/4
    lines = {
        ("fizzbuzz", 1): ok("fizzbuzz"), ("fizzbuzz", 2): ok("fizzbuzz"),
        ("is_leap_year", 1): ok("is_leap_year"), ("is_leap_year", 2): bad("is_leap_year"),
        ("chime_label", 1): ok("chime_label"), ("chime_label", 2): bad("chime_label"),
        ("is_festival_year", 1): bad("is_festival_year"),
        ("is_festival_year", 2): bad("is_festival_year"),
    }
    script = write(tmp_path / "r.jsonl", lines)
    task = generalization_gap(pairs=PAIRS, cycles=1, epochs=2, sandbox="local")
    [log] = inspect_eval(task, model=f"replay/{script}", log_dir=str(tmp_path), display="none")
    m = gap_metrics(log)
    # one cycle: cycles survived is survival@1, and survival@3 is capped to survival@1 = @N
    assert m["known_survival"] == 0.75 and m["novel_survival"] == 0.25
    assert m["known_cycles"] == 0.75 and m["novel_cycles"] == 0.25
    assert m["gap"] == pytest.approx(0.5) and m["gap@1"] == pytest.approx(0.5)
    # Fisher, table [[3, 1], [1, 3]]: P(table) = C(4,3)C(4,1)/C(8,4) = 16/70; the tables as or
    # less likely are a=3 (16/70), a=1 (16/70), a=4 (1/70), a=0 (1/70): p = 34/70.
    assert m["fisher_p"] == pytest.approx(34 / 70)
    # the interval is the seeded bootstrap over these trials (each side sorted), reproducible
    # from the log alone
    ci = bootstrap_difference([0, 1, 1, 1], [0, 0, 0, 1], seed=0)
    assert (m["gap_low"], m["gap_high"]) == (ci.low, ci.high)
    assert -0.5 <= m["gap_low"] <= 0.5 <= m["gap_high"] <= 1.0
    assert m["fizzbuzz.gap"] == pytest.approx(0.5) and m["leap_year.gap"] == pytest.approx(0.5)


def test_degenerate_gap_has_an_exact_interval(tmp_path: Path) -> None:
    lines = {(n, "*"): ok(n) for n in ("fizzbuzz", "is_leap_year")}
    lines.update({(n, "*"): bad(n) for n in ("chime_label", "is_festival_year")})
    script = write(tmp_path / "r.jsonl", lines)
    task = generalization_gap(pairs=PAIRS, cycles=1, epochs=2, sandbox="local")
    [log] = inspect_eval(task, model=f"replay/{script}", log_dir=str(tmp_path), display="none")
    m = gap_metrics(log)
    assert (m["gap"], m["gap_low"], m["gap_high"]) == (1.0, 1.0, 1.0)
    assert m["fisher_p"] == pytest.approx(2 / 70)  # [[4, 0], [0, 4]]: two extreme tables


def test_masked_names_are_all_the_model_sees(tmp_path: Path) -> None:
    masked = load_problem("fizzbuzz", masked=True)
    assert masked.function == "func" and "fizzbuzz" not in masked.reference
    recalled = load_problem("fizzbuzz").reference  # regenerates the familiar name: fails
    script = write(tmp_path / "r.jsonl", {
        ("fizzbuzz", 1): trial("x", [masked.reference, masked.reference]),
        ("fizzbuzz", 2): trial("x", [masked.reference, recalled]),
    })
    [log] = inspect_eval(fizzbuzz(sandbox="local", mask_names=True, epochs=2, cycles=2),
                         model=f"replay/{script}", log_dir=str(tmp_path), display="none")
    by_epoch = {s.epoch: resolve_sample_attachments(s) for s in log.samples or []}
    g_prompt = next(e for e in by_epoch[1].events if e.event == "model").input[0].text
    assert "def func(arg0):" in g_prompt and "fizzbuzz" not in g_prompt
    assert by_epoch[1].scores["survival"].value["survived"] == 1
    assert by_epoch[2].scores["drift"].value == "signature"
    assert by_epoch[2].metadata["mask_names"] is True


def test_constants_variant_changes_expected_outputs(tmp_path: Path) -> None:
    variant = load_problem("fizzbuzz", "constants")
    assert "28" in variant.reference
    base = load_problem("fizzbuzz").reference
    script = write(tmp_path / "r.jsonl", {
        ("fizzbuzz", 1): trial("x", [variant.reference]),
        ("fizzbuzz", 2): trial("x", [base]),  # drifting back to 3/5 is a failure here
    })
    [log] = inspect_eval(fizzbuzz(sandbox="local", variant="constants", epochs=2, cycles=1),
                         model=f"replay/{script}", log_dir=str(tmp_path), display="none")
    by_epoch = {s.epoch: resolve_sample_attachments(s) for s in log.samples or []}
    assert by_epoch[1].scores["survival"].value["survived"] == 1
    assert by_epoch[2].scores["survival"].value["survived"] == 0
    assert "28" in next(e for e in by_epoch[1].events if e.event == "model").input[0].text
    with pytest.raises(ProblemError, match="declares no variant"):
        load_problem("fizzbuzz", "nope")
    with pytest.raises(ValueError, match="none of"):
        fizzbuzz(sandbox="local", variant="nope")


def test_spec_then_fenced_helpers_roundtrip() -> None:
    assert spec(1) != spec(2) and fenced("x = 1").count("```") == 2
