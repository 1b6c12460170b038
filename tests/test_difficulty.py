"""`roundtrip-eval-dev difficulty`: the twin pairs' measured difficulty, printed as Markdown."""

from __future__ import annotations

import pytest

from roundtrip_eval.cli.maintainer import main
from roundtrip_eval.problems.difficulty import format_table, pair_members


def test_the_difficulty_command_prints_the_pair_table(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["difficulty"]) == 0
    out = capsys.readouterr().out
    assert out == format_table() + "\n"
    lines = out.splitlines()
    assert lines[0].startswith("| pair | domain | known | novel | AST nodes (k/n) | gap |")
    assert len(lines) == 2 + len(pair_members()) > 2  # header, rule, one row per pair
