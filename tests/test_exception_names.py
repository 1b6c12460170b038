"""An exception is compared by what it is, not by what it is called.

A candidate that defines its own `class ValueError(Exception)` (or sets `__module__` to claim a
home it does not have) used to match C0's builtin `ValueError`, because both sides compared bare
class names. `codec.exception_name` is the one rule for C0 (host) and candidate (runner).
"""

from __future__ import annotations

import json

import pytest

from roundtrip_eval.check.host import run_check
from roundtrip_eval.check.runner.codec import exception_name
from roundtrip_eval.problems.load import Outcome, Problem, _call


def _raised(code: str, call: str = "f()") -> BaseException:
    namespace: dict[str, object] = {"__name__": "candidate"}
    exec(compile(code, "candidate.py", "exec"), namespace)  # test data written here, not model code
    try:
        eval(call, namespace)
    except BaseException as exc:  # noqa: BLE001
        return exc
    raise AssertionError("did not raise")


def test_builtin_is_its_bare_name() -> None:
    assert exception_name(ValueError("x"), "candidate") == "ValueError"
    assert exception_name(ZeroDivisionError(), "candidate") == "ZeroDivisionError"


def test_stdlib_class_is_named_by_its_home() -> None:
    try:
        json.loads("{")
    except json.JSONDecodeError as exc:
        assert exception_name(exc, "candidate") == "json.decoder.JSONDecodeError"


@pytest.mark.parametrize(
    "code",
    [
        "class ValueError(Exception):\n    pass\ndef f():\n    raise ValueError('no')\n",
        "class ValueError(Exception):\n    __module__ = 'builtins'\ndef f():\n    raise ValueError('no')\n",
        "class E(Exception):\n    __qualname__ = 'ValueError'\n    __module__ = 'builtins'\n"
        "def f():\n    raise E()\n",
        "class JSONDecodeError(Exception):\n    __module__ = 'json.decoder'\n"
        "def f():\n    raise JSONDecodeError()\n",
    ],
    ids=["own-ValueError", "claims-builtins", "renamed-qualname", "claims-json"],
)
def test_look_alikes_never_take_a_real_name(code: str) -> None:
    name = exception_name(_raised(code), "candidate")
    assert name.startswith("code."), name
    assert name not in {"ValueError", "json.decoder.JSONDecodeError"}


def test_c0_and_candidate_use_the_same_rule_for_own_classes() -> None:
    code = "class Bad(Exception):\n    pass\ndef f(x):\n    raise Bad(x)\n"
    namespace: dict[str, object] = {}
    exec(compile(code, "reference.py", "exec"), namespace)  # no __name__: as a bare exec of C0
    assert _call(namespace["f"], (1,)).error == "code.Bad"
    assert exception_name(_raised(code, "f(1)"), "candidate") == "code.Bad"


def _half(n: int) -> int:
    if n % 2:
        raise ValueError("odd")
    return n // 2


HALF = Problem(
    name="half", function="half", reference="", domain="test", familiarity="novel",
    description="", inputs=((2,), (3,), (10,), (7,)),
    expected=tuple(_call(_half, args) for args in ((2,), (3,), (10,), (7,))),
    probe_classes=tuple(("typical",) for _ in range(4)), n_cases=4,
)


def test_expected_outcomes_name_the_builtin() -> None:
    assert HALF.expected[1] == Outcome(ok=False, error="ValueError")


@pytest.mark.docker
async def test_own_valueerror_is_not_a_pass(docker_sandbox) -> None:
    code = (
        "class ValueError(Exception):\n    pass\n\n"
        "def half(n):\n    if n % 2:\n        raise ValueError('odd')\n    return n // 2\n"
    )
    verdict = await run_check(docker_sandbox, code, HALF)
    assert not verdict.passed, verdict.detail
    assert "code.ValueError" in verdict.detail


@pytest.mark.docker
async def test_builtin_valueerror_passes(docker_sandbox) -> None:
    code = "def half(n):\n    if n % 2:\n        raise ValueError('odd')\n    return n // 2\n"
    verdict = await run_check(docker_sandbox, code, HALF)
    assert verdict.passed, verdict.detail
