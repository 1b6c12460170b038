"""Drift: how a chain changed, decided from evidence that can be checked in the log.

Pure functions only. The checker tells *which* inputs differ from C0 and which probe classes
they belong to; this module turns that into a category (ROUNDTRIP.md §6), and measures the
changes of surviving cycles: fixed points, similarity to C0, spec similarity.

- `boundary`: every differing input is an edge input (empty, zero, negative, limits).
- `feature_added` / `feature_dropped`: every differing input shares one probe class (say
  `case`, or `multiple_15`) and no other inputs differ; whether something was added or dropped
  is read from the code: operations (calls, attributes, branches, constants) that appeared vs
  disappeared between the last passing code and the failing one.
- `semantic`: any other difference in values.
"""

from __future__ import annotations

import ast
import difflib
import re
from collections import Counter
from typing import Any

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
"""Every first-failure category (ROUNDTRIP.md §6); `none` = the trial survived. The order is
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


def feature_direction(previous_code: str | None, code: str | None) -> str:
    """`feature_added` if the failing code gained operations, `feature_dropped` if it lost.

    Only kinds of operation that appeared or disappeared count, not how often a kind is used:
    multiplicity is refactoring noise (two `"".join(...)` merged into one is not a lost
    feature; a real upstream case lowercased its input while merging two joins, and counting
    occurrences called that a drop).
    """
    before, after = set(_operations(previous_code)), set(_operations(code))
    gained, lost = len(after - before), len(before - after)
    return "feature_added" if gained >= lost else "feature_dropped"


def refine(
    check: dict[str, Any],
    class_sizes: dict[str, int],
    previous_code: str | None,
    code: str | None,
) -> tuple[str, list[str]]:
    """Refine a `semantic` verdict into boundary / feature_* / semantic.

    Returns the category and the probe classes where behaviour changed (every class that
    holds all the differing inputs).
    """
    category = str(check.get("category", "semantic"))
    n_failed = int(check.get("n_failed", 0))
    failed = {c: k for c, k in dict(check.get("failed_classes", {})).items() if k}
    shared = sorted(c for c, k in failed.items() if k == n_failed)
    if category != "semantic" or n_failed == 0:
        return category, sorted(failed)
    if "edge" in shared:
        return "boundary", shared
    specific = [c for c in shared if c not in GENERIC_CLASSES]
    # the class must hold every failure and not be the whole input space
    if specific and any(class_sizes.get(c, 0) < int(check.get("n_inputs", 0)) for c in specific):
        return feature_direction(previous_code, code), specific
    return "semantic", sorted(failed)


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
