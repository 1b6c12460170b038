"""The optional `analysis` extra (matplotlib, pandas, pyarrow): one clear line when it is missing.

Why: the benchmark installs without it (`pip install roundtrip-eval`), and most analysis works
without it too (summary, export to jsonl/csv, rescore-upstream, every table). What needs it,
the report's figures and Parquet files, checks here first, so a plain install gets one line
naming the extra to install instead of a `ModuleNotFoundError` traceback.
"""

from __future__ import annotations

import importlib

EXTRA = "analysis"
INSTALL_HINT = "pip install 'roundtrip-eval[analysis]'"


class MissingExtraError(RuntimeError):
    """A module of the `analysis` extra is not installed; the message says what to install."""


def require(module: str, user: str) -> None:
    """Import `module` (e.g. `matplotlib`), or raise MissingExtraError naming the extra.

    `user` names what needs it, as the subject of the message: "`roundtrip-eval report`
    (its figures)" gives "`roundtrip-eval report` (its figures) needs matplotlib, ...".
    """
    try:
        importlib.import_module(module)
    except ImportError as exc:
        raise MissingExtraError(
            f"{user} needs {module}, part of the `{EXTRA}` extra: {INSTALL_HINT}"
        ) from exc
