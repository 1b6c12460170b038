"""Import one of `benchmarks/*.py` as a module, so a test can call its functions directly.

The scripts are not a package (they run as `python scripts/X.py`), so each is loaded from its
file and registered in `sys.modules` (dataclasses and pickling need the module to be findable).
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[1]


def load_script(name: str, folder: str = "benchmarks") -> ModuleType:
    """`<folder>/<name>.py` (`benchmarks/`) as a module named `<name>_script`."""
    spec = importlib.util.spec_from_file_location(f"{name}_script", ROOT / folder / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module
