"""How a candidate's outputs are held against C0's: type-exact (ours) or EvalPlus's rule.

Why two: this suite's verdict is type-exact (`1 != 1.0 != True`, see `runner.typed_equal`), so a
change of type is drift. EvalPlus, whose verdicts the peers report (EvaLooop on MBPP+), passes an
output when `out == exp`, else, with a tolerance, when `numpy.allclose` holds. To set our numbers
beside theirs, `-T compare=evalplus` applies their rule, restated here from EvalPlus's
`unsafe_execute` (evalplus/eval/__init__.py with evalplus/eval/_special_oracle.py, the release
that EvaLooop's harness calls as `untrusted_check("mbpp", ...)`), as pure functions of the values
the host already holds: the issue-30 rescore reuses them without a sandbox. (An earlier restatement
followed an older release, with `numpy.testing.assert_allclose` and three oracles; EvaLooop's
recorded verdicts on `Mbpp/558` and `Mbpp/581` show the newer one: docs/evalooop_rescore.md.)

EvalPlus's rule, input by input, over base inputs and plus inputs as two separate runs:

- `exact = out == exp`; then the special oracles by entry point: `are_equivalent` (MBPP+ 164)
  passes any output; `sum_div` (MBPP+ 295) also passes 0; `surface_Area` (MBPP+ 581) also passes
  an output within `atol` of EvalPlus's own answer (`surface_area`, which reads the height as the
  pyramid's, not the slant height C0 takes); `digit_distance_nums` (MBPP+ 558) also passes
  EvalPlus's own answer (`digit_distance`, the shorter number padded with zeros, where C0 stops
  at the shorter one); the set-equal problems (MBPP+ 2, 7, 111, 140, 232, 249, 579, 769) pass
  when `set(out) == set(exp)`, order and duplicates aside; the not-none problems (`check_str`,
  `text_match_three`, `text_starta_endb`, whose expected output is `ref is not None`) compare a
  bool output with it and anything else as `out is not None`; `find_zero` (HumanEval+ 32)
  passes when `|poly(xs, out)| <= atol`, and nothing else is asked.
- if `atol == 0` and the expected output is a float or a non-empty list/tuple of floats, `atol`
  becomes 1e-6 **for this input and every later one of the same run** (EvalPlus reassigns its
  loop variable; restated as it behaves);
- if not exact and `atol != 0`: pass iff the output has the expected output's exact type (and
  length, for a list or tuple) and `numpy.allclose(out, exp, rtol=1e-7, atol=atol)` holds; else
  pass iff exact. Any exception (from `==`, from an oracle, from numpy) is a fail.
- A value the runner cannot carry as it is (a type the codec does not know) is compared by what
  EvalPlus's `==` sees in it, from the plain form the runner sends beside it (`live_value`): a
  subclass of a builtin type (a namedtuple, an IntEnum, a user's str subclass) as its base
  type's value, read without the subclass's own methods (a subclass whose `__eq__` claims
  equality to anything fails here, where EvalPlus would pass it); a `Fraction` or `Decimal`
  rebuilt exactly. Any other unknown type fails.
- An input the candidate raised on, or timed out on, fails. (EvalPlus has no expected
  exceptions; where C0 raised, the candidate passes by raising the same exception, as here.)
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction
from typing import Any

import numpy as np

from roundtrip_eval.check.runner.codec import Opaque
from roundtrip_eval.problems.load import Outcome

MODES = ("typed", "evalplus")
FLOAT_ATOL = 1e-6
"""EvalPlus's tolerance for a float (or list of floats) expected output where the problem has none."""


def is_floats(value: Any) -> bool:
    """EvalPlus's `is_floats`: a float, or a non-empty list/tuple whose items are all floats."""
    if isinstance(value, float):
        return True
    if isinstance(value, list | tuple) and value:
        return all(isinstance(item, float) for item in value)
    return False


def poly(xs: Sequence[float], x: float) -> float:
    """HumanEval 32's polynomial, as its oracle evaluates it."""
    return sum(coeff * math.pow(x, i) for i, coeff in enumerate(xs))


def surface_area(base_edge: Any, height: Any) -> int:
    """EvalPlus's answer for MBPP+ 581 (a square pyramid's surface, `height` from base to apex)."""
    slant = math.sqrt((base_edge / 2) ** 2 + height**2)
    return round(base_edge**2 + 4 * (base_edge * slant) / 2)


def digit_distance(n1: Any, n2: Any) -> int:
    """EvalPlus's answer for MBPP+ 558: per-digit differences, the shorter number zero-padded."""
    a, b = str(n1), str(n2)
    width = max(len(a), len(b))
    return sum(abs(int(x) - int(y)) for x, y in zip(a.zfill(width), b.zfill(width), strict=True))


def live_value(value: Any) -> Any:
    """`value` with every opaque part that has a plain form (`codec._enc`) replaced by it, so
    that EvalPlus's `out == exp` sees what it sees in the candidate's process: a namedtuple as
    its tuple, an IntEnum as its int, a user's str subclass as its str (read by the base type,
    not by the subclass's own, possibly lying, `__eq__`), a Fraction or Decimal rebuilt exactly.
    Anything else (a part with no plain form, an older record's) is left as it is."""
    if isinstance(value, Opaque):
        if value.plain_kind == "base":
            return live_value(value.plain)
        try:
            if value.plain_kind == "fraction":
                return Fraction(*value.plain)
            if value.plain_kind == "decimal":
                return Decimal(value.plain)
        except (TypeError, ValueError, ArithmeticError):  # a malformed plain form
            return value
        return value
    if type(value) is list or type(value) is tuple:
        return type(value)(live_value(v) for v in value)
    if type(value) is dict:
        return {live_value(k): live_value(v) for k, v in value.items()}
    if type(value) is set or type(value) is frozenset:
        try:
            return type(value)(live_value(v) for v in value)
        except TypeError:  # a plain form that cannot be a member (a list)
            return value
    return value


def type_of(value: Any) -> Any:
    """What EvalPlus's `type(out) == type(exp)` compares, for a value as the host holds it: an
    opaque value (a subclass, or a type the codec does not carry) by its own type name, not by
    the base type its plain form has (red29: a float subclass 1e-12 off passed the tolerance)."""
    return ("opaque", value.type_name) if isinstance(value, Opaque) else type(value)


def evalplus_output(
    out: Any, exp: Any, *, atol: float, oracle: str | None, args: Sequence[Any] = (),
    types: tuple[Any, Any] | None = None,
) -> tuple[bool, float]:
    """One output under EvalPlus's rule: (passed, the atol the next input of the run gets).
    `types`: the two values' own types (`type_of`) where `out`/`exp` are their plain forms."""
    try:
        exact = bool(out == exp)
        if oracle == "are_equivalent":
            exact = True
        elif oracle == "sum_div":
            exact = exact or bool(out == 0)
        elif oracle == "surface_area":
            exact = exact or bool(abs(out - surface_area(*args)) <= atol)
        elif oracle == "digit_distance":
            exact = exact or bool(out == digit_distance(*args))
        elif oracle == "set_eq":
            exact = set(out) == set(exp)
        elif oracle == "not_none":
            exact = bool(out == exp) if isinstance(out, bool) else bool(exp == (out is not None))
        elif oracle == "find_zero":
            (xs,) = args  # EvalPlus's `_poly(*inp, out)`: the one argument is the coefficients
            return bool(abs(poly(xs, out)) <= atol), atol
    except Exception:  # noqa: BLE001 - EvalPlus counts any exception as a failed input
        return False, atol
    if atol == 0 and is_floats(exp):
        atol = FLOAT_ATOL
    if exact or atol == 0:
        return exact, atol
    out_type, exp_type = types if types is not None else (type(out), type(exp))
    if out_type != exp_type or (isinstance(exp, list | tuple) and len(out) != len(exp)):
        return False, atol
    try:
        return bool(np.allclose(out, exp, rtol=1e-07, atol=atol)), atol
    except Exception:  # noqa: BLE001 - numpy refusing the values
        return False, atol


def evalplus_passes(
    actual: Sequence[Outcome | None],
    expected: Sequence[Outcome],
    inputs: Sequence[Sequence[Any]],
    *,
    atol: float = 0.0,
    oracle: str | None = None,
    n_base: int | None = None,
) -> list[bool]:
    """Per input, whether it passes under EvalPlus's rule (`None` = timed out).

    The first `n_base` inputs (all, if None) are one run and the rest another, each starting
    from the problem's `atol`, as EvalPlus checks base and plus inputs in two calls.
    """
    n_base = len(expected) if n_base is None else n_base
    passes: list[bool] = []
    current = atol
    for i, (exp, act) in enumerate(zip(expected, actual, strict=True)):
        if i == n_base:
            current = atol
        if act is None:
            passes.append(False)
        elif not exp.ok or not act.ok:
            passes.append(not exp.ok and not act.ok and exp.error == act.error)
        else:
            out, want = live_value(act.value), live_value(exp.value)
            ok, current = evalplus_output(
                out, want, atol=current, oracle=oracle, args=inputs[i],
                types=(type_of(act.value), type_of(exp.value)),
            )  # fmt: skip
            passes.append(ok)
    return passes
