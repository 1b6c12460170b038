"""Running a rescoring (rescore/run.py): the replay stop marker (censoring) end to end, the
command's one-line failures, the sandbox checks, and a few real upstream trials in Docker.

Real upstream code is untrusted model output: it only ever runs in the `docker`-marked test.
The synthetic end-to-end test runs our own literals in the local sandbox.
"""

from __future__ import annotations

import csv
import json
import os
import sys
from pathlib import Path
from typing import Any

import pytest
from inspect_ai import eval as inspect_eval

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from replay_scripts import trial as scripted_trial  # noqa: E402
from replay_scripts import write  # noqa: E402

from roundtrip_eval.analysis import upstream as up  # noqa: E402
from roundtrip_eval.analysis.read import load_rows  # noqa: E402
from roundtrip_eval.analysis.rescore.run import (  # noqa: E402
    LOCAL_WARNING,
    RescoreError,
    ensure_sandbox,
    run_rescore,
)
from roundtrip_eval.cli import main  # noqa: E402
from roundtrip_eval.eval.tasks import fizzbuzz  # noqa: E402
from roundtrip_eval.problems.load import list_problems, load_problem  # noqa: E402

from ..upstream_trials import UPSTREAM  # noqa: E402

FB_REF = load_problem("fizzbuzz").reference


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


# --- a whole rescoring on a made-up tree (our own literals, local sandbox) ------------------


def _cycle(i: int, code: str, ok: bool = True, gate: bool = False) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "cycle": i,
        "step1_raw_spec": f"FUNCTION fizzbuzz(n), cycle {i}",
        "step1_generated_spec": "spec",
        "step1_status": "FAIL: Generated spec did not match ground truth." if gate else "SUCCESS",
    }
    if not gate:
        entry.update(
            step2_generated_code_raw=f"```python\n{code}\n```",
            step2_generated_code_clean=code,
            step2_status="SUCCESS" if ok else "FAIL: Code execution failed or returned incorrect result.",
        )
    return entry


def _write_trial(raw: Path, run: int, cycles: list[dict[str, Any]], survived: bool, lang: str = "en") -> None:
    folder = raw / "strict_n_30_x" / f"m-1b_{lang}_pseudocode_hyper_guided_fizzbuzz_run{run}"
    folder.mkdir(parents=True)
    status = "SUCCESS: All cycles completed." if survived else f"FAIL: Cycle {len(cycles)} failed."
    completed = len(cycles) if survived else len(cycles) - 1
    data = {"status": status, "cycles_completed": completed, "logs": cycles}
    (folder / "result.json").write_text(json.dumps(data), encoding="utf-8")


def test_a_whole_rescoring_checks_each_code_once_and_names_skipped_folders(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    raw = tmp_path / "data" / "raw"
    wrong = "def fizzbuzz(n):\n    return str(n)"
    survivor = [_cycle(i, FB_REF) for i in (1, 2, 3)]
    _write_trial(raw, 1, survivor, survived=True)
    _write_trial(raw, 2, survivor, survived=True)  # the same script: a repeat, not replayed
    _write_trial(raw, 3, [_cycle(1, FB_REF), _cycle(2, wrong, ok=False)], survived=False)
    _write_trial(raw, 4, [_cycle(1, "", gate=True)], survived=False)
    (raw / "strict_n_30_x" / "m-1b_en_pseudocode_hyper_guided_fizzbuzz_run5").mkdir()  # no result.json
    out = tmp_path / "out"
    line = run_rescore(tmp_path / "data", out, sandbox="local", progress=False, workers=1)
    err = capsys.readouterr().err
    assert "skipping strict_n_30_x/m-1b_en_pseudocode_hyper_guided_fizzbuzz_run5: no result.json" in err
    assert "rescored 4 trials (3 replayed in 1 evals, 1 repeats of a replayed script)" in line
    assert "2 survived, 1 failed, 1 censored, 0 errors, 0 inconsistent; 1 folders skipped" in line
    # 5 checks asked (3 + 2: the repeat is not replayed), of 2 distinct codes: 2 run
    assert "5 checks (2 run in 1 local sandboxes, 3 repeats from the memo)" in line
    with (out / "trials.csv").open() as fh:
        rows = {r["run"]: r for r in csv.DictReader(fh)}
    assert (rows["2"]["status"], rows["2"]["replayed_as"]) == (
        "survived",
        "strict_n_30_x/m-1b_en_pseudocode_hyper_guided_fizzbuzz_run1",
    )
    assert (rows["3"]["status"], rows["3"]["original_class"], rows["3"]["fail_cycle"]) == (
        "failed",
        up.GENUINE,
        "2",
    )
    assert rows["3"]["category"] not in ("", "none")
    assert (rows["4"]["status"], rows["4"]["original_class"]) == ("censored", up.SPEC_GATE_ARTIFACT)
    for name in ("models.md", "configurations.csv", "factors.md", "curves.csv", "skipped.csv", "summary.md"):
        assert (out / name).is_file(), name
    summary = (out / "summary.md").read_text()
    assert "## Per model" in summary and "| m:1b | fizzbuzz | 1 | 4 |" in summary
    # the logs are ordinary eval logs, written through the memo sandbox
    trials, _, _ = load_rows(out / "logs", progress=False)
    assert sorted(t["status"] for t in trials) == ["censored", "failed", "survived"]


def test_worker_processes_give_the_rows_one_process_gives(tmp_path: Path) -> None:
    raw = tmp_path / "data" / "raw"
    wrong = "def fizzbuzz(n):\n    return str(n)"
    _write_trial(raw, 1, [_cycle(i, FB_REF) for i in (1, 2, 3)], survived=True)
    _write_trial(raw, 2, [_cycle(1, FB_REF), _cycle(2, wrong, ok=False)], survived=False)
    _write_trial(raw, 1, [_cycle(i, FB_REF) for i in (1, 2, 3)], survived=True, lang="ja")
    lines, rows = {}, {}
    for workers in (1, 2):
        out = tmp_path / f"out{workers}"
        lines[workers] = run_rescore(tmp_path / "data", out, sandbox="local", progress=False, workers=workers)
        with (out / "trials.csv").open() as fh:
            rows[workers] = sorted(
                (r["language"], r["run"], r["status"], r["cycles_survived"], r["original_class"])
                for r in csv.DictReader(fh)
            )
        assert json.loads((out / "run.json").read_text())["workers"] == workers
    assert rows[1] == rows[2] and len(rows[1]) == 3
    assert "8 checks (2 run in 1 local sandboxes" in lines[1]
    assert "8 checks (3 run in 2 local sandboxes" in lines[2]  # each worker has its own memo
    assert (tmp_path / "out2" / "shards" / "worker-1.log").is_file()


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
    assert gate["original_class"] == up.SPEC_GATE_ARTIFACT, gate  # the row says why, if not
    assert gate["status"] == "censored" and gate["cycles_survived"] == "1", gate
    assert all(r["consistent"] == "True" for r in rows.values())
    # the logs are ordinary eval logs: the generic report reads them, censoring included
    trials, _, _ = load_rows(out / "logs", progress=False)
    assert sorted(t["status"] for t in trials) == sorted(r["status"] for r in rows.values())
    assert all(json.loads(t["settings_json"]).get("replayed") for t in trials)
    assert all(t["sandbox"] == "roundtrip-docker" for t in trials)
