"""Red team round 12 (red24): an exception is compared by name, and a non-builtin class is named
by its home module "when that module really holds it" (`codec.exception_name`). But the check
reads that home from the candidate process's own `sys.modules` at run time, after the candidate
ran: a candidate that defines its own class, sets its `__module__` to `json.decoder` and stores
it there (`json.decoder.JSONDecodeError = Mine`) is named `json.decoder.JSONDecodeError`, as
C0's real `JSONDecodeError` is. So a function that raises a class of its own (not even a
`ValueError`) where C0 raises `json.decoder.JSONDecodeError` is scored as passing, with the
static screen on or off. The same class left unregistered is `code.JSONDecodeError` and scored
`semantic`; the spoof should be scored no better (`semantic`, or `tampering` for rewriting a
standard-library module)."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from roundtrip_eval.check.host import run_check
from roundtrip_eval.problems.load import Outcome, Problem, load_problem
from roundtrip_eval.problems.reference import reference_outcomes

C0 = """import json


def parse(text):
    return json.loads(text)
"""
INPUTS = (('{"a": 1}',), ("[1, 2]",), ("not json",), ("{",))

SPOOF = """import json.decoder as _decoder


class JSONDecodeError(Exception):  # its own class: not a ValueError, never raised by json
    pass


JSONDecodeError.__module__ = "json.decoder"
_decoder.JSONDecodeError = JSONDecodeError


def parse(text):
    if text == '{"a": 1}':
        return {"a": 1}
    if text == "[1, 2]":
        return [1, 2]
    raise JSONDecodeError("not parsed")
"""

OWN_CLASS = SPOOF.replace('JSONDecodeError.__module__ = "json.decoder"\n', "").replace(
    "_decoder.JSONDecodeError = JSONDecodeError\n", ""
)


def _problem() -> Problem:
    """A problem whose C0 raises a standard-library exception that is not a builtin."""
    outcomes = reference_outcomes(C0, "parse", INPUTS)
    expected = tuple(Outcome(True, v) if ok else Outcome(False, error=v) for ok, v in outcomes)
    assert expected[2].error == "json.decoder.JSONDecodeError", expected
    return dataclasses.replace(
        load_problem("fizzbuzz"), name="parse_json", function="parse", reference=C0,
        inputs=INPUTS, expected=expected, probe_classes=((),) * len(INPUTS), n_cases=len(INPUTS),
    )  # fmt: skip


@pytest.mark.docker
async def test_own_class_is_not_the_stdlib_exception(docker_sandbox: Any) -> None:
    """The control: the unregistered class is told apart (this holds today)."""
    result = await run_check(docker_sandbox, OWN_CLASS, _problem(), screen=False)
    assert not result.passed and result.category == "semantic", result.detail


@pytest.mark.docker
@pytest.mark.xfail(
    strict=True,
    reason="a non-builtin exception is named by the module that holds it, read in the candidate's "
    "process after its code ran (docs/threat_model.md, What is not guaranteed); only a problem "
    "whose C0 raises a non-builtin exception reaches it, none shipped",
)
@pytest.mark.parametrize("screen", [False, True], ids=["screen_off", "screen_on"])
async def test_own_class_registered_in_json_decoder_does_not_pass(docker_sandbox: Any, screen: bool) -> None:
    result = await run_check(docker_sandbox, SPOOF, _problem(), screen=screen)
    assert not result.passed, (result.category, result.detail)
    assert result.category in ("semantic", "tampering"), (result.category, result.detail)
