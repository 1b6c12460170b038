"""`roundtrip-eval blame LOGDIR`: probes for a log run without blame, resumable, read by report."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from inspect_ai import eval as inspect_eval
from replay_scripts import fenced, spec, surviving, trial, write

from roundtrip_eval.analysis.blame_logs import BlameError, blame_logs, read_verdicts, verdicts_path
from roundtrip_eval.analysis.read import load_rows
from roundtrip_eval.eval.record import Trial
from roundtrip_eval.eval.tasks import roundtrip
from roundtrip_eval.problems.load import load_problem

FIZZ = load_problem("fizzbuzz").reference
ZERO = FIZZ.replace("if n % 15 == 0:", "if n % 15 == 0 and n != 0:")
GOOD, BAD = fenced(FIZZ), fenced(ZERO)


@pytest.fixture
def failed_log(tmp_path: Path) -> Path:
    """A log of 4 trials run without blame: failed at cycle 2, at cycle 1, a spec_failure, survived.

    The replay file also scripts the probes, keyed by the probe samples' ids (`<sample>/<epoch>`),
    so the command runs on the model the log names."""
    script = write(tmp_path / "replay.jsonl", {
        ("fizzbuzz", 1): trial("x", [FIZZ, ZERO]),
        ("fizzbuzz", 2): trial("x", [ZERO]),
        ("fizzbuzz", 3): [GOOD],  # g answers with the code itself: spec_failure at cycle 1
        ("fizzbuzz", 4): surviving("fizzbuzz", 3),
        ("fizzbuzz/1", 1): [GOOD] * 3 + [GOOD] * 3,  # F 3/3, E 3/3 -> f
        # F 0/3, G 3/3 -> g; twice: the resume below probes it again, and Inspect keeps one
        # replay model per process, so its replies go on where the first run left them
        ("fizzbuzz/2", 1): ([BAD] * 3 + [spec(9), GOOD] * 3) * 2,
    })  # fmt: skip
    task = roundtrip(problems="fizzbuzz", sandbox="local", epochs=4, cycles=3)
    [log] = inspect_eval(task, model=f"replay/{script}", log_dir=str(tmp_path / "logs"), display="none")
    assert log.status == "success", log.error
    return tmp_path / "logs"


def test_blame_command_writes_resumes_and_report_reads(failed_log: Path, tmp_path: Path) -> None:
    """The probe task's last solver, `_append_to`, writes each verdict line as its trial ends:
    the lines below are its output (and what the resume reads)."""
    counts = blame_logs(failed_log, k=3, display="none", probe_log_dir=tmp_path / "probes")
    assert counts == {"probed": 2, "already": 0, "skipped": 1, "errors": 0, "logs": 1}
    [log_path] = failed_log.glob("*.eval")
    written = [json.loads(line) for line in verdicts_path(log_path).read_text().splitlines()]
    assert {(w["epoch"], w["model"].startswith("replay/"), w["k"]) for w in written if "rule" in w} == {
        (1, True, 3), (2, True, 3)}, "one line per probed trial, from _append_to"
    verdicts = read_verdicts(log_path)
    assert {key: r.verdict for key, r in verdicts.items()} == {
        ("fizzbuzz", 1): "f", ("fizzbuzz", 2): "g", ("fizzbuzz", 3): "none"}
    probed = verdicts[("fizzbuzz", 2)].record()
    assert probed is not None and probed.fresh_pass_rate == 1.0 and probed.cycle == 1
    assert str(verdicts[("fizzbuzz", 1)].model).startswith("replay/") and verdicts[("fizzbuzz", 1)].k == 3
    assert "spec_failure" in str(verdicts[("fizzbuzz", 3)].reason)
    assert verdicts[("fizzbuzz", 3)].record() is None
    assert list((tmp_path / "probes").glob("*.eval")), "the probes' own log is kept where asked"
    assert not list(failed_log.glob("*blame_probes*")), "and never inside LOGDIR"

    # resume: nothing left to do; a trial whose line was lost (interrupted) is probed again
    assert blame_logs(failed_log, k=3, display="none")["probed"] == 0
    lines = verdicts_path(log_path).read_text().splitlines()
    verdicts_path(log_path).write_text("\n".join(line for line in lines if '"epoch": 2' not in line)
                                       + '\n{"sample_id": "fizz')  # a torn last line
    again = blame_logs(failed_log, k=3, display="none")
    assert again["probed"] == 1 and again["already"] == 2
    assert read_verdicts(log_path)[("fizzbuzz", 2)].verdict == "g"

    trials, _cycles, _warnings = load_rows(failed_log, progress=False)
    # report and export show what the score shows: no step named (blame.ATTRIBUTES is False)
    shown = {(t["epoch"]): t["blame"] for t in trials}
    assert shown == {1: "unattributed", 2: "unattributed", 3: "none", 4: None}

    with pytest.raises(BlameError, match="holds verdicts by replay/.* with k=3, not other/model with k=3"):
        blame_logs(failed_log, k=3, judge="other/model", display="none")


def test_blame_command_refuses_bad_input(tmp_path: Path) -> None:
    with pytest.raises(BlameError, match="no .eval logs"):
        blame_logs(tmp_path, display="none")
    with pytest.raises(BlameError, match="k >= 1"):
        blame_logs(tmp_path, k=0, display="none")


def test_verdict_lines_are_json_per_trial(failed_log: Path) -> None:
    blame_logs(failed_log, k=3, display="none")
    [log_path] = failed_log.glob("*.eval")
    for line in verdicts_path(log_path).read_text().splitlines():
        record = json.loads(line)
        assert {"sample_id", "epoch", "verdict", "reason", "model", "k"} <= set(record)


def test_blame_command_reuses_the_tries_of_an_in_log_record(tmp_path: Path) -> None:
    # run with -T blame=2: the record holds F and G; the command then needs no generation at
    # all (the replay file has no line for the probe samples, so any generation would error)
    script = write(tmp_path / "replay.jsonl",
                   {("fizzbuzz", 1): trial("x", [ZERO]) + [BAD] * 2 + [spec(9), GOOD] * 2})  # fmt: skip
    task = roundtrip(problems="fizzbuzz", sandbox="local", epochs=1, cycles=2, blame=2)
    [log] = inspect_eval(task, model=f"replay/{script}", log_dir=str(tmp_path / "logs"), display="none")
    assert log.status == "success", log.error
    assert blame_logs(tmp_path / "logs", k=2, display="none")["probed"] == 1
    [log_path] = (tmp_path / "logs").glob("*.eval")
    record = read_verdicts(log_path)[("fizzbuzz", 1)].record()
    in_log = Trial.read(log.samples[0].store if log.samples else None).blame
    assert record is not None and in_log is not None
    assert record.verdict == "g" and record.reused_tries == 4
    assert record.from_spec == in_log.from_spec


def test_known_tries_of_a_record_of_the_old_rule() -> None:
    from roundtrip_eval.eval.blame import known_tries

    old = {"cycle": 1, "k": 2, "model": "same as the run", "verdict": "both",
           "from_spec_pass_rate": 0.0, "fresh_pass_rate": 0.5,
           "from_spec": [{"passed": False, "category": "semantic", "detail": "d"}] * 2,
           "fresh": [{"passed": False, "category": "spec_failure", "spec": None},
                     {"passed": True, "category": "none", "detail": "ok", "spec": "s"}]}  # fmt: skip
    record = Trial.read({"blame": old}).blame  # an old log's record loads as it is
    known = known_tries(record, 3)
    assert sorted(known) == ["blame_f0", "blame_f1", "blame_g0", "blame_g1", "blame_gf1"]
    assert known["blame_g0"].spec is None and known["blame_gf1"].passed is True
    assert known_tries(record, 1).keys() == {"blame_f0", "blame_g0"}
    assert known_tries(None, 3) == {}


def test_blame_cli_refuses_in_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from roundtrip_eval.cli import main

    assert main(["blame", str(tmp_path), "-k", "0"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("roundtrip-eval: -k 0 refused") and "\n" not in err
