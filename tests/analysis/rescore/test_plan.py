"""Planning a rescoring (rescore/plan.py): groups, N per batch, replay scripts, tasks."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from roundtrip_eval.analysis import upstream as up
from roundtrip_eval.analysis.rescore.plan import (
    build_task,
    group_of_log,
    plan_evals,
    plan_replays,
    replay_key,
    write_replay,
)
from roundtrip_eval.problems.load import list_problems

from ..upstream_trials import SYNTAX_STATUS, UPSTREAM, cycle, make_trial, passing


def test_batch_cycles_and_limit() -> None:
    trials = [make_trial(passing(10), survived=True, run=r) for r in (1, 2, 3)]
    assert up.batch_cycles(trials) == 10
    assert up.batch_cycles([make_trial([cycle(1, code=SYNTAX_STATUS)])]) == up.UPSTREAM_CYCLES
    [plan] = plan_evals(trials, limit=2)
    assert [t.run for t in plan.trials] == [1, 2] and plan.n_cycles == 10


def _trial(batch: str, language: str, run: int, cycles: int, survived: bool) -> up.UpstreamTrial:
    """A made-up trial of `cycles` cycles that survived, or failed at its last cycle."""
    recorded = passing(cycles) if survived else [*passing(cycles - 1), cycle(cycles, code=SYNTAX_STATUS)]
    return replace(make_trial(recorded, survived=survived, run=run), batch=batch, language=language)


def test_plans_have_named_groups_and_n_from_the_whole_batch() -> None:
    trials = [
        _trial("b30", "en", 2, 30, survived=True),
        _trial("b30", "en", 1, 4, survived=False),
        _trial("b30", "ja", 1, 2, survived=False),
        _trial("b03", "en", 1, 3, survived=True),
    ]
    plans = plan_evals(trials)
    assert [(p.group.batch, p.group.language, [t.run for t in p.trials], p.n_cycles) for p in plans] == [
        ("b03", "en", [1], 3),
        ("b30", "en", [1, 2], 30),
        ("b30", "ja", [1], 30),  # N comes from the batch's survivors, not from this group
    ]
    g = plans[1].group
    assert (g.model, g.spec_format, g.prompt_style, g.task) == ("m:1b", "pseudocode", "guided", "fizzbuzz")
    assert plans[1].slug == "b30__m-1b_en_pseudocode_guided_fizzbuzz"
    # --limit picks trials, never changes N: the ja trial alone still has the batch's 30
    [only] = plan_evals(trials[2:3] + trials[:1], limit=1)
    assert (only.group.language, only.n_cycles) == ("ja", 30)


def test_replay_script_and_task_of_one_plan(tmp_path: Path) -> None:
    failed = _trial("b", "en", 3, 2, survived=False)
    [plan] = plan_evals([failed, _trial("b", "en", 1, 3, survived=True)])
    path = write_replay(plan, tmp_path / "replay" / f"{plan.slug}.jsonl")
    header, *lines = path.read_text(encoding="utf-8").splitlines()
    assert header == "# replayed from the original study: b (2 runs)"
    records = [json.loads(line) for line in lines]
    assert [(r["sample"], r["epoch"], r["upstream_run"]) for r in records] == [
        ("fizzbuzz", 1, 1),
        ("fizzbuzz", 2, 3),
    ]
    assert records[0]["replies"] == up.replay_replies(plan.trials[0], 3)
    assert "stop" in records[1]["replies"][-1]  # the failed trial ends before N
    task = build_task(plan, path, "local")
    meta = task.metadata
    assert meta["replayed"] is True and meta["cycles"] == 3 and meta["extraction"] == "tolerant"
    assert meta["upstream"] == {
        "batch": "b",
        "model": "m:1b",
        "spec_format": "pseudocode",
        "prompt_style": "guided",
    }
    assert meta["upstream_trials"]["runs"] == [1, 3]
    assert task.name == "rescore_fizzbuzz"
    # the log's metadata names its plan again (run_evals matches logs to plans this way)
    assert group_of_log(meta) == plan.group


@pytest.mark.upstream
@pytest.mark.slow
def test_the_whole_published_dataset_plans_every_trial_once() -> None:
    if not (UPSTREAM / "raw").is_dir():
        pytest.skip(f"upstream data absent ({UPSTREAM.name} next to the repository)")
    trials = up.load_trials(UPSTREAM, list_problems())
    plans = plan_evals(trials)
    assert sum(len(p.trials) for p in plans) == len(trials)
    assert len({p.group for p in plans}) == len(plans)
    assert len({p.slug for p in plans}) == len(plans)  # one replay script per eval
    n_of = {p.group.batch: p.n_cycles for p in plans}
    for p in plans:
        assert all(t.group == p.group for t in p.trials)
        assert [t.run for t in p.trials] == sorted(t.run for t in p.trials)
        assert p.n_cycles == n_of[p.group.batch] >= max(len(t.cycles) for t in p.trials)


def test_each_distinct_replay_script_is_replayed_once() -> None:
    gate = [cycle(1, spec="FAIL: Generated spec did not match", code=None)]
    same_a = replace(make_trial(gate, run=1), batch="b1")
    same_b = replace(make_trial(gate, run=2), batch="b2", model_dir="other-7b")  # another batch and model
    other_language = replace(make_trial(gate, run=3), batch="b1", language="ja")
    survivor = replace(make_trial(passing(10), survived=True, run=4), batch="b1")
    plans, repeats = plan_replays([same_a, same_b, other_language, survivor])
    assert sorted(t.run for p in plans for t in p.trials) == [1, 3, 4]
    assert [(r.trial.run, r.replayed_as.run) for r in repeats] == [(2, 1)]
    assert replay_key(same_a, 10) == replay_key(same_b, 10) != replay_key(same_a, 3)
    # N still comes from each whole batch: b2 alone has no survivor, so 10 by default
    assert {p.group.batch: p.n_cycles for p in plans} == {"b1": 10}
