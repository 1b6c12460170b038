"""The README's known-vs-novel headline is what `roundtrip-eval report` prints from the committed
logs: if either the numbers in the README or the gap's one definition (stats/gap.py) moves, this
fails. Reads logs/results/gap-* (committed); the README states the gap in mean cycles survived."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from roundtrip_eval.analysis.aggregate import build_report
from roundtrip_eval.analysis.read import load_rows
from roundtrip_eval.analysis.report import headline_lines

ROOT = Path(__file__).resolve().parents[2]
ARMS = {"0.5B": "gap-0.5b", "1.5B": "gap-1.5b"}
MASKED = {"0.5B": "gap-0.5b-masked", "1.5B": "gap-1.5b-masked"}


def readme_headline() -> tuple[dict[str, tuple[str, str, str]], list[str]]:
    """(model -> gap, low, high) of the names-shown arms and the masked gaps, as the README says."""
    text = " ".join((ROOT / "README.md").read_text(encoding="utf-8").split())
    line = re.search(r"\*\*Known vs novel\*\*.*?\[docs/generalization\.md\]", text)
    assert line, "the README's known-vs-novel line is gone"
    shown = dict(
        (m, (g, lo, hi))
        for m, g, lo, hi in re.findall(
            r"(\d\.\dB) ([+−-]\d\.\d\d)(?: cycles)? \[(?:95% CI )?([+−-]\d\.\d\d), ([+−-]\d\.\d\d)\]", line[0]
        )
    )
    masked = re.search(r"removes it on both \(([+−-]\d\.\d\d), ([+−-]\d\.\d\d)\)", line[0])
    assert masked, "the README's masked gaps are gone"
    return shown, [masked[1].replace("−", "-"), masked[2].replace("−", "-")]


def printed(arm: str) -> str:
    folder = ROOT / "logs" / "results" / arm
    if not folder.is_dir():
        pytest.skip(f"{folder} is not in this checkout")
    trials, cycles, _ = load_rows(folder, progress=False)
    [line] = headline_lines(build_report(trials, cycles))
    return line


@pytest.mark.slow
def test_report_prints_the_readme_headline() -> None:
    shown, masked = readme_headline()
    assert set(shown) == set(ARMS)
    for model, arm in ARMS.items():
        gap, low, high = shown[model]
        assert f"mean cycles survived {gap} [95% CI {low}, {high}]" in printed(arm), model
    for model, value in zip(MASKED, masked, strict=True):
        assert f"mean cycles survived {value} [" in printed(MASKED[model]), model
