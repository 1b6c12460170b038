"""The import-layer rule: each room of the package imports only the rooms below it.

    runner (stdlib only: it is sent into the sandbox)      stats (pure numbers)
    problems  <  check  <  sandbox  <  eval  <  analysis  <  cli

`_inspect_private`, `resources` and the package root are foundations anyone may use;
`local_model` may use `eval` (its server shares the eval's liveness probe). Nothing in the
package imports `studies` or `tests`. Every import statement counts, the lazy ones inside
functions included, and module names in strings (for `importlib`) count too, except in `cli`,
the shell that wires the subcommands. The runtime half of the rule (an eval-time import loads
no `analysis` module) is `tests/analysis/test_layering.py`.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"
ROOT = "roundtrip_eval"
FOUNDATION = {"", "_inspect_private", "resources"}
"""Rooms anyone may import (the package root, its private-Inspect shim, its data locator)."""

ALLOWED: dict[str, set[str]] = {
    "check.runner": set(),
    "stats": set(),
    "_inspect_private": set(),
    "resources": set(),
    "problems": {"check.runner", "stats"},
    "check": {"problems", "stats"},
    "sandbox": {"check", "problems"},
    "eval": {"check", "problems", "sandbox", "stats"},
    "local_model": {"eval"},
    "analysis": {"eval", "check", "problems", "sandbox", "stats", "local_model", "_registry"},
    "_registry": {"eval", "sandbox"},
    "cli": {"*"},
    "": {"eval"},  # the package root forwards the @task functions lazily
}
"""Room (a dotted prefix under roundtrip_eval; longest match wins) -> rooms it may import."""

STDLIB_ONLY = {"check.runner"}
"""Rooms sent into the sandbox: they import only the standard library and each other."""


def modules() -> dict[str, Path]:
    found = {}
    for path in sorted((SRC / ROOT).rglob("*.py")):
        name = ".".join(path.relative_to(SRC).with_suffix("").parts).removesuffix(".__init__")
        found[name] = path
    return found


def room(module: str) -> str:
    rel = module.removeprefix(ROOT).removeprefix(".")
    best = ""
    for candidate in ALLOWED:
        if candidate and (rel == candidate or rel.startswith(candidate + ".")) and len(candidate) > len(best):
            best = candidate
    return best


def imports(module: str, path: Path) -> set[str]:
    """Every module an import statement of `path` names (relative imports resolved), lazy ones too."""
    package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(parts + ([base] if base else []))
            names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names)
    return names


def dotted_strings(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {
        n.value
        for n in ast.walk(tree)
        if isinstance(n, ast.Constant) and isinstance(n.value, str)
        and (n.value.startswith(ROOT + ".") or n.value in ("studies", "tests"))
        and not any(c.isspace() for c in n.value) and "/" not in n.value
    }


def violations(known: dict[str, Path]) -> list[str]:
    """One line per (module, room it must not import)."""
    found: list[str] = []
    for module, path in known.items():
        mine = room(module)
        allowed = ALLOWED[mine]
        names = imports(module, path)
        if mine != "cli":
            names |= dotted_strings(path)
        for name in sorted(names):
            top = name.split(".")[0]
            if top in ("studies", "tests"):
                found.append(f"{module} imports {top}")
                continue
            if top != ROOT:
                continue
            target = room(name)
            if mine in STDLIB_ONLY:
                line = f"{module} (stdlib only) imports [{target}]"
                if target != mine and target not in STDLIB_ONLY and line not in found:
                    found.append(line)
                continue
            if target in FOUNDATION or target == mine or target.startswith(mine + ".") or "*" in allowed:
                continue
            line = f"{module} [{mine or 'root'}] imports [{target}]"
            if not any(target == a or target.startswith(a + ".") for a in allowed) and line not in found:
                found.append(line)
    return found


def test_every_module_has_a_room() -> None:
    known = modules()
    assert len(known) > 60
    for module in known:
        assert module == ROOT or room(module), f"{module} is in no room of ALLOWED"


def test_each_room_imports_only_the_rooms_below_it() -> None:
    assert violations(modules()) == []


def test_the_rule_would_catch_an_offender(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text(
        "import json\nfrom roundtrip_eval.analysis import report\n"
        "def later():\n    from roundtrip_eval.cli import main\n    import studies.generalization\n"
        "NAME = 'roundtrip_eval.analysis.export'\n"
    )
    runner = tmp_path / "runner.py"
    runner.write_text("from roundtrip_eval.stats import difference\n")
    found = violations({f"{ROOT}.eval.bad": bad, f"{ROOT}.check.runner": runner})
    assert len(found) == 4, found  # analysis, cli, studies; the runner's stats


def _runner_parts() -> list[str]:
    return sorted(m for m in modules() if room(m) in STDLIB_ONLY)


def test_the_runner_has_its_parts() -> None:
    wanted = ("protocol", "codec", "slate", "confine", "candidate", "supervisor", "boot")
    assert {f"{ROOT}.check.runner.{p}" for p in wanted} <= set(_runner_parts())


@pytest.mark.parametrize("module", _runner_parts())
def test_every_part_of_the_runner_is_stdlib_only(module: str) -> None:
    # the runner is sent into a sandbox that has python3 and nothing else: a part may import
    # the standard library and the runner's own parts, nothing more
    names = imports(module, modules()[module])
    foreign = {
        n for n in names
        if n.split(".")[0] not in sys.stdlib_module_names
        and not (n == f"{ROOT}.check.runner" or n.startswith(f"{ROOT}.check.runner."))
    }
    assert not foreign, f"{module} imports {sorted(foreign)}"
