"""Whole trials through `inspect_ai.eval()` with the offline replay model.

Scripted candidates are our own literals, so these run in the `local` sandbox; the same
flows against Docker are in tests/sandbox/ / test_hostile.py.
"""

from pathlib import Path

import pytest
from inspect_ai import eval as inspect_eval
from inspect_ai.log import EvalLog
from replay_scripts import spec, surviving, trial, write

from roundtrip_eval.eval.tasks import fizzbuzz, roundtrip
from roundtrip_eval.problems.load import load_problem

REF = load_problem("fizzbuzz").reference
STR_N = REF.replace("return n", "return str(n)")
HOSTILE = (  # prints a fake pass and exits 0 on its first call, before any result is reported
    "import os\ndef fizzbuzz(n):\n    print('SUCCESS: all tests passed')\n    os._exit(0)\n"
)


def metrics(log: EvalLog) -> dict[str, float]:
    assert log.results is not None
    out = {}
    for score in log.results.scores:
        for name, metric in score.metrics.items():
            out[f"{score.name}/{name.split('/')[-1]}"] = metric.value
    return out


@pytest.fixture(scope="module")
def mixed_log(tmp_path_factory: pytest.TempPathFactory) -> EvalLog:
    tmp = tmp_path_factory.mktemp("e2e")
    script = write(
        tmp / "replay.jsonl",
        {
            ("fizzbuzz", 1): surviving("fizzbuzz", 10),
            ("fizzbuzz", 2): trial("fizzbuzz", [REF, REF, STR_N]),
            ("fizzbuzz", 3): trial("fizzbuzz", ["Sorry, I cannot write that."]),
            ("fizzbuzz", 4): trial("fizzbuzz", [REF, HOSTILE]),
            ("fizzbuzz", 5): trial("fizzbuzz", [REF, REF]) + [spec(3), {"error": "connection reset"}],
        },
    )
    task = fizzbuzz(sandbox="local", epochs=5, temperature=0.0, seed=3)
    [log] = inspect_eval(
        task, model=f"replay/{script}", log_dir=str(tmp / "logs"), display="none",
        fail_on_error=False, max_samples=1,
    )
    return log


def test_exact_metrics(mixed_log: EvalLog) -> None:
    m = metrics(mixed_log)
    # Scored trials: survived 10 / failed at 3 / extraction at 1 / crash at 2. Epoch 5 errored.
    assert m["survival/mean"] == pytest.approx(0.25)
    assert m["survival/stderr"] == pytest.approx(0.25)
    assert m["survival/cycles_survived"] == pytest.approx((10 + 2 + 0 + 1) / 4)
    assert m["curves/survival@1"] == pytest.approx(0.75)
    assert m["curves/survival@2"] == pytest.approx(0.5)
    for k in range(3, 11):
        assert m[f"curves/survival@{k}"] == pytest.approx(0.25)
    assert m["drift/none"] == pytest.approx(0.25)
    assert m["drift/return_type"] == pytest.approx(0.25)
    assert m["drift/extraction"] == pytest.approx(0.25)
    assert m["drift/crash"] == pytest.approx(0.25)
    assert m["drift/semantic"] == 0.0


def samples_by_epoch(log: EvalLog) -> dict:
    assert log.samples is not None
    return {s.epoch: s for s in log.samples}


def test_surviving_trial_has_ten_cycle_spans_and_history(mixed_log: EvalLog) -> None:
    sample = samples_by_epoch(mixed_log)[1]
    spans = [e.name for e in sample.events if e.event == "span_begin" and e.type == "roundtrip"]
    assert spans == [f"cycle {i}" for i in range(1, 11)]
    history = sample.store["cycles"]
    assert [c["cycle"] for c in history] == list(range(1, 11))
    for c in history:
        assert {"cycle", "spec", "code", "extraction_rule", "passed", "category", "seconds"} <= set(c)
        assert c["passed"] and c["category"] == "none" and c["extraction_rule"] == "fence"
    assert sample.scores["survival"].value == {"survived": 1, "cycles_survived": 10}
    curves = sample.scores["curves"].value  # each number once: the curve is the curves scorer's
    assert {k: v for k, v in curves.items() if k.startswith("survival@")} == {
        f"survival@{i}": 1 for i in range(1, 11)
    }


def test_failing_trials_record_category_and_evidence(mixed_log: EvalLog) -> None:
    by_epoch = samples_by_epoch(mixed_log)
    rt = by_epoch[2]
    assert [c["passed"] for c in rt.store["cycles"]] == [True, True, False]
    assert rt.scores["drift"].value == "return_type"
    assert "fizzbuzz(1) expected 1 (int), got '1' (str)" in rt.scores["drift"].explanation
    assert rt.scores["survival"].value["cycles_survived"] == 2
    ex = by_epoch[3]
    assert ex.store["cycles"][0]["category"] == "extraction"
    assert ex.scores["drift"].value == "extraction"
    hostile = by_epoch[4]
    assert hostile.scores["drift"].value == "crash"
    assert not hostile.store["cycles"][1]["passed"]


def test_infrastructure_error_is_not_scored_and_keeps_completed_cycles(mixed_log: EvalLog) -> None:
    errored = samples_by_epoch(mixed_log)[5]
    assert errored.error is not None and "connection reset" in errored.error.message
    assert not errored.scores
    assert [c["passed"] for c in errored.store["cycles"]] == [True, True]


def test_settings_and_seeds_are_logged(mixed_log: EvalLog) -> None:
    meta = mixed_log.eval.metadata or {}
    for key in ("cycles", "language", "spec_format", "extraction", "sandbox", "seed",
                "temperature", "max_tokens", "prompt_set_version"):
        assert key in meta
    assert mixed_log.plan.config.temperature == 0.0
    assert mixed_log.plan.config.max_tokens == meta["max_tokens"]
    seeds = [c["seeds"] for c in samples_by_epoch(mixed_log)[1].store["cycles"]]
    assert len({s["g"] for s in seeds} | {s["f"] for s in seeds}) == 20
    model_events = [e for e in samples_by_epoch(mixed_log)[1].events if e.event == "model"]
    assert [e.config.seed for e in model_events] == [s[k] for s in seeds for k in ("g", "f")]


def test_f_never_sees_c0(mixed_log: EvalLog) -> None:
    events = [e for e in samples_by_epoch(mixed_log)[1].events if e.event == "model"]
    for g_event, f_event in zip(events[::2], events[1::2], strict=True):
        assert len(f_event.input) == 1 and len(g_event.input) == 1
        assert "def fizzbuzz" not in f_event.input[0].text


def test_empty_transport_replies_error_after_bounded_retries(tmp_path: Path) -> None:
    script = write(tmp_path / "r.jsonl", {("fizzbuzz", 1): [{"empty": True}] * 3})
    [log] = inspect_eval(
        fizzbuzz(sandbox="local", epochs=1, cycles=2), model=f"replay/{script}",
        log_dir=str(tmp_path), display="none", fail_on_error=False,
    )
    [sample] = log.samples or []
    assert sample.error is not None and "empty response 3 times" in sample.error.message


def test_roundtrip_suite_runs_chosen_problems(tmp_path: Path) -> None:
    script = write(
        tmp_path / "r.jsonl",
        {("get_magic_number", "*"): surviving("get_magic_number", 2),
         ("separate_vowels_and_consonants", "*"): surviving("separate_vowels_and_consonants", 2)},
    )
    task = roundtrip(problems="get_magic_number,separate_vowels_and_consonants", cycles=2,
                     epochs=2, sandbox="local")
    [log] = inspect_eval(task, model=f"replay/{script}", log_dir=str(tmp_path), display="none")
    assert log.status == "success"
    assert metrics(log)["survival/mean"] == 1.0
    assert sorted({s.id for s in log.samples or []}) == [
        "get_magic_number", "separate_vowels_and_consonants"]


def test_bad_parameters_fail_fast() -> None:
    with pytest.raises(ValueError, match="language"):
        fizzbuzz(language="fr", sandbox="local")
    with pytest.raises(ValueError, match="unknown problem"):
        roundtrip(problems="nope", sandbox="local")
