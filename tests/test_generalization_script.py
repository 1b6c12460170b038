"""scripts/generalization.py: the pre-registered headline quantities, on a scripted run.

The scripted model keeps every known problem's code correct for all 3 cycles and breaks every
novel problem's code at cycle 2, so the numbers are known in advance: mean cycles survived 3
(known) and 1 (novel), survival@3 4/4 against 0/4 (Fisher's two-sided p = 1/35 * 2 = 0.0286).
"""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path
from typing import Any

import pytest
from inspect_ai import eval as inspect_eval
from inspect_ai.model import ChatMessage, GenerateConfig, ModelOutput, ModelUsage

import roundtrip_eval
from roundtrip_eval.problems import list_problems, load_problem

ROOT = Path(__file__).resolve().parents[1]
PROBLEMS = {(p := load_problem(name)).function: p for name in list_problems()}


def _script() -> Any:
    path = ROOT / "scripts" / "generalization.py"
    spec = importlib.util.spec_from_file_location("generalization_script", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def novel_breaks_at_cycle_2(
    input: list[ChatMessage], tools: Any, tool_choice: Any, config: GenerateConfig
) -> ModelOutput:
    prompt = input[-1].text
    if marked := re.search(r"SPEC-OF (\w+) gen (\d+)", prompt):  # f: code from the spec
        function, generation = marked.group(1), int(marked.group(2))
        problem = PROBLEMS[function]
        broken = problem.familiarity == "novel" and generation >= 2
        body = problem.reference.rstrip() if not broken else f"def {function}(*args):\n    return None"
        text = f"```python\n{body}\n# gen {generation}\n```"
    else:  # g: a spec naming the function and the generation after the one shown
        function = re.findall(r"def (\w+)\(", prompt)[-1]
        shown = re.findall(r"# gen (\d+)", prompt)
        text = f"SPEC-OF {function} gen {int(shown[-1]) + 1 if shown else 1}: the function as shown."
    output = ModelOutput.from_content(model="mockllm", content=text)
    output.usage = ModelUsage(input_tokens=10, output_tokens=10)
    return output


@pytest.mark.slow
def test_headline_quantities_from_a_scripted_run(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    task = roundtrip_eval.generalization_gap(pairs="fizzbuzz,vowels", sandbox="local", cycles=3, epochs=2,
                                             temperature=0.0, stop_on_failure=True)  # fmt: skip
    [log] = inspect_eval(task, model="mockllm/model", model_args={"custom_outputs": novel_breaks_at_cycle_2},
                         log_dir=str(tmp_path / "logs"), display="none")  # fmt: skip
    assert log.status == "success", log.error
    script = _script()
    assert script.main([str(tmp_path / "logs"), "-o", str(tmp_path / "out"), "--boot", "2000"]) == 0
    text = (tmp_path / "out" / "generalization.md").read_text()
    pooled = next(line for line in text.splitlines() if line.startswith("| **pooled**"))
    cells = [c.strip() for c in pooled.strip("|").split("|")]
    assert cells[1:6] == ["4 / 4", "3.00", "1.00", "+2.00 [+2.00, +2.00]", "4/4"]
    assert cells[6:9] == ["0/4", "+1.00 [+1.00, +1.00]", "0.0286"]
    assert cells[9:] == ["4 / 4", "4 / 0"]
    rows = [line for line in text.splitlines() if line.startswith("| ") and not line.startswith("| pair")]
    pairs = [line.split("|")[1].strip() for line in rows if "pooled" not in line]
    assert pairs == ["fizzbuzz", "vowels"], pairs
    assert (tmp_path / "out" / "curves.png").stat().st_size > 1000
    assert "8 scored trials, 0 errored" in text
