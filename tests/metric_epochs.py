"""Run metrics the way an eval does: per-epoch scores, Inspect's epoch handling, then the metrics.

Why: a metric receives what Inspect hands it after epochs, not what a unit test builds by hand.
Ours declare `scores="unreduced"` (every trial counts), so under the task's `mean` reducer they
must still see one score per sample x epoch. These helpers run a real `eval()` whose scorer
replays a table of per-epoch scores; no model is called (the plan has no generate step), so it
runs offline. (The inspect_evals template ships a helper of this name; this is our own.)
"""

from __future__ import annotations

import tempfile
from collections.abc import Mapping, Sequence
from typing import Any

from inspect_ai import Epochs, Task
from inspect_ai import eval as inspect_eval
from inspect_ai.dataset import MemoryDataset, Sample
from inspect_ai.scorer import Metric, Score, Scorer, Target, Value, scorer
from inspect_ai.solver import TaskState

REPLAY_SCORER = "epoch_replay"


def run_metrics(
    metrics: Sequence[Metric],
    epochs: Sequence[Sequence[Value | Score]],
    *,
    reducer: str | None = "mean",
    metadata: Sequence[Mapping[str, Any]] | None = None,
) -> dict[str, float]:
    """Each metric's logged values by key, for samples scored `epochs[i][e]` in epoch e + 1
    (a value, or a whole `Score` when the metric reads the score's metadata too)."""
    counts = {len(sample) for sample in epochs}
    assert len(counts) == 1 and 0 not in counts, f"every sample needs the same epochs: {counts}"
    table = {f"s{i}": list(sample) for i, sample in enumerate(epochs)}
    samples = [
        Sample(id=sid, input="-", metadata=dict(metadata[i]) if metadata else None)
        for i, sid in enumerate(table)
    ]
    task = Task(
        dataset=MemoryDataset(samples),
        solver=[],
        scorer=_replay(table, list(metrics)),
        epochs=Epochs(counts.pop(), [] if reducer is None else reducer),
    )
    with tempfile.TemporaryDirectory() as log_dir:
        [log] = inspect_eval(task, model="mockllm/model", display="none", log_dir=log_dir)
    assert log.status == "success", log.error
    assert log.results is not None
    return {name: metric.value for score in log.results.scores for name, metric in score.metrics.items()}


def _replay(table: Mapping[str, Sequence[Value | Score]], metrics: list[Metric]) -> Scorer:
    @scorer(metrics=metrics, name=REPLAY_SCORER)
    def epoch_replay() -> Scorer:
        async def score(state: TaskState, target: Target) -> Score:
            entry = table[str(state.sample_id)][state.epoch - 1]
            return entry if isinstance(entry, Score) else Score(value=entry)

        return score

    return epoch_replay()
