"""Locate package data (tasks/, sandbox/, prompts/) from the installed package.

Data must never be resolved against the current directory: Inspect runs installed tasks
from wherever the user happens to be. A wheel carries the repo's `tasks/` and `sandbox/`
under `roundtrip_eval/_data/`; an editable/source checkout finds them at the repo root.
"""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent


def data_dir(name: str) -> Path:
    """Return the directory of a data folder (`tasks` or `sandbox`)."""
    installed = PACKAGE_DIR / "_data" / name
    if installed.is_dir():
        return installed
    source = PACKAGE_DIR.parents[1] / name
    if source.is_dir():
        return source
    raise FileNotFoundError(
        f"roundtrip-eval data folder '{name}' not found in {installed} or {source}; "
        "reinstall the package (pip install roundtrip-eval) from a complete wheel or checkout."
    )


def prompts_dir() -> Path:
    return PACKAGE_DIR / "eval" / "prompts"
