"""Measured difficulty of known/novel twin problems, so that "known survives, novel collapses"
is never an artefact of one twin simply being bigger or more branchy than the other.

Two static measures of a reference function C0:

- **AST node count** (`ast_node_count`): every node that `ast.walk` yields for the parsed
  source, the `Module` root included, *except* the expression-context markers `Load`, `Store`
  and `Del` (they carry no structure of their own, only say how a name is used). Operator
  nodes (`Add`, `Eq`, `And`, ...) are counted: each stands for one token of the program.
  Example: ``x = 1`` counts 4 (`Module`, `Assign`, `Name`, `Constant`).

- **Cyclomatic complexity** (`cyclomatic_complexity`), McCabe's number for the whole source
  taken as one routine: ``1 + decision points``, where each of these counts 1:

  - an `if` statement, and each `elif` (an `elif` is a nested `if` in the AST); `else` counts 0;
  - a `for` / `async for` loop and a `while` loop (their `else` clauses count 0);
  - each `except` handler of a `try` (`finally` and the `try`'s `else` count 0);
  - a conditional expression ``a if c else b``;
  - each extra operand of a boolean operator: ``a and b`` counts 1, ``a or b or c`` counts 2;
  - each `for` and each `if` clause of a comprehension or generator expression;
  - each `case` of a `match` statement;
  - an `assert` (a conditional raise).

  `with`, `return`, `break`, `continue`, `raise`, `lambda` and nested function definitions
  count 0 (so a helper function adds its decisions, not another 1).

**Matched difficulty** (`within_band`): two values a and b are matched when
``abs(a - b) / max(a, b) <= 0.25`` (two zeros are matched). A twin pair is matched when both
its node counts and its complexities are. `tests/test_twins.py` enforces this for every pair.

`pair_table()` reads every problem folder whose `task.toml` has a `pair` key and reports per
pair the known and the novel member side by side; `roundtrip-eval-dev difficulty` prints it as
Markdown (the table in tasks/README.md).
"""

from __future__ import annotations

import argparse
import ast
from typing import Any

from roundtrip_eval.problems.load import list_problems, load_problem

BAND = 0.25

_CONTEXTS = (ast.Load, ast.Store, ast.Del)


def ast_node_count(source: str) -> int:
    """Number of AST nodes in `source`, expression contexts (Load/Store/Del) excluded."""
    tree = ast.parse(source)
    return sum(1 for node in ast.walk(tree) if not isinstance(node, _CONTEXTS))


def _decisions(node: ast.AST) -> int:
    if isinstance(node, ast.If | ast.For | ast.AsyncFor | ast.While | ast.IfExp | ast.Assert):
        return 1
    if isinstance(node, ast.ExceptHandler):
        return 1
    if isinstance(node, ast.BoolOp):
        return len(node.values) - 1
    if isinstance(node, ast.comprehension):
        return 1 + len(node.ifs)
    if isinstance(node, ast.match_case):
        return 1
    return 0


def cyclomatic_complexity(source: str) -> int:
    """McCabe complexity of `source`: 1 + its decision points (the rule is in the module doc)."""
    tree = ast.parse(source)
    return 1 + sum(_decisions(node) for node in ast.walk(tree))


def ratio(a: int | float, b: int | float) -> float:
    """The relative gap ``abs(a - b) / max(a, b)`` (0.0 when both are 0)."""
    top = max(a, b)
    return 0.0 if top == 0 else abs(a - b) / top


def within_band(a: int | float, b: int | float, band: float = BAND) -> bool:
    """True when ``abs(a - b) / max(a, b) <= band`` (default ±25%)."""
    return ratio(a, b) <= band + 1e-12


def _member(name: str) -> dict[str, Any]:
    problem = load_problem(name)
    classes = sorted({c for cls in problem.probe_classes for c in cls})
    return {
        "name": problem.name,
        "familiarity": problem.familiarity,
        "domain": problem.domain,
        "twin": problem.metadata.get("twin"),
        "nodes": ast_node_count(problem.reference),
        "complexity": cyclomatic_complexity(problem.reference),
        "inputs": len(problem.inputs),
        "cases": problem.n_cases,
        "classes": classes,
    }


def pair_members() -> dict[str, list[str]]:
    """Pair id -> the names of the problem folders that declare it (sorted)."""
    pairs: dict[str, list[str]] = {}
    for name in list_problems():
        pair = load_problem(name).metadata.get("pair")
        if pair is not None:
            pairs.setdefault(str(pair), []).append(name)
    return pairs


def pair_table() -> list[dict[str, Any]]:
    """One row per twin pair: both members' sizes, complexities, ratios, inputs and classes.

    A row's `matched` is True when both `node_ratio` and `complexity_ratio`, each defined as
    ``abs(a - b) / max(a, b)``, are at most 0.25. A pair that does not have exactly one known
    and one novel member is still reported (with the members it has), so that the tests can
    name it; its missing side is None.
    """
    rows: list[dict[str, Any]] = []
    for pair, names in sorted(pair_members().items()):
        members = [_member(n) for n in names]
        known = [m for m in members if m["familiarity"] == "known"]
        novel = [m for m in members if m["familiarity"] == "novel"]
        k = known[0] if len(known) == 1 else None
        n = novel[0] if len(novel) == 1 else None
        row: dict[str, Any] = {
            "pair": pair,
            "members": names,
            "domain": (k or n or members[0])["domain"],
            "known": k["name"] if k else None,
            "novel": n["name"] if n else None,
        }
        for side, m in (("known", k), ("novel", n)):
            for key in ("nodes", "complexity", "inputs", "cases", "classes", "domain", "twin"):
                row[f"{side}_{key}"] = m[key] if m else None
        if k and n:
            row["node_ratio"] = ratio(k["nodes"], n["nodes"])
            row["complexity_ratio"] = ratio(k["complexity"], n["complexity"])
            row["matched"] = within_band(k["nodes"], n["nodes"]) and within_band(
                k["complexity"], n["complexity"]
            )
        else:
            row["node_ratio"] = row["complexity_ratio"] = None
            row["matched"] = False
        rows.append(row)
    return rows


def format_table(rows: list[dict[str, Any]] | None = None) -> str:
    """The pair table as Markdown (gaps are ``abs(a-b)/max(a,b)``; the band is 0.25)."""
    rows = pair_table() if rows is None else rows
    head = (
        "| pair | domain | known | novel | AST nodes (k/n) | gap | complexity (k/n) | gap "
        "| inputs (k/n) | probe classes known | probe classes novel |"
    )
    lines = [head, "|" + "---|" * 11]
    for r in rows:

        def fmt(value: float | None) -> str:
            return "-" if value is None else f"{value:.2f}"

        lines.append(
            f"| {r['pair']} | {r['domain']} | {r['known']} | {r['novel']} "
            f"| {r['known_nodes']}/{r['novel_nodes']} | {fmt(r['node_ratio'])} "
            f"| {r['known_complexity']}/{r['novel_complexity']} | {fmt(r['complexity_ratio'])} "
            f"| {r['known_inputs']}/{r['novel_inputs']} "
            f"| {', '.join(r['known_classes'] or [])} | {', '.join(r['novel_classes'] or [])} |"
        )
    return "\n".join(lines)


def _print_table(args: argparse.Namespace) -> int:
    print(format_table())
    return 0


def register_cli(subparsers: Any) -> None:
    """Add `difficulty` to the `roundtrip-eval-dev` command (listed in cli/maintainer.py)."""
    parser = subparsers.add_parser(
        "difficulty",
        help="the twin pairs' measured difficulty (AST nodes, complexity) as a Markdown table",
        description="Print, per known/novel twin pair, both members' AST node counts and "
        "cyclomatic complexities with their relative gaps (matched when both are within 25%).",
    )
    parser.set_defaults(func=_print_table)
