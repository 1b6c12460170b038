"""studies.same_chains: two runs' chains held cycle by cycle (pure; no log is run)."""

from __future__ import annotations

from pathlib import Path

from studies.same_chains import chains, differences, main, verdicts


def _row(problem: str, cycle: int, code: str, passed: bool = True, category: str | None = None) -> dict:
    return {"problem": problem, "epoch": 1, "cycle": cycle, "spec": f"spec {cycle}", "code": code,
            "passed": passed, "category": category}  # fmt: skip


RUN = [_row("Mbpp/3", 2, "def b(): pass"), _row("Mbpp/3", 1, "def a(): pass"),
       _row("Mbpp/2", 1, "def c(): pass", passed=False, category="return_type")]  # fmt: skip


def test_a_run_against_itself_has_no_differences_and_cycles_are_ordered() -> None:
    a = chains(RUN)
    assert [r["cycle"] for r in a[("Mbpp/3", 1)]] == [1, 2]
    assert differences(a, chains(list(reversed(RUN)))) == []
    assert verdicts(a[("Mbpp/2", 1)]) == "return_type" and verdicts(a[("Mbpp/3", 1)]) == "pass pass"


def test_every_kind_of_difference_is_named() -> None:
    changed = [dict(r) for r in RUN]
    changed[0]["code"] = "def b(): return 1"  # Mbpp/3 cycle 2: another code
    changed[2]["category"] = "semantic"  # Mbpp/2: another verdict
    found = differences(chains(RUN), chains(changed))
    assert len(found) == 2
    assert any("Mbpp/3 epoch 1 cycle 2: code" in line for line in found)
    assert any("Mbpp/2 epoch 1 cycle 1: category 'return_type' != 'semantic'" in line for line in found)
    shorter = differences(chains(RUN), chains(RUN[1:]))
    assert shorter == ["Mbpp/3 epoch 1: 2 cycles in run a, 1 in run b"]
    assert differences(chains(RUN), chains(RUN[:2])) == ["Mbpp/2 epoch 1: only in run a"]


def test_a_folder_without_logs_is_one_line_and_status_2(tmp_path: Path, capsys) -> None:
    assert main([str(tmp_path), str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "no Inspect logs" in err
