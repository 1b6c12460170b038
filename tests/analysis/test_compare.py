"""`roundtrip-eval compare A B` and `report --compare`: two runs side by side (issue 31, part 3).

Scripted runs (replayed code, local sandbox), 2 cycles, 4 epochs of fizzbuzz and is_leap_year:
A survives every trial; B survives fizzbuzz only in epoch 1 (epochs 2-4 return str(n) at
cycle 2) and is_leap_year always. By hand: fizzbuzz 4/4 vs 1/4, Fisher's p for [[4, 0], [1, 3]]
= 1/7; mean cycles 2.00 vs (2 + 1 + 1 + 1) / 4 = 1.25. Pooled over both: 8/8 vs 5/8, p for
[[8, 0], [5, 3]] = 0.2; mean cycles 2.00 vs 13/8 = 1.625.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from inspect_ai import eval as inspect_eval
from replay_scripts import surviving, trial, write

from roundtrip_eval.analysis.compare import CompareError, Side, compare, compare_sources, rows, side
from roundtrip_eval.analysis.read import load_rows
from roundtrip_eval.cli import main
from roundtrip_eval.eval.tasks import roundtrip
from roundtrip_eval.problems.load import load_problem

REF = load_problem("fizzbuzz").reference
STR_N = REF.replace("return n", "return str(n)")


Lines = dict[tuple[str, int | str], list[object]]


def run(folder: Path, lines: Lines, problems: str, cycles: int = 2) -> Path:
    script = write(folder.with_suffix(".jsonl"), lines)
    inspect_eval(
        roundtrip(problems=problems, sandbox="local", cycles=cycles, epochs=4), model=f"replay/{script}",
        log_dir=str(folder), display="none",
    )  # fmt: skip
    return folder


@pytest.fixture(scope="module")
def sides(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    tmp = tmp_path_factory.mktemp("compare")
    leap = surviving("is_leap_year", 2)
    a = run(tmp / "a", {("fizzbuzz", "*"): surviving("fizzbuzz", 2), ("is_leap_year", "*"): leap},
            "fizzbuzz,is_leap_year")  # fmt: skip
    broken = trial("fizzbuzz", [REF, STR_N])
    b = run(tmp / "b", {("fizzbuzz", 1): surviving("fizzbuzz", 2), ("fizzbuzz", "*"): broken,
                        ("is_leap_year", "*"): leap}, "fizzbuzz,is_leap_year")  # fmt: skip
    return a, b


def test_paired_by_problem_pooled_and_per_problem_by_hand(sides: tuple[Path, Path]) -> None:
    c = compare_sources(*sides, n_boot=2000)
    assert c.paired and c.problems == ["fizzbuzz", "is_leap_year"] and c.n_cycles == 2
    table = {r["problems"]: r for r in rows(c)}
    assert list(table) == ["pooled (2 shared problems)", "fizzbuzz", "is_leap_year"]
    fb, pooled = table["fizzbuzz"], table["pooled (2 shared problems)"]
    assert (fb["a_survivors"], fb["a_trials"], fb["b_survivors"], fb["b_trials"]) == (4, 4, 1, 4)
    assert fb["fisher_p"] == pytest.approx(1 / 7) and fb["survival_diff"] == pytest.approx(0.75)
    assert (fb["a_mean_cycles"], fb["b_mean_cycles"]) == (2.0, 1.25)
    assert (pooled["a_survivors"], pooled["b_survivors"]) == (8, 5)
    assert pooled["fisher_p"] == pytest.approx(0.2)
    assert pooled["mean_cycles_diff"] == pytest.approx(0.375)
    assert pooled["survival_diff_low"] <= 0.375 <= pooled["survival_diff_high"]


def test_the_command_prints_both_sides_and_the_table(
    sides: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["compare", str(sides[0]), str(sides[1])]) == 0
    out = capsys.readouterr().out
    assert out.startswith("- A (1 run(s)): replay/") and "Paired by problem: only the 2 problem(s)" in out
    assert "| pooled (2 shared problems) | 8 / 8 | 8/8 = 1.00 | 5/8 = 0.62 | +0.38 [" in out
    assert "| fizzbuzz | 4 / 4 | 4/4 = 1.00 | 1/4 = 0.25 | +0.75 [" in out


def test_unshared_problems_are_pooled_and_say_so(sides: tuple[Path, Path], tmp_path: Path) -> None:
    other = run(tmp_path / "c", {("two_sum", "*"): surviving("two_sum", 2)}, "two_sum")
    c = compare_sources(sides[0], other, n_boot=500)
    assert not c.paired and [r["problems"] for r in rows(c)] == ["pooled (no shared problems)"]
    assert (c.pooled.known_n, c.pooled.novel_n) == (8, 4)


def test_one_shared_problem_is_named_not_pooled(sides: tuple[Path, Path]) -> None:
    b = [t for t in side("B", load_rows(sides[1], progress=False)[0]).trials if t["problem"] == "fizzbuzz"]
    c = compare(side("A", load_rows(sides[0], progress=False)[0]), Side("B", 1, b), n_boot=200)
    assert [r["problems"] for r in rows(c)] == ["fizzbuzz (the one shared problem)"]


def test_different_n_is_refused_in_one_line(sides: tuple[Path, Path], tmp_path: Path) -> None:
    three = run(tmp_path / "d", {("fizzbuzz", "*"): surviving("fizzbuzz", 3)}, "fizzbuzz", cycles=3)
    with pytest.raises(CompareError, match=r"^A \(.*\) ran N=2, B \(.*\) ran N=3: survival@N compares runs"):
        compare_sources(sides[0], three)


def test_report_gets_the_comparison_as_an_overlay(sides: tuple[Path, Path], tmp_path: Path) -> None:
    out = tmp_path / "report"
    assert main(["report", str(sides[0]), "-o", str(out), "-q", "--compare", str(sides[1])]) == 0
    assert "| fizzbuzz | 4 / 4 | 4/4 = 1.00 | 1/4 = 0.25 |" in (out / "compare.md").read_text()
    page = (out / "index.html").read_text()
    section = page[page.index('<section id="compare">') :]
    section = section[: section.index("</section>")]
    assert 'data-model="A: replay/' in section and 'data-model="B: replay/' in section  # both, one panel
    assert "<td>pooled (2 shared problems)</td>" in section and "<script" not in page
