"""Why this suite's EvalPlus-rule verdict on a recorded function differs from EvaLooop's (pure).

Every disagreement gets one class, from evidence in the two verdicts, never "unknown":

- `extraction`: EvaLooop's extraction rule, applied as they apply it, finds no code.
- `timeout`: our limits (by default 2 s per call, 30 s per check; under `--time-rule evalplus`
  max(1 s, 2 x C0's measured time over all inputs) per call) against EvalPlus's per-input limit
  (max(1 s, 2 x C0's measured time)): our check timed out, or C0 itself times out here. The
  detail names the limits the check ran under (`limits_text`).
- `harness`: a difference of harness shown by C0 itself: the canonical solution fails this
  suite's check on the problem (a value over the runner's limits, the sandbox's memory limit,
  C0 past our time limits), so the candidate cannot pass either; or a limit of the sandbox the
  candidate hit (memory, output); or a module the candidate imports that is not the standard
  library's (numpy: the sandbox is python3 alone); or a candidate whose answer follows the
  order in which it iterates a set, on inputs of strings (`_iterates_a_set`): that order follows
  the interpreter's hash seed, fixed here (C0 and candidate alike) and random per run in
  EvaLooop's harness, so on a tie their run may pick C0's answer where ours does not.
- `type`: the candidate returns a value of a type our codec does not carry (an opaque value on
  the host, e.g. a numpy scalar), which `==` on their side accepts.
- `tolerance`: float outputs judged apart by the tolerance.
- `ours`: a fault of this suite (e.g. the static screen flagging honest code); each is fixed or
  named in docs/evalooop_rescore.md.

A function they failed and we pass: `timeout` when our check took more than twice C0's time
(EvalPlus's per-input limit is 2 x C0's time, at least 1 s), else `harness` (it passes every
input in our sandbox; where their own records pass the same program in another loop or model,
the detail says so: their verdict on it varies). A function they passed and we fail, that no
rule above explains, is `harness` when their own records fail the same program elsewhere.

`CLASSES` lists them in the order the tables show them.
"""

from __future__ import annotations

import ast
import re
import sys
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from roundtrip_eval.check.runner import TOO_LARGE

CLASSES = ("timeout", "harness", "type", "tolerance", "extraction", "ours")


def limits_text(call: float, check: float, *, evalplus: bool = False) -> str:
    """Our limits on one problem in words, beside EvalPlus's: `evalplus`, the per-call limit
    came from EvalPlus's rule on C0's measured time (`--time-rule evalplus`), else it is fixed."""
    ours = (
        f"our limit was max(1 s, 2 x C0's time) = {call:.2f} s per call, {check:g} s per check"
        if evalplus
        else f"our limits were {call:g} s per call and {check:g} s per check"
    )
    return f"{ours}; EvalPlus gives each input max(1 s, 2 x C0's time)"


LIMITS = limits_text(2.0, 30.0)
"""The default limits' text (`--time-rule fixed`, 2 s per call, 30 s per check)."""


@dataclass(frozen=True)
class Disagreement:
    """One recorded function on which the two verdicts differ."""

    model: str
    task: str
    loop: int
    theirs: bool  # their verdict: passed
    ours: str  # our EvalPlus-rule verdict: "pass" or the failure category
    cls: str
    detail: str

    COLUMNS = ("model", "task", "loop", "theirs", "ours", "class", "detail")

    def row(self) -> dict[str, Any]:
        return {
            "model": self.model,
            "task": self.task,
            "loop": self.loop,
            "theirs": "pass" if self.theirs else "fail",
            "ours": self.ours,
            "class": self.cls,
            "detail": self.detail,
        }


def _failure_text(record: Mapping[str, Any]) -> str:
    parts = [record.get("detail", "")]
    for f in record.get("failures") or []:
        parts += [str(f.get("expected", "")), str(f.get("actual", ""))]
    return " ".join(parts)


def _missing_module(text: str) -> str | None:
    """The top-level module a `ModuleNotFoundError` names, when it is not the standard library's
    (a third-party package such as numpy, absent from the sandbox by design); else None."""
    found = re.search(r"ModuleNotFoundError: No module named '([\w.]+)'", text)
    if found is None:
        return None
    top = found.group(1).split(".")[0]
    return None if top in sys.stdlib_module_names else top


_ORDERED_BY = frozenset({"max", "min", "sorted", "list", "tuple", "next", "iter", "enumerate", "zip"})


def _is_set(node: ast.AST, sets: set[str]) -> bool:
    """Whether `node` builds (or names) a set: a display, a comprehension, `set(...)`, an
    operation of sets, or a name assigned one in the code."""
    if isinstance(node, ast.Set | ast.SetComp):
        return True
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        return node.func.id in ("set", "frozenset")
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitAnd | ast.BitOr | ast.Sub | ast.BitXor):
        return _is_set(node.left, sets) or _is_set(node.right, sets)
    return isinstance(node, ast.Name) and node.id in sets


def _iterates_a_set(code: str | None) -> bool:
    """Whether the code walks a set in its iteration order: a `for` or a comprehension over a
    set, or a set handed to max, min, sorted, list, ... (with a key, a tie goes to the first in
    that order). A set of strings iterates in an order that follows the hash seed."""
    if not code:
        return False
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = ast.parse(code)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    nodes = list(ast.walk(tree))
    sets: set[str] = set()
    for node in nodes:
        if isinstance(node, ast.Assign) and _is_set(node.value, sets):
            sets |= {t.id for t in node.targets if isinstance(t, ast.Name)}
    for node in nodes:
        if isinstance(node, ast.For | ast.comprehension) and _is_set(node.iter, sets):
            return True
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
            continue
        if node.func.id in _ORDERED_BY and any(_is_set(a, sets) for a in node.args):
            return True  # max(<generator over a set>, key=...): its own loop is caught above
    return False


def _floats(text: str) -> bool:
    return "(float)" in text or "float]" in text


def _varies(elsewhere: tuple[int, int], theirs: bool) -> str:
    """What their records say of the same program elsewhere, when their verdict on it is not
    one verdict: '' otherwise. `elsewhere`: (loops they passed, loops they failed) of this
    program of this task, over every model and loop of their records (this one included)."""
    passed, failed = elsewhere
    other = failed if theirs else passed
    if not other:
        return ""
    word = "fail" if theirs else "pass"
    return (
        f"their own records {word} this same program in {other} of {passed + failed} recorded loops: "
        "their verdict on one program is not one verdict (their timing, or an order that follows "
        "the interpreter's hash seed)"
    )


def why_we_fail(
    record: Mapping[str, Any],
    code: str | None,
    c0: Mapping[str, Any] | None,
    c0_seconds: float,
    elsewhere: tuple[int, int] = (0, 0),
    limits: str = LIMITS,
) -> tuple[str, str]:
    """(class, detail) of a function they passed and we failed (`limits`: the limits its check
    ran under, in words)."""
    category, detail = str(record["category"]), str(record.get("detail", ""))[:200]
    text = _failure_text(record)
    if code is None or category == "extraction":
        return "extraction", "their extraction rule finds no code in the recorded reply"
    if c0 is not None and not c0["passed"]:
        c0_detail = str(c0.get("detail", ""))[:160]
        if c0["category"] == "timeout":
            return (
                "timeout",
                f"C0 itself times out here ({c0_seconds:.1f} s on the host over all inputs); {limits}",
            )
        return "harness", f"C0 itself fails this suite's check here ({c0['category']}: {c0_detail})"
    if category == "timeout" or any(f.get("kind") == "timeout" for f in record.get("failures") or []):
        return "timeout", f"{detail}; {limits}"
    if TOO_LARGE in text:
        return "harness", f"an output over the codec's value limit: {detail}"
    if category == "tampering" and record.get("decided_by") == "screen":
        return "ours", f"the static screen flagged honest code: {detail}"
    if category == "crash" and any(w in text.lower() for w in ("memory", "exhausted", "killed", "sigkill")):
        return "harness", f"a limit of the sandbox: {detail}"
    module = _missing_module(text)
    if module is not None:
        return "harness", (
            f"imports {module}, which is not in the standard library: the sandbox is python3 alone "
            f"(sandbox/Dockerfile), EvalPlus's environment has it installed: {detail}"
        )
    if "(opaque" in text or "<numpy" in text or "Opaque" in text:
        return "type", f"a type our codec does not carry: {detail}"
    if _floats(text):
        return "tolerance", detail
    n_failed, n_inputs = int(record.get("n_failed") or 0), int(record.get("n_inputs") or 0)
    few = 0 < n_failed <= max(1, n_inputs // 10)
    if category == "semantic" and few and "'" in text and _iterates_a_set(code):
        return "harness", (
            "its answer follows the order in which it iterates a set of strings, which follows the "
            "interpreter's hash seed (fixed here for C0 and candidate alike, random per run in "
            f"EvaLooop's harness): {detail}"
        )
    varies = _varies(elsewhere, True)
    if varies:
        return "harness", f"{varies}: {detail}"
    return "ours", f"not explained by the rules: {detail}"


def why_they_fail(
    record: Mapping[str, Any],
    seconds: float,
    c0_seconds: float,
    elsewhere: tuple[int, int] = (0, 0),
    limits: str = LIMITS,
) -> tuple[str, str]:
    """(class, detail) of a function they failed and we passed (`limits`: as `why_we_fail`)."""
    here = f"passes all {record.get('n_inputs', '?')} inputs here in {seconds:.2f} s (C0: {c0_seconds:.2f} s)"
    if seconds > 2 * c0_seconds + 1.0:
        return "timeout", f"{here}: slower than EvalPlus's limit of 2 x C0's time ({limits})"
    varies = _varies(elsewhere, False)
    if varies:
        return "harness", f"{here}; {varies}"
    return "harness", f"{here}; their records do not say what failed on their side"


def classify(
    model: str,
    task: str,
    loop: int,
    theirs: bool,
    record: Mapping[str, Any],
    code: str | None,
    c0: Mapping[str, Any] | None,
    c0_seconds: float,
    elsewhere: tuple[int, int] = (0, 0),
    limits: str = LIMITS,
) -> Disagreement:
    """The class of one disagreement (`record`: our verdicts on the function, both modes;
    `elsewhere`: their passes and fails of the same program over all their records; `limits`:
    the limits its check ran under, in words, `limits_text`)."""
    ours = record["evalplus"]
    if theirs:
        cls, detail = why_we_fail(ours, code, c0, c0_seconds, elsewhere, limits)
    else:
        cls, detail = why_they_fail(ours, float(record.get("seconds") or 0.0), c0_seconds, elsewhere, limits)
    return Disagreement(
        model, task, loop, theirs, "pass" if ours["passed"] else str(ours["category"]), cls, detail
    )
