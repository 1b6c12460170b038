"""The metrics through a real eval: every trial counts under the task's epoch reducer, and each
metric reports under its own short name (no `roundtrip_eval/` prefix).

Two samples x three epochs; the hand-computed values are in each test.
"""

from __future__ import annotations

import math

import pytest
from inspect_ai.scorer import Score
from metric_epochs import run_metrics

from roundtrip_eval.eval.metrics import (
    consistency_curve,
    generalization_gap,
    peer_metrics,
    similarity_curve,
    survival_curve,
    trial_mean,
    trial_stderr,
)

SURVIVED = [
    [{"survived": 1}, {"survived": 0}, {"survived": 0}],
    [{"survived": 1}, {"survived": 1}, {"survived": 0}],
]


@pytest.mark.parametrize("reducer", ["mean", "mode", None])
def test_trial_mean_and_stderr_see_every_trial_whatever_the_reducer(reducer: str | None) -> None:
    values = run_metrics([trial_mean("survived"), trial_stderr("survived")], SURVIVED, reducer=reducer)
    # six trials 1,0,0,1,1,0: mean 1/2; sample sd = sqrt(1.5/5); stderr = sd / sqrt(6)
    assert values == {"mean": pytest.approx(0.5), "stderr": pytest.approx(math.sqrt(1.5 / 5) / math.sqrt(6))}


def test_trial_mean_takes_its_name_and_skips_trials_without_a_value() -> None:
    epochs = [[{"sim": 1.0}, {"sim": None}], [{"sim": 0.5}, {"sim": 0.0}]]
    assert run_metrics([trial_mean("sim", name="similarity")], epochs) == {"similarity": pytest.approx(0.5)}


def test_stderr_of_a_single_trial_is_zero_not_an_error() -> None:
    assert run_metrics([trial_stderr("survived")], [[{"survived": 1}]]) == {"stderr": 0.0}


def test_curves_are_in_cycle_order_and_average_trials() -> None:
    epochs = [
        [{f"survival@{i}": int(i <= 2) for i in range(1, 12)} | {"other": 3}],
        [{f"survival@{i}": int(i <= 10) for i in range(1, 12)} | {"other": 3}],
    ]
    values = run_metrics([survival_curve()], epochs)
    assert list(values) == [f"survival@{i}" for i in range(1, 12)]  # 10 after 9, not after 1
    assert values["survival@2"] == 1.0 and values["survival@3"] == 0.5 and values["survival@11"] == 0.0


def test_consistency_and_similarity_curves_read_their_own_keys() -> None:
    epochs = [
        [{"consistent@1": 1, "similarity@1": 0.8, "similarity@2": None}],
        [{"consistent@1": 0, "similarity@1": 0.6, "similarity@2": 0.4}],
    ]
    assert run_metrics([consistency_curve()], epochs) == {"consistent@1": 0.5}
    values = run_metrics([similarity_curve()], epochs)
    assert values == {"similarity@1": pytest.approx(0.7), "similarity@2": pytest.approx(0.4)}


def test_peer_metrics_by_hand() -> None:
    # N = 4 cycles; loops 4, 2, 0, 3 -> ASL = (16 + 4 + 0 + 9) / (4 trials x 4) = 29/16.
    # n = min(5, 4) = 4: consistent runs 4, 2, 0, 3 -> SC_4 = 1/4; strong runs the same.
    runs = [(4, 4, 4), (2, 2, 2), (0, 0, 0), (3, 3, 3)]
    epochs = [[{"loops": a, "consistent_run": b, "strong_run": c, "max_loops": 4}] for a, b, c in runs]
    assert run_metrics([peer_metrics()], epochs) == {
        "asl": pytest.approx(29 / 16),
        "sc_4": pytest.approx(0.25),
        "ssc_4": pytest.approx(0.25),
    }


def _survived(k: int, n: int) -> Score:
    """A `generalization` score: survived all n cycles or not, cycles survived in the metadata."""
    return Score(value=int(k >= n), metadata={"cycles_survived": k, "n_cycles": n})


def test_generalization_gap_sees_every_trial() -> None:
    # N = 3. known: 3 and 1 cycles survived (mean 2), novel: 0 and 2 (mean 1): gap 1.
    # survival@3: known 1/2, novel 0/2; Fisher [[1, 1], [0, 2]]: both tables weigh 3/6, p = 1.
    epochs = [[_survived(3, 3), _survived(1, 3)], [_survived(0, 3), _survived(2, 3)]]
    meta = [{"familiarity": "known", "pair": "p"}, {"familiarity": "novel", "pair": "p"}]
    values = run_metrics([generalization_gap()], epochs, metadata=meta)
    assert values["known_cycles"] == 2.0 and values["novel_cycles"] == 1.0 and values["gap"] == 1.0
    assert values["known_survival@3"] == 0.5 and values["novel_survival@3"] == 0.0
    assert values["gap@3"] == 0.5 and values["fisher_p"] == pytest.approx(1.0)
    assert values["known_survival"] == 0.5 and values["novel_survival"] == 0.0
    assert values["p.gap"] == 1.0 and values["p.low"] <= 1.0 <= values["p.high"]


def test_generalization_gap_reads_scores_without_metadata_as_survival_at_n() -> None:
    # an older log's scores carry only survived-all-N (0/1): the gap is the survival@N gap
    epochs = [[1, 1], [0, 1]]
    meta = [{"familiarity": "known", "pair": "p"}, {"familiarity": "novel", "pair": "p"}]
    values = run_metrics([generalization_gap()], epochs, metadata=meta)
    assert values["known_survival"] == 1.0 and values["novel_survival"] == 0.5 and values["gap"] == 0.5
    assert values["p.gap"] == 0.5 and 0 < values["fisher_p"] <= 1


def test_no_metric_name_carries_the_package_prefix() -> None:
    values = run_metrics(
        [trial_mean("survived"), trial_stderr("survived"), trial_mean("survived", name="cycles")], SURVIVED
    )
    assert list(values) == ["mean", "stderr", "cycles"]
