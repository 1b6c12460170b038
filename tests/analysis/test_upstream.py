"""The original study's trials and the rescoring rules (upstream.py, pure): the rules on
synthetic verdicts, trial names, result.json parsing, and the published data's shape."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from roundtrip_eval.analysis import upstream as up
from roundtrip_eval.problems.load import list_problems

from .upstream_trials import OK, SYNTAX_STATUS, UPSTREAM, F, T, cycle, make_trial, passing

# --- the rules, on synthetic verdicts ----------------------------------------------------


def test_survivor_that_our_checker_also_passes_survives() -> None:
    result = up.rebuild(make_trial(passing(10), survived=True), [T] * 10, 10)
    assert (result.status, result.cycles_survived, result.original_class) == ("survived", 10, None)


def test_our_checker_can_fail_a_cycle_the_original_passed() -> None:
    result = up.rebuild(make_trial(passing(10), survived=True), [T, T, T, F], 10)
    assert (result.status, result.cycles_survived, result.fail_cycle) == ("failed", 3, 4)
    assert result.new_failure and result.original_class is None and result.category == "semantic"


def test_genuine_failure_fails_at_the_same_cycle() -> None:
    original = make_trial([*passing(2), cycle(3, code=SYNTAX_STATUS)])
    result = up.rebuild(original, [T, T, F], 10)
    assert (result.status, result.cycles_survived, result.fail_cycle) == ("failed", 2, 3)
    assert result.original_class == up.GENUINE and not result.new_failure


def test_artifact_failure_is_censored_not_surviving() -> None:
    original = make_trial([*passing(2), cycle(3, code=SYNTAX_STATUS)])
    result = up.rebuild(original, [T, T, T], 10)
    assert (result.status, result.cycles_survived) == ("censored", 3)
    assert result.original_class == up.ARTIFACT and not result.survived


def test_failure_at_the_last_cycle_that_we_pass_survives() -> None:
    original = make_trial([*passing(9), cycle(10, code=SYNTAX_STATUS)])
    result = up.rebuild(original, [T] * 10, 10)
    assert (result.status, result.cycles_survived, result.original_class) == (
        "survived",
        10,
        up.ARTIFACT,
    )


def test_earlier_failure_under_our_checker() -> None:
    original = make_trial([*passing(2), cycle(3, code=SYNTAX_STATUS)])
    result = up.rebuild(original, [T, F], 10)
    assert (result.status, result.fail_cycle, result.original_class) == ("failed", 2, up.EARLIER)
    assert result.new_failure


def test_cycles_without_generated_code_are_censored_before_them() -> None:
    gate = make_trial([cycle(1), cycle(2, spec="FAIL: Generated spec did not match", code=None)])
    assert gate.stop_kind == up.STOP_SPEC_GATE
    result = up.rebuild(gate, [T], 10)
    assert (result.status, result.cycles_survived, result.original_class) == (
        "censored",
        1,
        up.SPEC_GATE_ARTIFACT,
    )
    # ...unless our own spec rule fails that cycle (an empty spec): then it is genuine.
    result = up.rebuild(gate, [T, up.Verdict(False, "spec_failure")], 10)
    assert (result.status, result.fail_cycle, result.original_class) == ("failed", 2, up.GENUINE)
    api = make_trial([*passing(3), up.UpstreamCycle(4, "s", OK, None, None, "FAIL: API call failed")])
    assert api.stop_kind == up.STOP_API
    assert up.rebuild(api, [T, T, T], 10).cycles_survived == 3
    assert up.rebuild(api, [T, T, T], 10).original_class == up.INFRA
    empty = make_trial([cycle(1, code="FAIL: Code validation failed. Error: , Output: None", reply="")])
    assert empty.stop_kind == up.STOP_EMPTY
    result = up.rebuild(empty, [], 10)
    assert (result.status, result.cycles_survived, result.original_class) == ("censored", 0, up.INFRA)


def test_inconsistent_verdicts_are_rejected() -> None:
    original = make_trial([*passing(2), cycle(3, code=SYNTAX_STATUS)])
    with pytest.raises(ValueError):
        up.rebuild(original, [T], 10)  # no verdict for cycle 2 although code was generated
    with pytest.raises(ValueError):
        up.rebuild(original, [T, T, T, T], 10)


def test_replay_script_of_each_kind_of_trial() -> None:
    assert up.replay_replies(make_trial(passing(2), survived=True), 2) == [
        "spec 1",
        "code",
        "spec 2",
        "code",
    ]
    failed = up.replay_replies(make_trial([*passing(1), cycle(2, code=SYNTAX_STATUS)]), 10)
    assert failed[:4] == ["spec 1", "code", "spec 2", "code"] and "stop" in failed[4]
    gate = make_trial([cycle(1, spec="FAIL: Generated spec did not match", code=None)])
    replies = up.replay_replies(gate, 10)
    assert replies[0] == "spec 1" and "spec gate" in replies[1]["stop"] and len(replies) == 2
    empty = make_trial([cycle(1, code="FAIL: ...", reply="  ")])
    assert "empty" in up.replay_replies(empty, 10)[1]["stop"]


def test_artifact_classes() -> None:
    ours = "def f(n):\n    return n\n"
    assert up.classify_artifact(ours, "def f(n):\n  return n  # same AST\n", None) == up.CHECKER_ARTIFACT
    assert up.classify_artifact(ours, ours + "```\n", None) == up.EXTRACTION_ARTIFACT
    assert up.classify_artifact(ours, "def f(n):\n    return 2\n", False) == up.EXTRACTION_ARTIFACT
    assert up.classify_artifact(ours, "def f(n):\n    return +n\n", True) == up.CHECKER_ARTIFACT
    with pytest.raises(ValueError):
        up.classify_artifact(ours, "def f(n):\n    return 2\n", None)
    assert up.needs_original_check(ours, "def f(n):\n    return 2\n")
    assert not up.needs_original_check(ours, ours + "```")


def test_trial_names_and_model_tags() -> None:
    name = "llama3.2-3b_en_pseudocode_hyper_guided_separate_vowels_and_consonants_run12"
    parsed = up.parse_trial_name(name, list_problems())
    assert parsed == {
        "model_dir": "llama3.2-3b",
        "language": "en",
        "spec_format": "pseudocode",
        "prompt_style": "hyper_guided",
        "task": "separate_vowels_and_consonants",
        "run": 12,
    }
    assert up.ollama_tag("llama3.2-3b") == "llama3.2:3b"
    assert up.ollama_tag("deepseek-r1-1.5b") == "deepseek-r1:1.5b"
    with pytest.raises(up.UpstreamFormatError):
        up.parse_trial_name("nonsense", list_problems())


# --- result.json files, on a made-up tree --------------------------------------------------


def _result(cycles: list[dict[str, object]], status: str) -> dict[str, object]:
    return {
        "status": status,
        "cycles_completed": sum(1 for c in cycles if c["step2_status"] == OK),
        "logs": cycles,
    }


def _cycle(i: int, code_status: str = OK) -> dict[str, object]:
    return {
        "cycle": i,
        "step1_raw_spec": f"spec {i}",
        "step1_status": OK,
        "step2_generated_code_raw": f"```python\ndef f(): return {i}\n```",
        "step2_generated_code_clean": f"def f(): return {i}",
        "step2_status": code_status,
    }


def _write(root: Path, batch: str, name: str, data: dict[str, object]) -> None:
    folder = root / "raw" / batch / name
    folder.mkdir(parents=True)
    (folder / "result.json").write_text(json.dumps(data), encoding="utf-8")


def test_load_trials_reads_every_layout_and_sorts_by_group_then_run(tmp_path: Path) -> None:
    tasks = list_problems()
    _write(tmp_path, "b1", "m-1b_ja_pseudocode_guided_fizzbuzz_run2", _result([_cycle(1)], "SUCCESS: done"))
    _write(
        tmp_path,
        "b1",
        "m-1b_ja_pseudocode_guided_fizzbuzz_run1",
        _result([_cycle(1), _cycle(2, SYNTAX_STATUS)], "FAIL: Cycle 2 failed."),
    )
    _write(tmp_path, "b0", "other-7b_en_pseudocode_guided_fizzbuzz_run1", _result([_cycle(1)], "SUCCESS"))
    trials = up.load_trials(tmp_path, tasks)
    assert [(t.batch, t.model, t.run) for t in trials] == [
        ("b0", "other:7b", 1),
        ("b1", "m:1b", 1),
        ("b1", "m:1b", 2),
    ]
    failed = trials[1]
    assert failed.group == up.EvalGroup("b1", "m:1b", "ja", "pseudocode", "guided", "fizzbuzz")
    assert (failed.group.batch, failed.group.language, failed.group.task) == ("b1", "ja", "fizzbuzz")
    assert (failed.stop_cycle, failed.stop_kind, failed.original_survived) == (2, up.STOP_CODE, False)
    assert failed.cycles[1].code_clean == "def f(): return 2" and failed.cycles_completed == 1
    assert trials[2].original_survived and trials[2].stop_cycle is None
    # raw/ itself and one batch folder give the same trials
    assert up.load_trials(tmp_path / "raw", tasks) == trials
    assert up.load_trials(tmp_path / "raw" / "b1", tasks) == trials[1:]


def test_result_json_of_the_wrong_shape_is_named(tmp_path: Path) -> None:
    with pytest.raises(up.UpstreamFormatError, match="missing 'status'"):
        up.parse_result({"cycles_completed": 0, "logs": []}, "b", "m-1b_en_x_y_fizzbuzz_run1")
    skipped = {"status": "FAIL", "cycles_completed": 0, "logs": [_cycle(1), _cycle(3)]}
    with pytest.raises(up.UpstreamFormatError, match="not numbered"):
        up.parse_result(skipped, "b", "m-1b_en_x_y_fizzbuzz_run1")
    with pytest.raises(up.UpstreamFormatError, match=r"<en\|ja>"):
        up.parse_trial_name("m-1b_de_x_y_fizzbuzz_run1", ["fizzbuzz"])


def test_same_code_and_compiles() -> None:
    assert up.same_code("def f():\n    return 1\n", "def f():  return 1")
    assert not up.same_code("def f():\n    return 1\n", "def f():\n    return 2\n")
    # unparsable code compares as normalised text: tabs, indentation and trailing blanks
    assert up.same_code("def f(:\n\treturn 1  \n", "def f(:\n    return 1\n")
    assert not up.same_code("def f(:\n    return 1", "def f(:\n    return 2")
    assert up.same_code(None, None) and not up.same_code("x = 1", None)
    assert up.compiles("x = 1") and not up.compiles("x = ") and not up.compiles(None)


# --- the published data -----------------------------------------------------------------------


@pytest.mark.upstream
@pytest.mark.slow
def test_every_published_trial_parses_with_named_groups() -> None:
    if not (UPSTREAM / "raw").is_dir():
        pytest.skip(f"upstream data absent ({UPSTREAM.name} next to the repository)")
    files = sorted((UPSTREAM / "raw").glob("*/*/result.json"))
    trials = up.load_trials(UPSTREAM, list_problems())
    assert len(trials) == len(files) > 0
    assert {t.batch for t in trials} == {p.parent.parent.name for p in files}
    for t in trials:
        g = t.group
        assert t.name.startswith(f"{t.model_dir}_{g.language}_{g.spec_format}_{g.prompt_style}_{g.task}_run")
        assert (g.batch, g.model, g.task) == (t.batch, up.ollama_tag(t.model_dir), t.task)
        assert len(t.cycles) >= 1 and (t.stop_cycle is None) == t.original_survived


# --- every layout of the published batches, and folders that are not trials -----------------


def test_study_spec_formats_and_prompt_styles_split_where_the_study_meant() -> None:
    tasks = list_problems()
    for fmt in up.SPEC_FORMATS:
        for style in ("fewshot", "hyper_guided"):
            parsed = up.parse_trial_name(f"phi3-mini_ja_{fmt}_{style}_get_magic_number_run30", tasks)
            assert (parsed["spec_format"], parsed["prompt_style"], parsed["task"]) == (
                fmt,
                style,
                "get_magic_number",
            )
    with pytest.raises(up.UpstreamFormatError, match="no prompt style"):
        up.parse_trial_name("m-1b_en_s_expression_fizzbuzz_run1", tasks)


def test_a_failed_spec_call_is_infrastructure_not_the_spec_gate() -> None:
    api = make_trial([*passing(1), up.UpstreamCycle(2, None, "FAIL: API call failed", None, None, None)])
    assert (api.stop_cycle, api.stop_kind) == (2, up.STOP_API)
    replies = up.replay_replies(api, 10)
    assert replies[:2] == ["spec 1", "code"] and "spec call failed" in replies[2]["stop"]
    result = up.rebuild(api, [T], 10)
    assert (result.status, result.cycles_survived, result.original_class) == ("censored", 1, up.INFRA)


def test_scan_names_every_folder_that_is_not_a_trial_and_skips_it(tmp_path: Path) -> None:
    tasks = list_problems()
    good = "m-1b_en_s_expression_hyper_guided_fizzbuzz_run1"
    _write(tmp_path, "b", good, _result([_cycle(1)], "SUCCESS: All cycles completed."))
    _write(tmp_path, "b", "m-1b_en_pseudocode_fewshot_fizzbuzz_run2", {"cycles_completed": 0, "logs": []})
    _write(tmp_path, "b", "m-1b_de_pseudocode_fewshot_fizzbuzz_run3", _result([_cycle(1)], "SUCCESS"))
    _write(tmp_path, "b", "m-1b_en_pseudocode_fewshot_no_such_problem_run4", _result([_cycle(1)], "SUCCESS"))
    _write(tmp_path, "b", "m-1b_en_pseudocode_fewshot_fizzbuzz_run5", _result([], "FAIL"))
    (tmp_path / "raw" / "b" / "m-1b_en_pseudocode_fewshot_fizzbuzz_run6").mkdir()
    broken = tmp_path / "raw" / "b" / "m-1b_en_pseudocode_fewshot_fizzbuzz_run7"
    broken.mkdir()
    (broken / "result.json").write_text('{"status": "SUCC', encoding="utf-8")
    listed = tmp_path / "raw" / "b" / "notes"
    listed.mkdir()
    (listed / "result.json").write_text("[1, 2]", encoding="utf-8")
    (tmp_path / "raw" / "b" / "summary.csv").write_text(
        "Model,Run\n", encoding="utf-8"
    )  # a file: not a trial

    scan = up.scan_trials(tmp_path, tasks)
    assert [t.name for t in scan.trials] == [good]
    assert (scan.trials[0].spec_format, scan.trials[0].prompt_style) == ("s_expression", "hyper_guided")
    reasons = {s.path.split("/")[1]: s.reason for s in scan.skipped}
    assert set(reasons) == {
        "m-1b_en_pseudocode_fewshot_fizzbuzz_run2",
        "m-1b_de_pseudocode_fewshot_fizzbuzz_run3",
        "m-1b_en_pseudocode_fewshot_no_such_problem_run4",
        "m-1b_en_pseudocode_fewshot_fizzbuzz_run5",
        "m-1b_en_pseudocode_fewshot_fizzbuzz_run6",
        "m-1b_en_pseudocode_fewshot_fizzbuzz_run7",
        "notes",
    }
    assert "missing 'status'" in reasons["m-1b_en_pseudocode_fewshot_fizzbuzz_run2"]
    assert "<en|ja>" in reasons["m-1b_de_pseudocode_fewshot_fizzbuzz_run3"]
    assert "no problem under tasks/" in reasons["m-1b_en_pseudocode_fewshot_no_such_problem_run4"]
    assert "no cycles" in reasons["m-1b_en_pseudocode_fewshot_fizzbuzz_run5"]
    assert reasons["m-1b_en_pseudocode_fewshot_fizzbuzz_run6"] == "no result.json"
    assert "not readable JSON" in reasons["m-1b_en_pseudocode_fewshot_fizzbuzz_run7"]
    assert reasons["notes"] == "result.json is not a JSON object"
    assert all(str(s).startswith("b/") for s in scan.skipped)
    # the strict reader names the first such folder instead of skipping it
    with pytest.raises(up.UpstreamFormatError, match="b/m-1b_de_pseudocode_fewshot_fizzbuzz_run3"):
        up.load_trials(tmp_path, tasks)


@pytest.mark.upstream
@pytest.mark.slow
def test_every_published_batch_reads_without_a_skipped_folder() -> None:
    if not (UPSTREAM / "raw").is_dir():
        pytest.skip(f"upstream data absent ({UPSTREAM.name} next to the repository)")
    scan = up.scan_trials(UPSTREAM, list_problems())
    assert scan.skipped == []
    assert len(scan.trials) == len(list((UPSTREAM / "raw").glob("*/*/result.json")))
    assert {t.spec_format for t in scan.trials} == set(up.SPEC_FORMATS)
    assert {t.prompt_style for t in scan.trials} == {"fewshot", "hyper_guided"}
    # every folder name is rebuilt from its parsed parts
    for t in scan.trials:
        assert t.name == f"{t.model_dir}_{t.language}_{t.spec_format}_{t.prompt_style}_{t.task}_run{t.run}"
