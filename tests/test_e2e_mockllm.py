"""One end-to-end run per task on Inspect's `mockllm/model`, the shape the registry expects.

The mock plays a perfectly stable model: asked for a spec (g), it names the function it was
shown; asked for code (f), it answers with that problem's reference. So every trial of every
task must survive, and every metric takes its ceiling value. Every output carries `usage`, so
mockllm never counts tokens itself (which would need a download). The candidates are our own
references, so these run in the `local` sandbox. Scripted failures are in test_e2e.py (replay).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from inspect_ai import eval as inspect_eval
from inspect_ai.model import ChatMessage, GenerateConfig, ModelOutput, ModelUsage

import roundtrip_eval
from roundtrip_eval.problems.load import list_problems, load_problem

SPEC_MARK = "SPEC-OF"
REFERENCES = {(p := load_problem(name)).function: p.reference for name in list_problems()}
CYCLES = {"roundtrip": 1, "generalization_gap": 1}  # 32 and 30 problems; the others: 2 cycles


def stable_model(
    input: list[ChatMessage], tools: Any, tool_choice: Any, config: GenerateConfig
) -> ModelOutput:
    """g: a spec naming the function in the code shown; f: that function's reference."""
    prompt = input[-1].text
    if marked := re.search(rf"{SPEC_MARK} (\w+)", prompt):
        text = f"```python\n{REFERENCES[marked.group(1)].rstrip()}\n```"
    else:
        function = re.findall(r"def (\w+)\(", prompt)[-1]
        text = f"{SPEC_MARK} {function}: the function exactly as shown, same name, parameters, behaviour."
    output = ModelOutput.from_content(model="mockllm", content=text)
    output.usage = ModelUsage(input_tokens=len(prompt) // 4 + 1, output_tokens=len(text) // 4 + 1)
    return output


@pytest.mark.parametrize("name", roundtrip_eval.TASKS)
def test_every_task_runs_end_to_end_on_mockllm(name: str, tmp_path: Path) -> None:
    cycles = CYCLES.get(name, 2)
    task = getattr(roundtrip_eval, name)(sandbox="local", cycles=cycles, epochs=1, temperature=0.0)
    [log] = inspect_eval(
        task,
        model="mockllm/model",
        model_args={"custom_outputs": stable_model},
        log_dir=str(tmp_path),
        display="none",
    )
    assert log.status == "success", log.error
    assert log.results is not None
    metrics = {s.name: {k: m.value for k, m in s.metrics.items()} for s in log.results.scores}
    assert metrics["survival"]["mean"] == 1.0 and metrics["survival"]["cycles_survived"] == cycles
    assert metrics["drift"]["none"] == 1.0
    n = min(5, cycles)
    assert metrics["peers"] == {"asl": cycles, f"sc_{n}": 1.0, f"ssc_{n}": 1.0}
    samples = log.samples or []
    assert len(samples) == len(task.dataset) and samples
    assert {s.scores["survival"].answer for s in samples if s.scores} == {f"survived {cycles}/{cycles}"}
    if name == "generalization_gap":
        assert metrics["generalization"]["gap"] == 0.0
