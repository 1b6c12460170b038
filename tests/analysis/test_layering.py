"""Layering: the core (what runs during an eval) never imports `roundtrip_eval.analysis`.

Checked two ways: statically, no import statement outside `analysis/` names it (absolute or
relative); and at run time, importing every core module and computing the eval's own gap
metric (the one that needs statistics) leaves no `roundtrip_eval.analysis` module loaded.
The places that name the package are the two command lines' `SUBCOMMANDS` lists (`cli/`), as
strings, imported only when `roundtrip-eval` or `roundtrip-eval-dev` builds its parser.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import roundtrip_eval

PACKAGE = Path(roundtrip_eval.__file__).parent
ANALYSIS = "roundtrip_eval.analysis"


def core_modules() -> dict[str, Path]:
    """Every module of the package outside analysis/, by dotted name."""
    modules = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE)
        if rel.parts[0] == "analysis":
            continue
        parts = ["roundtrip_eval", *rel.with_suffix("").parts]
        if parts[-1] == "__init__":
            parts.pop()
        modules[".".join(parts)] = path
    return modules


def imported_names(module: str, path: Path) -> set[str]:
    """Every module an import statement of `path` names, relative imports resolved."""
    is_package = path.name == "__init__.py"
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split(".")[: len(module.split(".")) - node.level + (1 if is_package else 0)]
                prefix = ".".join(base + ([node.module] if node.module else []))
            else:
                prefix = node.module or ""
            names.add(prefix)
            names.update(f"{prefix}.{alias.name}" for alias in node.names)
    return names


def test_no_core_module_imports_analysis() -> None:
    modules = core_modules()
    assert "roundtrip_eval.eval.metrics" in modules and "roundtrip_eval.stats.difference" in modules
    offenders = {
        module: sorted(
            n for n in imported_names(module, path) if n == ANALYSIS or n.startswith(ANALYSIS + ".")
        )
        for module, path in modules.items()
    }
    assert {m: names for m, names in offenders.items() if names} == {}
    # a module name in a string (for importlib) is only in the command lines' subcommand lists
    dynamic = [m for m, path in modules.items() if any(_names_analysis(c) for c in _strings(path))]
    assert dynamic == ["roundtrip_eval.cli", "roundtrip_eval.cli.maintainer"]


def _strings(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)]


def _names_analysis(text: str) -> bool:
    """A dotted module name of the package (docstrings, which have spaces, do not count)."""
    return (text == ANALYSIS or text.startswith(ANALYSIS + ".")) and not any(c.isspace() for c in text)


def test_the_relative_import_resolver_would_catch_an_offender(tmp_path: Path) -> None:
    (tmp_path / "bad.py").write_text("from .analysis import stats\nfrom . import analysis\n")
    names = imported_names("roundtrip_eval.bad", tmp_path / "bad.py")
    assert {"roundtrip_eval.analysis.stats", "roundtrip_eval.analysis"} <= names


RUNTIME_CHECK = """
import importlib, sys
from inspect_ai.scorer import SampleScore, Score
names = sys.argv[1:]
for name in names:
    importlib.import_module(name)
from roundtrip_eval.eval.metrics import generalization_gap
scores = [
    SampleScore(score=Score(value=v), sample_metadata={"familiarity": f, "pair": "p"})
    for v, f in ((1, "known"), (1, "known"), (0, "novel"), (1, "novel"))
]
gap = generalization_gap()(scores)
assert gap["gap"] == 0.5, gap
loaded = sorted(m for m in sys.modules if m.startswith("roundtrip_eval.analysis"))
print(len(names), "core modules;", "analysis loaded:", loaded)
sys.exit(1 if loaded else 0)
"""


def test_an_eval_time_import_of_the_core_loads_no_analysis_module() -> None:
    result = subprocess.run(
        [sys.executable, "-c", RUNTIME_CHECK, *core_modules()],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "analysis loaded: []" in result.stdout
