"""roundtrip-eval: iterative code -> spec -> code stability benchmark for Inspect.

The `@task` functions are exported here (`from roundtrip_eval import fizzbuzz`), but imported
on first use: the tasks import Inspect, which takes seconds, and every `roundtrip_eval.*`
import (the CLI, the analysis) runs this file first. Inspect itself finds the tasks through the
`inspect_ai` entry point, `roundtrip_eval._registry`.
"""

from __future__ import annotations

import importlib
from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING, Any

try:
    __version__ = version("roundtrip-eval")
except PackageNotFoundError:  # running from a source tree without install
    __version__ = "0.0.0"

if TYPE_CHECKING:
    from roundtrip_eval.eval.tasks import (
        fizzbuzz,
        generalization_gap,
        get_magic_number,
        humaneval_plus,
        mbpp_plus,
        process_user_list,
        roundtrip,
        separate_vowels_and_consonants,
    )

TASKS = (
    "roundtrip",
    "generalization_gap",
    "fizzbuzz",
    "get_magic_number",
    "separate_vowels_and_consonants",
    "process_user_list",
    "mbpp_plus",
    "humaneval_plus",
)
"""The `@task` functions, all in `roundtrip_eval.eval.tasks`."""

__all__ = [
    "__version__",
    "fizzbuzz",
    "generalization_gap",
    "get_magic_number",
    "humaneval_plus",
    "mbpp_plus",
    "process_user_list",
    "roundtrip",
    "separate_vowels_and_consonants",
]


def __getattr__(name: str) -> Any:
    """Import a task from `roundtrip_eval.eval.tasks` the first time it is asked for."""
    if name in TASKS:
        return getattr(importlib.import_module("roundtrip_eval.eval.tasks"), name)
    raise AttributeError(f"module 'roundtrip_eval' has no attribute {name!r}")
