"""Rescoring the original study's trials: the rules on synthetic verdicts (pure), the replay
stop marker (censoring) end to end, and a few real upstream trials in the Docker sandbox.

Real upstream code is untrusted model output: it only ever runs in the `docker`-marked test.
The synthetic end-to-end test runs our own literals in the local sandbox.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import pytest
from inspect_ai import eval as inspect_eval

sys.path.insert(0, str(Path(__file__).parent))

from replay_scripts import trial as scripted_trial  # noqa: E402
from replay_scripts import write  # noqa: E402

from roundtrip_eval.analysis import upstream as up  # noqa: E402
from roundtrip_eval.analysis.report import load_rows  # noqa: E402
from roundtrip_eval.analysis.rescore import (  # noqa: E402
    LOCAL_WARNING,
    RescoreError,
    classify,
    comparison_table,
    ensure_sandbox,
    headline_table,
    plan_evals,
    run_rescore,
)
from roundtrip_eval.cli import main  # noqa: E402
from roundtrip_eval.problems import list_problems, load_problem  # noqa: E402
from roundtrip_eval.tasks import fizzbuzz  # noqa: E402

UPSTREAM = Path(__file__).resolve().parents[1].parent / "shared" / "upstream-data"
FB_REF = load_problem("fizzbuzz").reference
OK, SYNTAX_STATUS = "SUCCESS", "FAIL: Code validation failed. Error: SyntaxError"


def cycle(i: int, *, spec: str = OK, code: str | None = OK, reply: str | None = "code") -> up.UpstreamCycle:
    return up.UpstreamCycle(i, f"spec {i}", spec, reply if code is not None else None, reply, code)


def make_trial(cycles: list[up.UpstreamCycle], survived: bool = False, run: int = 1) -> up.UpstreamTrial:
    return up.UpstreamTrial(
        batch="b",
        name=f"m-1b_en_pseudocode_guided_fizzbuzz_run{run}",
        model_dir="m-1b",
        language="en",
        spec_format="pseudocode",
        prompt_style="guided",
        task="fizzbuzz",
        run=run,
        status="SUCCESS: All cycles completed." if survived else f"FAIL: Cycle {len(cycles)} failed.",
        cycles_completed=len(cycles) - (0 if survived else 1),
        cycles=tuple(cycles),
    )


def passing(n: int) -> list[up.UpstreamCycle]:
    return [cycle(i) for i in range(1, n + 1)]


T, F = up.Verdict(True), up.Verdict(False, "semantic")


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


def test_classify_fills_in_artifacts_and_new_failures() -> None:
    ours = "def f(n):\n    return n\n"
    rows: list[dict[str, Any]] = [
        {"original_class": up.ARTIFACT, "_ours": ours, "_original": ours + "```"},
        {"original_class": up.ARTIFACT, "_ours": ours, "_original": "def f(n):\n    return 2\n"},
        {"original_class": None, "new_failure": True, "_ours": ours, "_original": ours},
        {"original_class": None, "new_failure": True, "_ours": ours, "_original": "def f(n): return 3"},
    ]
    classify(rows, {1: False, 3: True})
    assert [r.get("original_class") for r in rows] == [up.EXTRACTION_ARTIFACT] * 2 + [None, None]
    assert [r.get("new_failure_class") for r in rows[2:]] == ["stricter_checker", "extraction_regression"]
    assert all("_ours" not in r for r in rows)


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


def test_batch_cycles_and_limit() -> None:
    trials = [make_trial(passing(10), survived=True, run=r) for r in (1, 2, 3)]
    assert up.batch_cycles(trials) == 10
    assert up.batch_cycles([make_trial([cycle(1, code=SYNTAX_STATUS)])]) == up.UPSTREAM_CYCLES
    [plan] = plan_evals(trials, limit=2)
    assert [t.run for t in plan.trials] == [1, 2] and plan.n_cycles == 10


def row(batch: str, task: str, status: str, original: bool, cls: str | None = None) -> dict[str, Any]:
    return {
        "batch": batch,
        "model": "m:1b",
        "task": task,
        "language": "en",
        "n_cycles": 10,
        "status": status,
        "cycles_survived": 10 if status == "survived" else 1,
        "original_survived": original,
        "original_class": cls,
        "new_failure": False,
        "consistent": True,
    }


def test_comparison_and_headline_tables_by_hand() -> None:
    # fizzbuzz: 3 published survivors, rescored 2 survive + 1 new failure... kept simple:
    # 3/4 published -> 2/4 rescored (one survivor fails our checker), 1 genuine failure.
    rows = [
        row("k", "fizzbuzz", "survived", True),
        row("k", "fizzbuzz", "survived", True),
        {**row("k", "fizzbuzz", "failed", True), "new_failure": True},
        row("k", "fizzbuzz", "failed", False, up.GENUINE),
        # separate_vowels: 0/4 published; rescored 0 survive, 2 censored artifacts, 1 genuine,
        # 1 infrastructure (censored)
        row("n", "separate_vowels_and_consonants", "censored", False, up.EXTRACTION_ARTIFACT),
        row("n", "separate_vowels_and_consonants", "censored", False, up.CHECKER_ARTIFACT),
        row("n", "separate_vowels_and_consonants", "failed", False, up.GENUINE),
        row("n", "separate_vowels_and_consonants", "censored", False, up.INFRA),
    ]
    table = {r["task"]: r for r in comparison_table(rows)}
    fb, sv = table["fizzbuzz"], table["separate_vowels_and_consonants"]
    assert (fb["published_survived"], fb["rescored_survived"], fb["new_failures"]) == (3, 2, 1)
    assert (fb["n_genuine"], fb["published_failures"]) == (1, 1)
    assert (sv["rescored_survived"], sv["rescored_censored"], sv["rescored_upper"]) == (0, 3, 0.75)
    assert (sv["n_extraction_artifact"], sv["n_checker_artifact"], sv["n_infrastructure"]) == (1, 1, 1)
    [head] = headline_table(rows, n_boot=200)
    assert (head["known_published"], head["novel_published"]) == (3, 0)
    assert head["published_gap"] == 0.75 and head["rescored_gap"] == 0.5
    assert head["rescored_gap_min"] == 0.5 - 0.75  # every censored novel trial survives
    assert head["rescored_gap_max"] == 0.5  # no censored known trial to flip
    # Fisher [[2,2],[0,4]]: weights C(2,x)C(6,4-x) = 15, 40, 15 (x=0..2) over 70; observed 15
    # -> (15 + 15) / 70.
    assert head["rescored_fisher_p"] == pytest.approx(30 / 70)


# --- the stop marker end to end (our own literals, local sandbox) ------------------------


def test_replay_stop_marker_censors_without_error_or_failure(tmp_path: Path) -> None:
    stop = {"stop": "the original trial ends after cycle 2"}
    script = write(
        tmp_path / "r.jsonl", {("fizzbuzz", 1): scripted_trial("fizzbuzz", [FB_REF, FB_REF]) + [stop]}
    )
    [log] = inspect_eval(
        fizzbuzz(sandbox="local", epochs=1, cycles=5),
        model=f"replay/{script}",
        log_dir=str(tmp_path / "logs"),
        display="none",
    )
    assert log.status == "success"
    [sample] = log.samples or []
    assert sample.error is None and sample.limit is not None and sample.limit.type == "custom"
    assert sample.scores and sample.scores["survival"].value["cycles_survived"] == 2
    assert sample.scores["drift"].value == "none"
    trials, _, _ = load_rows(tmp_path / "logs", progress=False)
    assert [(t["status"], t["cycles_survived"], t["failed"]) for t in trials] == [("censored", 2, False)]


# --- command line -------------------------------------------------------------------------


def test_rescore_command_fails_in_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rescore-upstream", str(tmp_path), "-o", str(tmp_path / "o"), "-q"]) != 0
    err = capsys.readouterr().err.strip()
    assert "result.json" in err and len(err.splitlines()) == 1


def test_no_engine_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DOCKER_HOST", "unix:///nonexistent/docker.sock")
    with pytest.raises(RescoreError, match="--sandbox local"):
        ensure_sandbox("roundtrip-docker")
    with pytest.raises(RescoreError, match="not a registered provider"):
        ensure_sandbox("no-such-sandbox")


def test_local_sandbox_warns_loudly(capsys: pytest.CaptureFixture[str]) -> None:
    ensure_sandbox("local")  # only the check: no code runs here
    assert LOCAL_WARNING in capsys.readouterr().err
    assert "UNSANDBOXED" in LOCAL_WARNING


# --- real upstream trials, in the Docker sandbox ------------------------------------------


def _pick(root: Path) -> dict[str, up.UpstreamTrial]:
    """Three real trials picked by property (never by name): a falcon separate_vowels failure
    whose executed code choked on a stray fence, a gemma3 separate_vowels survivor, and a
    fizzbuzz trial stopped by the original's spec gate."""
    trials = up.load_trials(root, list_problems())
    picked: dict[str, up.UpstreamTrial] = {}
    for t in trials:
        k = t.stop_cycle
        if (
            "fence" not in picked
            and t.task == "separate_vowels_and_consonants"
            and t.model == "falcon3:3b"
            and k == 1
            and t.stop_kind == up.STOP_CODE
            and "```" in (t.cycles[0].code_clean or "")
            and "SyntaxError" in (t.cycles[0].code_status or "")
        ):
            picked["fence"] = t
        if "survivor" not in picked and t.task == "separate_vowels_and_consonants" and t.original_survived:
            picked["survivor"] = t
        if "gate" not in picked and t.stop_kind == up.STOP_SPEC_GATE and t.stop_cycle == 2:
            picked["gate"] = t
    return picked


@pytest.mark.upstream
@pytest.mark.docker
@pytest.mark.slow
def test_real_upstream_trials_in_docker(docker_client: Any, tmp_path: Path) -> None:
    if not (UPSTREAM / "raw").is_dir():
        pytest.skip(f"upstream data absent ({UPSTREAM.name} next to the repository)")
    picked = _pick(UPSTREAM)
    assert set(picked) == {"fence", "survivor", "gate"}, "the upstream sample changed shape"
    raw = tmp_path / "data" / "raw"
    for t in picked.values():  # links into a temp tree: nothing is copied
        (raw / t.batch).mkdir(parents=True, exist_ok=True)
        os.symlink(UPSTREAM / "raw" / t.batch / t.name, raw / t.batch / t.name)
    out = tmp_path / "out"
    run_rescore(tmp_path / "data", out, sandbox="roundtrip-docker", progress=False)
    with (out / "trials.csv").open() as fh:
        import csv

        rows = {(r["batch"], r["run"], r["task"], r["model"]): r for r in csv.DictReader(fh)}

    def get(t: up.UpstreamTrial) -> dict[str, str]:
        return rows[(t.batch, str(t.run), t.task, t.model)]

    fence = get(picked["fence"])
    # our tolerant extraction drops the stray fence and the code passes: an extraction
    # artifact, censored at cycle 1 (never counted as surviving)
    assert (fence["status"], fence["cycles_survived"], fence["original_class"]) == (
        "censored",
        "1",
        up.EXTRACTION_ARTIFACT,
    )
    survivor = get(picked["survivor"])
    assert survivor["status"] in ("survived", "failed")
    if survivor["status"] == "failed":  # our checker is stricter: it must say where and why
        assert survivor["new_failure"] == "True" and survivor["category"]
    gate = get(picked["gate"])
    assert gate["original_class"] == up.SPEC_GATE_ARTIFACT
    assert gate["status"] == "censored" and gate["cycles_survived"] == "1"
    assert all(r["consistent"] == "True" for r in rows.values())
    # the logs are ordinary eval logs: the generic report reads them, censoring included
    trials, _, _ = load_rows(out / "logs", progress=False)
    assert sorted(t["status"] for t in trials) == sorted(r["status"] for r in rows.values())
    assert all(json.loads(t["settings_json"]).get("replayed") for t in trials)
    assert all(t["sandbox"] == "roundtrip-docker" for t in trials)
