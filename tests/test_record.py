"""The trial's record (eval/record.py): today's logs load through it unchanged, and what the
solver stores has exactly the keys a log had before the model existed."""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path

import pytest
from inspect_ai.log import read_eval_log

from roundtrip_eval.check.host import CheckResult
from roundtrip_eval.eval.record import CheckRecord, Trial

ROOT = Path(__file__).resolve().parents[1]
LOGS = [
    next((ROOT / "logs" / "results" / "gap-1.5b").glob("*.eval"), None),
    next((ROOT / "studies" / "data" / "own_logs").rglob("*.eval"), None),
]


@pytest.mark.parametrize("path", LOGS, ids=["logs/results", "studies/data/own_logs"])
def test_committed_logs_read_through_the_model_unchanged(path: Path | None) -> None:
    if path is None:
        pytest.skip("no committed log in this checkout")
    log = read_eval_log(str(path), resolve_attachments=True)
    read = 0
    for sample in log.samples or []:
        stored = (sample.store or {}).get("cycles") or []
        trial = Trial.read(sample.store)
        assert len(trial.cycles) == len(stored)
        # nothing lost, nothing added: the model's stored form is the log's record, key for key
        assert Trial.stored_cycles(trial.cycles) == stored
        assert all(c.cycle == i for i, c in enumerate(trial.cycles, start=1))
        read += len(stored)
    assert read > 0


def test_check_record_has_the_fields_of_the_hosts_check_result() -> None:
    assert list(CheckRecord.model_fields) == [f.name for f in fields(CheckResult)]


def test_unknown_keys_are_kept_and_missing_ones_read_as_unset() -> None:
    trial = Trial.read({"cycles": [{"cycle": 1, "passed": True, "later_key": [1]}]})
    [cycle] = trial.cycles
    assert cycle.extra() == {"later_key": [1]}
    assert cycle.stored() == {"cycle": 1, "passed": True, "later_key": [1]}
    assert cycle.consistent is None and trial.cycles_survived() == 1 and trial.first_failure() is None
    assert Trial.read(None).cycles == [] and Trial.read({}).blame is None


BLAMED = sorted(p.with_name(p.name.removesuffix(".blame.jsonl") + ".eval")
                for p in (ROOT / "studies" / "data" / "own_logs").rglob("*.blame.jsonl"))


@pytest.mark.parametrize("path", BLAMED or [None])
def test_blame_records_of_both_rules_read_through_the_model_unchanged(path: Path | None) -> None:
    """A `-T blame=k` record of the old rule (in a log) and the written rule's records (in the
    `.blame.jsonl` beside it, when `roundtrip-eval blame` ran) load as `Blame`, key for key."""
    from roundtrip_eval.analysis.blame_logs import read_verdicts

    if path is None:
        pytest.skip("no committed log in this checkout")
    log = read_eval_log(str(path), resolve_attachments=True)
    records = [s.store["blame"] for s in log.samples or [] if (s.store or {}).get("blame")]
    for record in records:
        blame = Trial.read({"blame": record}).blame
        assert blame is not None and blame.stored() == record
    written = [w for w in read_verdicts(path).values() if w.verdict != "none"]
    for line in written:
        blame = line.record()
        assert blame is not None and blame.rule is not None and blame.reason is not None
        assert blame.verdict in ("f", "g", "both", "unclear")
    assert written, "a committed blamed log holds the written rule's verdicts"
    if "fresh" not in path.parent.name:  # the fresh blind set ran without -T blame
        assert records, "the committed blamed log holds old-rule records too"
