"""The private Inspect names we rely on are where `_inspect_private` expects them.

Why fail loudly: each one has a fallback, so an Inspect release that moves one would degrade
quietly (a traceback instead of one line, replay finding no line, an unknown sandbox refused
later). This test is the alarm: it names the module and the name to look for.
"""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

import roundtrip_eval._registry  # noqa: F401 - registers roundtrip-docker
from roundtrip_eval import _inspect_private as private

PACKAGE = Path(private.__file__).parent


@pytest.mark.parametrize(
    ("module", "name"), [(m, n) for m, names in private.PRIVATE_NAMES.items() for n in names]
)
def test_each_private_name_is_still_where_inspect_kept_it(module: str, name: str) -> None:
    try:
        found = importlib.import_module(module)
    except ImportError:
        pytest.fail(
            f"Inspect moved {module} (we import {name} from it): update roundtrip_eval/_inspect_private.py"
        )
    assert hasattr(found, name), f"Inspect's {module} no longer has {name}: update _inspect_private.py"


def test_the_wrappers_use_inspects_objects_not_the_fallbacks() -> None:
    from inspect_ai._util.error import PrerequisiteError
    from inspect_ai.util._sandbox.environment import RootAccess

    assert private.PrerequisiteError is PrerequisiteError
    assert private.RootAccess is RootAccess
    assert issubclass(private.OneLineError, PrerequisiteError) and issubclass(
        private.OneLineError, ValueError
    )
    assert private.active_sample_key() is None  # outside a sample
    assert private.sandbox_lifecycle_state(dict) is None  # outside an eval's sandbox lifecycle
    providers = private.sandbox_providers("local")
    assert providers is not None and {"local", "docker", "roundtrip-docker"} <= set(providers)
    assert private.find_sandboxenv("local").__name__ == "LocalSandboxEnvironment"
    with pytest.raises(ValueError, match="not recognized"):
        private.find_sandboxenv("no-such-provider")


def test_no_other_module_imports_a_private_inspect_name() -> None:
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.name == "_inspect_private.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            modules = [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            for module in modules:
                parts = module.split(".")
                if parts[0] == "inspect_ai" and any(p.startswith("_") for p in parts[1:]):
                    offenders.append(f"{path.relative_to(PACKAGE)}: {module}")
    assert offenders == [], "import private Inspect names through roundtrip_eval._inspect_private"
    assert set(private.PRIVATE_NAMES) >= {"inspect_ai._util.error", "inspect_ai.log._samples"}
