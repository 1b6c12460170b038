"""Drift: how a chain changed, decided from evidence that can be checked in the log.

Pure functions only. The checker tells *which* inputs differ from C0 and which probe classes
they belong to; this module turns that into a category (docs/design.md#drift-categories), and measures the
changes of surviving cycles: fixed points, similarity to C0, spec similarity.

Where one kind of failure ends and the next begins (the one place this is written down; the
README's drift paragraph repeats it):

- `extraction`: the f reply holds no code at all (`extract.py` says what counts as code).
  Code that is there but does not parse is `syntax` (another language, pseudocode, lines in
  inline backticks); Python that parses but does not define the target is `signature`, and the
  detail names what it defines.
- `spec_failure`: g gave nothing to go on: no content once `<think>` blocks, fence lines and
  whitespace are removed, or a "spec" that is the code itself (Python defining the function,
  or the previous code quoted verbatim). f is not asked.
- `return_type`: a value of a type C0 never returns, or the same value converted (`"1"` for
  `1`, `True` for `1`, a tuple that joins to the expected string); decided per input by
  `check.host.mismatch_kind`. A wrong value of a type C0 also returns (`7` where fizzbuzz expected
  `"Fizz"`) is a wrong value, `semantic`, refined below.
- `None` where C0 returns a value is not a type change but a lost value, a branch that returns
  nothing: on edge inputs only it is `boundary`; on the inputs of one probe class (any class
  smaller than the input space, `plain` included) it is `feature_dropped`; spread wider, the
  function returns nothing in general, and it stays `return_type`.
- `boundary`: every differing input is an edge input (empty, zero, negative, limits).
- `feature_added` / `feature_dropped`: every differing input shares one specific probe class
  (say `case`, or `multiple_15`; not `plain`) and no other inputs differ; whether something was
  added or dropped is read from the code: operations (calls, attributes, branches, constants)
  that appeared vs disappeared between the last passing code and the failing one.
- `semantic`: any other difference in values.

Every failure's `detail` names the smallest differing input with expected vs actual, and for
`boundary` / `feature_*` the probe class and how much of it differs (`explain`).
"""

from __future__ import annotations

import ast
import difflib
import re
from collections import Counter
from collections.abc import Sequence
from typing import Any

from roundtrip_eval.eval.record import Cycle

CATEGORIES = (
    "none",
    "extraction",
    "syntax",
    "signature",
    "crash",
    "timeout",
    "tampering",
    "return_type",
    "semantic",
    "boundary",
    "feature_added",
    "feature_dropped",
    "spec_failure",
)
"""Every first-failure category (docs/design.md#drift-categories); `none` = the trial survived. The order is
the order of every table and metric that lists them."""

GENERIC_CLASSES = {"plain", "edge"}
FEATURE_CATEGORIES = ("boundary", "feature_added", "feature_dropped")


class _Normalise(ast.NodeTransformer):
    """Rename locals and arguments to v0, v1, ... in order of appearance; drop docstrings."""

    def __init__(self) -> None:
        self.names: dict[str, str] = {}

    def _name(self, name: str) -> str:
        return self.names.setdefault(name, f"v{len(self.names)}")

    def visit_FunctionDef(self, node: ast.FunctionDef) -> ast.AST:
        body = node.body
        first = body[0] if body else None
        is_doc = isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant)
        if is_doc and isinstance(first.value.value, str):  # type: ignore[union-attr]
            node.body = body[1:] or [ast.Pass()]
        node.returns = None
        self.generic_visit(node)
        return node

    def visit_arg(self, node: ast.arg) -> ast.AST:
        node.arg = self._name(node.arg)
        node.annotation = None
        return node

    def visit_Name(self, node: ast.Name) -> ast.AST:
        if isinstance(node.ctx, ast.Store) or node.id in self.names:
            node.id = self._name(node.id)
        return node

    def visit_Constant(self, node: ast.Constant) -> ast.AST:
        node.value = _dumpable(node.value)
        return node


def _dumpable(value: Any) -> Any:
    """An int too long for `repr` (the int/str limit, e.g. a 5,000-digit hex literal) as hex text."""
    if type(value) is int:
        try:
            repr(value)
        except ValueError:
            return f"<int 0x{value:x}>"
    return value


def normalised_ast(code: str | None) -> str | None:
    """A canonical dump of the code's AST (names, docstrings, annotations normalised).

    Code nested too deeply for the recursive dump (600 unary minuses) gets its whitespace-
    normalised text instead: still equal for equal code, and never an error of the sample.
    """
    if not code:
        return None
    try:
        tree = ast.parse(code)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    try:
        return ast.dump(_Normalise().visit(tree), annotate_fields=False, include_attributes=False)
    except (ValueError, RecursionError, MemoryError):
        return "<too deep to normalise> " + " ".join(code.split())


def _tokens(dump: str) -> list[str]:
    return re.findall(r"[A-Za-z_]\w*|'[^']*'|-?\d+|[^\s\w]", dump)


def ast_similarity(a: str | None, b: str | None) -> float:
    """Similarity of two codes' normalised ASTs, from 0 to 1 (difflib ratio of tokens)."""
    na, nb = normalised_ast(a), normalised_ast(b)
    if na is None or nb is None:
        return 0.0
    if na == nb:
        return 1.0
    return round(difflib.SequenceMatcher(None, _tokens(na), _tokens(nb), autojunk=False).ratio(), 4)


def text_similarity(a: str | None, b: str | None) -> float:
    """Word-level similarity of two specs, from 0 to 1."""
    if not a or not b:
        return 0.0
    return round(difflib.SequenceMatcher(None, a.split(), b.split(), autojunk=False).ratio(), 4)


def sentences(text: str) -> list[str]:
    """Spec lines/sentences, whitespace-normalised (pseudocode is line-based, prose is not)."""
    parts = re.split(r"(?<=[.!?。])\s+|\n+", text)
    return [" ".join(p.split()) for p in parts if p.strip()]


def spec_diff(previous: str | None, current: str | None, limit: int = 3) -> dict[str, list[str]]:
    """Sentences of the last passing spec that the failing one lost, and the ones it gained."""
    old, new = sentences(previous or ""), sentences(current or "")
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    removed: list[str] = []
    added: list[str] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag in ("delete", "replace"):
            removed.extend(old[i1:i2])
        if tag in ("insert", "replace"):
            added.extend(new[j1:j2])
    return {"removed": removed[:limit], "added": added[:limit]}


def _operations(code: str | None) -> Counter[str]:
    """The operations a code performs: calls, attributes, branches, comparisons, constants."""
    ops: Counter[str] = Counter()
    if not code:
        return ops
    try:
        tree = ast.parse(code)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return ops
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute):
            ops[f"attr:{node.attr}"] += 1
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            ops[f"call:{node.func.id}"] += 1
        elif isinstance(node, ast.If | ast.IfExp | ast.While | ast.For | ast.Try):
            ops[f"branch:{type(node).__name__}"] += 1
        elif isinstance(node, ast.Compare):
            ops.update(f"cmp:{type(op).__name__}" for op in node.ops)
        elif isinstance(node, ast.Constant):
            ops[f"const:{str(_dumpable(node.value))[:20]!r}"] += 1
    return ops


def feature_change(previous_code: str | None, code: str | None) -> tuple[str, list[str], list[str]]:
    """The direction (see `feature_direction`) with the operation kinds gained and lost."""
    before, after = set(_operations(previous_code)), set(_operations(code))
    gained, lost = sorted(after - before), sorted(before - after)
    return ("feature_added" if len(gained) >= len(lost) else "feature_dropped"), gained, lost


def feature_direction(previous_code: str | None, code: str | None) -> str:
    """`feature_added` if the failing code gained operations, `feature_dropped` if it lost.

    Only kinds of operation that appeared or disappeared count, not how often a kind is used:
    multiplicity is refactoring noise (two `"".join(...)` merged into one is not a lost
    feature; a real upstream case lowercased its input while merging two joins, and counting
    occurrences called that a drop).
    """
    return feature_change(previous_code, code)[0]


NO_VALUE = "None (NoneType)"
"""How the checker shows an actual `None` (`check.host._describe`)."""


def returns_nothing(failures: Sequence[dict[str, Any]] | None) -> bool:
    """Every shown failure is `None` where C0 returned a value (judged on the failures the
    check keeps, the smallest five)."""
    shown = list(failures or [])
    return bool(shown) and all(
        f.get("actual") == NO_VALUE and not str(f.get("expected", "")).startswith("raised")
        for f in shown
    )


def bound_names(code: str | None) -> list[str] | None:
    """Names the code binds at its top level (functions, classes, assignments, imports), in
    order; None when it does not parse."""
    if not code:
        return None
    try:
        tree = ast.parse(code)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    names: list[str] = []
    statements = list(tree.body)
    while statements:
        node = statements.pop(0)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.append(node.name)
        elif isinstance(node, ast.Assign | ast.AnnAssign | ast.AugAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names += [n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)]
        elif isinstance(node, ast.Import | ast.ImportFrom):
            names += [(a.asname or a.name).split(".")[0] for a in node.names]
        elif isinstance(node, ast.If | ast.Try | ast.With | ast.For | ast.While):
            # a module-level block binds module names too (`if X: def f(...)`, `try: import`)
            handlers = [h.body for h in getattr(node, "handlers", [])]
            for body in (node.body, getattr(node, "orelse", []), getattr(node, "finalbody", []), *handlers):
                statements.extend(body)
    return list(dict.fromkeys(names))


def lacks_target(code: str | None, function: str | None) -> bool:
    """Python that parses but never binds the target name: a `signature` failure, whatever
    running it did (an expression that raises at import is still code without the function)."""
    names = bound_names(code)
    return function is not None and names is not None and function not in names


def refine(
    check: dict[str, Any],
    class_sizes: dict[str, int],
    previous_code: str | None,
    code: str | None,
    function: str | None = None,
) -> tuple[str, list[str]]:
    """Refine a check's verdict: a crash or timeout of code without the target function is
    `signature`; `semantic` (and `None` in place of values) into boundary / feature_* / semantic.

    Returns the category and the probe classes where behaviour changed (every class that
    holds all the differing inputs).
    """
    category = str(check.get("category", "semantic"))
    if category in ("crash", "timeout") and lacks_target(code, function):
        return "signature", []
    n_failed = int(check.get("n_failed", 0))
    n_inputs = int(check.get("n_inputs", 0))
    failed = {c: k for c, k in dict(check.get("failed_classes", {})).items() if k}
    shared = sorted(c for c, k in failed.items() if k == n_failed)
    if category == "return_type" and n_failed and returns_nothing(check.get("failures")):
        if "edge" in shared:
            return "boundary", shared
        one_class = [c for c in shared if class_sizes.get(c, 0) < n_inputs]
        if one_class:
            return "feature_dropped", one_class
    if category != "semantic" or n_failed == 0:
        return category, sorted(failed)
    if "edge" in shared:
        return "boundary", shared
    specific = [c for c in shared if c not in GENERIC_CLASSES]
    # the class must hold every failure and not be the whole input space
    if specific and any(class_sizes.get(c, 0) < int(check.get("n_inputs", 0)) for c in specific):
        return feature_direction(previous_code, code), specific
    return "semantic", sorted(failed)


def _excerpt(text: str | None, limit: int = 70) -> str:
    """The first `limit` characters of a text on one line, as a repr a reader can match."""
    flat = " ".join((text or "").split())
    return repr(flat if len(flat) <= limit else flat[: limit - 3] + "...")


def _syntax_error_line(code: str | None) -> str | None:
    """The line where the code stops parsing, as written (parsing only; nothing runs)."""
    if not code:
        return None
    try:
        ast.parse(code)
    except SyntaxError as error:
        lines = code.splitlines()
        if error.lineno and 0 < error.lineno <= len(lines):
            return f"line {error.lineno}: {_excerpt(lines[error.lineno - 1])}"
    except (ValueError, RecursionError, MemoryError):
        return None
    return None


def explain(
    category: str,
    record: Cycle,
    changed: list[str],
    class_sizes: dict[str, int],
    previous_code: str | None = None,
    function: str | None = None,
) -> str:
    """The cycle's one-line detail under its final category, with what a reader needs to check
    the label in one glance: the smallest input with expected vs actual (the check's, kept), for
    `boundary` / `feature_*` the probe class, how much of it differs and why the direction, for
    `syntax` the line that does not parse, for `signature` what the code defines, and for
    `extraction` how the reply begins."""
    detail, code, check = record.detail or "", record.code, record.check
    reason = detail.split(": ", 1)[-1] if detail else ""
    line = f"{category}: {reason}" if reason else category
    if category == "extraction":
        reply = record.code_reply
        return f"{line}; the reply ({len(reply or '')} characters) begins {_excerpt(reply)}"
    if category == "syntax":
        where = _syntax_error_line(code)
        return f"{line}; {where}" if where and where not in line else line
    if category == "signature" and function and check and check.category != "signature":
        defined = ", ".join(bound_names(code) or []) or "nothing"
        return f"signature: no function {function}() in the code (it defines: {defined}); run: {reason}"
    if category == "signature" and "nothing callable" in reason and bound_names(code):
        return f"{line}; it binds only: {', '.join(bound_names(code) or [])}"
    if category not in FEATURE_CATEGORIES or not check or not changed:
        return line
    n_failed = check.n_failed
    classes = ", ".join(f"{c} ({n_failed} of its {class_sizes.get(c, n_failed)} inputs)" for c in changed)
    if category == "boundary":
        return f"{line}; every differing input is an edge input"
    line += f"; all in probe class {classes}, none outside it"
    if returns_nothing(check.failures):
        return line + "; these inputs now get None: a branch lost"
    _direction, gained, lost = feature_change(previous_code, code)
    return line + f"; operations gained: {', '.join(gained[:4]) or '-'}; lost: {', '.join(lost[:4]) or '-'}"


def evidence(
    check: dict[str, Any] | None,
    changed_classes: list[str],
    previous_spec: str | None,
    spec: str | None,
) -> dict[str, Any]:
    """What backs a category: smallest failing input, expected vs actual, classes, spec diff."""
    first = (check or {}).get("failures", [None])
    smallest = first[0] if first else None
    out: dict[str, Any] = {
        "changed_classes": changed_classes,
        "spec_diff": spec_diff(previous_spec, spec),
    }
    if smallest:
        out.update(
            input=smallest["input"], expected=smallest["expected"], actual=smallest["actual"]
        )
    return out
