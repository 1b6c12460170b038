"""studies/generalization.py: the pre-registered headline quantities, on a scripted run.

The scripted model keeps every known problem's code correct for all 3 cycles and breaks every
novel problem's code at cycle 2, so the numbers are known in advance: mean cycles survived 3
(known) and 1 (novel), survival@3 4/4 against 0/4 (Fisher's two-sided p = 1/35 * 2 = 0.0286).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from inspect_ai import eval as inspect_eval
from inspect_ai.model import ChatMessage, GenerateConfig, ModelOutput, ModelUsage
from script_modules import ROOT

import roundtrip_eval
from roundtrip_eval.problems.load import list_problems, load_problem

PROBLEMS = {(p := load_problem(name)).function: p for name in list_problems()}
MASKED = {name: load_problem(name, masked=True) for name in list_problems()}


def _script() -> Any:
    import studies.generalization as module

    return module


def novel_breaks_at_cycle_2(
    input: list[ChatMessage], tools: Any, tool_choice: Any, config: GenerateConfig
) -> ModelOutput:
    prompt = input[-1].text
    if "def func(" in prompt or "SPEC-MASKED" in prompt:
        return masked_all_break_at_cycle_2(prompt)
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


def masked_all_break_at_cycle_2(prompt: str) -> ModelOutput:
    """Names masked: known and novel alike break at cycle 2 (no name left to recall)."""
    if marked := re.search(r"SPEC-MASKED (\w+) gen (\d+)", prompt):  # f
        problem, generation = MASKED[marked.group(1)], int(marked.group(2))
        body = problem.reference.rstrip() if generation < 2 else "def func(*args):\n    return None"
        text = f"```python\n{body}\n# gen {generation}\n```"
    else:  # g: which problem's masked C0 is shown, and the generation after the one shown
        name = next(n for n, p in MASKED.items() if p.reference.rstrip() in prompt)
        shown = re.findall(r"# gen (\d+)", prompt)
        text = f"SPEC-MASKED {name} gen {int(shown[-1]) + 1 if shown else 1}: the function as shown."
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
    headline = text.split("### first failures")[0]
    rows = [line for line in headline.splitlines() if line.startswith("| ") and not line.startswith("| pair")]
    pairs = [line.split("|")[1].strip() for line in rows if "pooled" not in line]
    assert pairs == ["fizzbuzz", "vowels"], pairs
    assert (tmp_path / "out" / "curves.png").stat().st_size > 1000
    assert "8 scored trials, 0 errored" in text
    failures = text.split("### first failures")[1]
    head, _rule, row = [line for line in failures.splitlines() if line.startswith("|")]
    counts = dict(zip(head.strip("|").split("|"), row.strip("|").split("|"), strict=True))
    counts = {k.strip(): v.strip() for k, v in counts.items()}
    assert counts["none"] == "4 / 0" and counts["trials (known / novel)"] == "4 / 4", counts
    assert counts.get("signature", "0 / 0") == "0 / 0" and counts["signature: Fisher p"] == "1", counts
    assert (
        sum(
            int(v.split(" / ")[1])
            for k, v in counts.items()
            if k not in {"configuration", "trials (known / novel)", "signature: Fisher p", "none"}
        )
        == 4
    )


@pytest.mark.slow
def test_masked_minus_shown_from_two_scripted_runs(tmp_path: Path) -> None:
    """Shown: gap +2 cycles, survival@3 +1. Masked: both sides break at cycle 2, gap 0. So the
    ablation reads -2.00 and -1.00, each with a degenerate interval (nothing varies)."""
    for masked in (False, True):
        task = roundtrip_eval.generalization_gap(pairs="fizzbuzz", sandbox="local", cycles=3, epochs=2,
                                                 temperature=0.0, mask_names=masked)  # fmt: skip
        outputs = {"custom_outputs": novel_breaks_at_cycle_2}
        [log] = inspect_eval(task, model="mockllm/model", model_args=outputs,
                             log_dir=str(tmp_path / "logs"), display="none")  # fmt: skip
        assert log.status == "success", log.error
    assert _script().main([str(tmp_path / "logs"), "-o", str(tmp_path / "out"), "--boot", "500"]) == 0
    text = (tmp_path / "out" / "generalization.md").read_text()
    section = text.split("### masked - shown")[1].split("### first failures")[0]
    [row] = [line for line in section.splitlines() if line.startswith("| mockllm")]
    cells = [c.strip() for c in row.strip("|").split("|")]
    assert "mask_names" not in cells[0]
    assert cells[1:] == ["2 / 2", "2 / 2", "-2.00 [-2.00, -2.00]", "-1.00 [-1.00, -1.00]"], cells


def test_two_models_with_one_configuration_are_both_kept() -> None:
    """`config_key` hashes the settings, not the model: the 0.5B and 1.5B arms of one
    configuration share it, and each model's copy of a trial must survive deduplication, which
    drops only an eval-set retry's older copy (the same Inspect `task_id`)."""
    row = {"config_key": "c1", "sample_id": "fizzbuzz", "epoch": 1, "status": "success"}
    rows = [
        {**row, "model": "ollama/small", "task_id": "t-small", "created": "2026-12-02"},
        {**row, "model": "ollama/large", "task_id": "t-large", "created": "2026-12-03"},
        {**row, "model": "ollama/large", "task_id": "t-large", "created": "2026-12-01"},  # dropped
    ]
    kept = _script().newest_copies(rows)
    assert sorted((r["model"], r["created"]) for r in kept) == [
        ("ollama/large", "2026-12-03"), ("ollama/small", "2026-12-02")]  # fmt: skip


RESULT_DIRS = ("gap-0.5b", "gap-0.5b-masked", "gap-1.5b", "gap-1.5b-masked")


def test_docs_tables_regenerate_from_the_committed_logs(tmp_path: Path) -> None:
    """Every result row of docs/generalization.md is what the script prints from the logs under
    logs/results/, so the page cannot drift from the data it reports."""
    dirs = [str(d) for name in RESULT_DIRS if (d := ROOT / "logs" / "results" / name).is_dir()]
    if not dirs:
        pytest.skip("no committed result logs under logs/results/")
    assert _script().main([*dirs, "-o", str(tmp_path / "out")]) == 0
    printed = set((tmp_path / "out" / "generalization.md").read_text().splitlines())
    page = (ROOT / "docs" / "generalization.md").read_text().splitlines()
    rows = [line for line in page if line.startswith("| ") and "[" in line and "/" in line]
    assert len(rows) >= 8 * 3 + 1, "the page lost its result tables"
    missing = [row for row in rows if row not in printed]
    assert not missing, f"rows on the page that the logs do not give: {missing}"
