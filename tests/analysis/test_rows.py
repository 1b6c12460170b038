"""One Inspect log -> rows (rows.py) and the row model (columns.py): the trial outcome rules,
configurations, step matching, and that every extracted row has exactly the declared columns."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from roundtrip_eval.analysis.columns import CONFIG_COLUMNS, CYCLE_TYPES, TRIAL_TYPES, dumps
from roundtrip_eval.analysis.read import load_rows
from roundtrip_eval.analysis.rows import _match_steps, config_key, config_label, config_of, trial_outcome
from roundtrip_eval.eval.record import Cycle

from .scripted_logs import FB, SV

PYTHON_TYPES: dict[str, tuple[type, ...]] = {
    "str": (str,),
    "int": (int,),
    "float": (float, int),
    "bool": (bool,),
}


def record(cycle: int, passed: bool, category: str = "none", **extra: Any) -> Cycle:
    return Cycle(cycle=cycle, passed=passed, category=category, detail=f"d{cycle}", **extra)


def test_trial_outcome_rules() -> None:
    survived = trial_outcome([record(1, True), record(2, True)], 2, errored=False)
    assert (survived["status"], survived["cycles_survived"], survived["survived"]) == ("survived", 2, True)
    assert survived["drift"] == "none" and survived["first_failure_cycle"] is None
    failed = trial_outcome([record(1, True), record(2, False, "return_type")], 5, errored=False)
    assert (failed["status"], failed["cycles_survived"], failed["failed"]) == ("failed", 1, True)
    assert (failed["first_failure_cycle"], failed["drift"], failed["drift_detail"]) == (
        2,
        "return_type",
        "d2",
    )
    censored = trial_outcome([record(1, True)], 3, errored=False)
    assert (censored["status"], censored["censored"], censored["failed"]) == ("censored", True, False)
    assert censored["cycles_recorded"] == 1
    errored = trial_outcome([record(1, False, "semantic")], 3, errored=True)
    assert (errored["status"], errored["failed"], errored["drift"]) == ("error", False, None)


def test_configurations_leave_out_replicate_settings_only() -> None:
    settings = {"language": "en", "cycles": 3, "seed": 7, "problems": ["a"], "epochs": 5, "temperature": 0.7}
    config = config_of(settings, {"temperature": 0.2})
    assert config == {"language": "en", "cycles": 3, "temperature": 0.7, "gen_temperature": 0.2}
    assert config_key(config) == config_key(dict(reversed(list(config.items()))))  # order-free
    assert config_key(config_of({**settings, "seed": 8}, {"temperature": 0.2})) == config_key(config)
    assert config_key(config_of(settings, {"temperature": 0.3})) != config_key(config)
    assert len(config_key(config)) == 10
    live = config_label({**settings, "spec_format": "pseudocode", "extraction": "tolerant"}, {})
    assert live == "en/pseudocode/tolerant N=3 T=0.7 prompts=?"
    replay = config_label({"replayed": True, "upstream": {"batch": "b1"}, "mask_names": True}, {})
    assert replay == "?/?/? N=? replay of b1 mask_names=True"


def _event(seed: int | None, name: str) -> Any:
    return SimpleNamespace(config=SimpleNamespace(seed=seed), name=name)


def test_steps_are_matched_by_seed_so_a_retry_does_not_shift_later_cycles() -> None:
    history = [Cycle(cycle=1, seeds={"g": 11, "f": 12}), Cycle(cycle=2, seeds={"g": 21, "f": 22})]
    events = [
        _event(11, "g1"),
        _event(12, "f1 empty"),
        _event(12, "f1 retry"),
        _event(21, "g2"),
        _event(22, "f2"),
    ]
    steps = _match_steps(history, events)
    assert [(s["g"].name, s["f"].name) for s in steps] == [("g1", "f1 retry"), ("g2", "f2")]
    assert [(s["g_attempts"], s["f_attempts"]) for s in steps] == [(1, 2), (1, 1)]
    # without recorded seeds: order g, f, g, f
    events = [_event(None, n) for n in ("g1", "f1", "g2", "f2")]
    plain = _match_steps([Cycle(cycle=1), Cycle(cycle=2)], events)
    assert [(s["g"].name, s["f"].name) for s in plain] == [("g1", "f1"), ("g2", "f2")]


def _declared(value: Any, kind: str) -> bool:
    if value is None or kind == "json":
        return True
    if kind == "str" and isinstance(value, str):
        return True
    return isinstance(value, PYTHON_TYPES[kind]) and not (
        kind in ("int", "float") and isinstance(value, bool)
    )


def test_rows_of_a_log_have_exactly_the_declared_columns_and_types(logdir: Path) -> None:
    trials, cycles, _ = load_rows(logdir, progress=False)
    assert len(trials) == 10 and len(cycles) == sum(t["cycles_recorded"] for t in trials)
    for t in trials:
        assert set(t) == set(TRIAL_TYPES)
        assert all(_declared(t[c], kind) for c, kind in TRIAL_TYPES.items()), t["sample_id"]
        assert json.loads(t["settings_json"])["cycles"] == t["n_cycles"] == 3
        assert all(c in json.loads(t["settings_json"]) for c in CONFIG_COLUMNS if t[c] is not None)
    for c in cycles:
        assert set(c) == set(CYCLE_TYPES)
        assert all(_declared(c[k], kind) for k, kind in CYCLE_TYPES.items())
    statuses = sorted((t["problem"], t["epoch"], t["status"]) for t in trials)
    assert statuses == [
        (FB, 1, "survived"),
        (FB, 2, "failed"),
        (FB, 3, "survived"),
        (FB, 4, "failed"),
        (FB, 5, "censored"),
        (SV, 1, "failed"),
        (SV, 2, "survived"),
        (SV, 3, "failed"),
        (SV, 4, "error"),
        (SV, 5, "survived"),
    ]


def test_dumps_is_canonical() -> None:
    assert dumps({"b": 1, "a": [1, "é"]}) == '{"a": [1, "é"], "b": 1}'
    assert dumps({"p": Path("x")}) == '{"p": "x"}'
    with pytest.raises(TypeError):
        dumps({1: 1, "a": 2})  # mixed key types cannot be sorted: never silently reordered


MASKED_LOG_DIR = Path(__file__).resolve().parents[2] / "logs" / "results" / "gap-0.5b-masked"


def _committed_masked_log() -> Any:
    from inspect_ai.log import read_eval_log

    logs = [read_eval_log(str(p)) for p in sorted(MASKED_LOG_DIR.glob("*.eval"))]
    complete = [log for log in logs if log.status == "success"]
    if not complete:
        pytest.skip("the committed 0.5B masked eval-set is not in this checkout")
    return complete[0]


def test_cycle_history_from_store_events_matches_the_store() -> None:
    """Where the final store is gone, the last store event gives the same records, resolved."""
    from roundtrip_eval.analysis.rows import cycle_history

    log = _committed_masked_log()
    compared = 0
    for sample in log.samples or []:
        if not (sample.store or {}).get("cycles"):
            continue
        stripped = sample.model_copy(update={"store": {}})
        assert cycle_history(stripped) == cycle_history(sample), (sample.id, sample.epoch)
        compared += 1
    assert compared >= 100
    assert not any("attachment://" in json.dumps(r.stored()) for r in cycle_history(stripped))


def test_a_sample_with_a_lost_store_keeps_its_failure() -> None:
    """turnstile epoch 1 in the committed log lost its final store; its scores say it failed at 2."""
    from roundtrip_eval.analysis.rows import sample_rows

    log = _committed_masked_log()
    sample = next(s for s in log.samples or [] if s.id == "turnstile" and s.epoch == 1)
    assert not (sample.store or {}).get("cycles")  # the loss this guards against
    trial, cycles = sample_rows(log, sample, "log")
    survival = sample.scores["survival"].value
    assert (trial["status"], trial["cycles_survived"]) == ("failed", survival["cycles_survived"])
    assert (trial["first_failure_cycle"], trial["drift"]) == (2, sample.scores["drift"].value)
    assert len(cycles) == 2
