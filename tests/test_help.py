"""Every `--help` of both command lines: a description, defaults shown, no literal `%%`;
`roundtrip-eval --version` prints the package version."""

from __future__ import annotations

import argparse
from collections.abc import Iterator

import pytest

from roundtrip_eval import __version__, cli
from roundtrip_eval.cli import maintainer


def parsers(parser: argparse.ArgumentParser) -> Iterator[argparse.ArgumentParser]:
    yield parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for child in action.choices.values():
                yield from parsers(child)


ALL = [p for root in (cli.build_parser(), maintainer.build_parser()) for p in parsers(root)]


@pytest.mark.parametrize("parser", ALL, ids=[p.prog for p in ALL])
def test_help_has_a_description_and_no_literal_percent_signs(parser: argparse.ArgumentParser) -> None:
    text = parser.format_help()
    assert parser.description, parser.prog
    assert "%%" not in text and "%(" not in text


def test_defaults_are_shown_once() -> None:
    [report] = [p for p in ALL if p.prog == "roundtrip-eval report"]
    assert "bootstrap seed (default: 0)" in " ".join(report.format_help().split())
    [serve] = [p for p in ALL if p.prog == "roundtrip-eval model serve"]
    assert " ".join(serve.format_help().split()).count("(default: 8765)") == 1


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        cli.main(["--version"])
    assert done.value.code == 0
    assert capsys.readouterr().out.strip() == f"roundtrip-eval {__version__}"
