# inspect-evals-lint: ignore-file[private_api_imports] -- this module is where the private names live,
# each with a fallback; PRIVATE_NAMES lists them and tests/test_inspect_private.py fails when one moves
"""The few private Inspect names we rely on, in one place, each with a fallback.

`inspect_ai.util` publishes the sandbox contract (`SandboxEnvironment`, `sandboxenv`, the
error types) and `registry_info`, but not these. They live here so that an Inspect release that
moves them breaks one small module (and falls back to something that still works) instead of
the callers, and so that a reader sees at a glance what we depend on beyond the public API.
`PRIVATE_NAMES` lists them; tests/test_inspect_private.py imports each one from where Inspect
keeps it and fails, naming it, when Inspect moves it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar

from inspect_ai.util import RegistryInfo, registry_info

T = TypeVar("T")

PRIVATE_NAMES: dict[str, tuple[str, ...]] = {
    "inspect_ai._util.error": ("PrerequisiteError",),
    "inspect_ai.util._sandbox.lifecycle": ("sandbox_lifecycle_state",),
    "inspect_ai.log._samples": ("sample_active",),
    "inspect_ai._util.registry": ("registry_find",),
    "inspect_ai.util._sandbox.registry": ("registry_has_sandboxenv", "registry_find_sandboxenv"),
    "inspect_ai.util._sandbox.environment": ("RootAccess",),
    "inspect_ai._eval.task.constants": ("TASK_ALL_PARAMS_ATTR",),
    "inspect_ai.model._generate_config": ("active_generate_config",),
    "inspect_ai.model._model": ("active_model",),
}
"""Every private Inspect name this module imports, by the module Inspect keeps it in."""

try:  # Inspect prints a PrerequisiteError as one line, without a traceback
    from inspect_ai._util.error import PrerequisiteError
except ImportError:  # pragma: no cover - private API moved: a plain error still says it all

    class PrerequisiteError(RuntimeError):  # type: ignore[no-redef]
        """Stand-in for Inspect's PrerequisiteError (shown with a traceback)."""


try:  # the root-access verdict a SandboxEnvironment holds (the rescoring memo sets "unusable")
    from inspect_ai.util._sandbox.environment import RootAccess
except ImportError:  # pragma: no cover - private API moved: a stand-in Inspect no longer reads

    @dataclass(frozen=True)
    class RootAccess:  # type: ignore[no-redef]
        """Stand-in for Inspect's RootAccess (state, reason, error)."""

        state: str
        reason: str
        error: Exception | None = None


class OneLineError(PrerequisiteError, ValueError):
    """Bad input (a problem folder, a replay file), refused in one line without a traceback.

    Inspect's excepthook prints a PrerequisiteError's `message` through rich, which would read
    `[inputs]` as a style tag, so the message is markup-escaped; `str()` stays the plain line.
    Rich still wraps it at the console width (80 columns when output is piped). A ValueError
    too, for callers that catch bad input that way.
    """

    def __init__(self, message: str) -> None:
        text = " ".join(line.strip() for line in str(message).splitlines() if line.strip())
        from rich.markup import escape  # rich ships with Inspect

        super().__init__(escape(text))
        self.args = (text,)

    def __str__(self) -> str:
        return str(self.args[0])


def sandbox_lifecycle_state(cls: type[T]) -> T | None:
    """The instance of `cls` held by Inspect's current sandbox lifecycle (one eval batch).

    None outside any lifecycle (tests, scripts) and when Inspect no longer has the scope: the
    caller then keeps its own process-wide instance.
    """
    try:
        from inspect_ai.util._sandbox.lifecycle import sandbox_lifecycle_state as current
    except ImportError:  # pragma: no cover - private API moved
        return None
    scope = current()
    return None if scope is None else scope.get(cls)


def active_sample_key() -> tuple[str, str] | None:
    """(sample id, epoch) of the sample whose model call is running; None outside a sample.

    The replay model picks its recorded line by these; a model API is not told them.
    """
    try:
        from inspect_ai.log._samples import sample_active
    except ImportError:  # pragma: no cover - private API moved: replay then finds no line
        return None
    active = sample_active()
    return None if active is None else (str(active.sample.id), str(active.epoch))


def _unqualified(info: RegistryInfo) -> str:
    """`pkg/name` -> `name` (Inspect's registry_unqualified_name, on the public RegistryInfo)."""
    return info.name.split("/", 1)[-1]


def sandbox_providers(name: str) -> list[str] | None:
    """The names of every registered sandbox provider, for refusing `-T sandbox=<name>` early.

    Looking `name` up first loads the providers of installed packages when it is not built in.
    None when Inspect's registry moved: Inspect then refuses an unknown name itself, later.
    """
    try:
        from inspect_ai._util.registry import registry_find
        from inspect_ai.util._sandbox.registry import registry_has_sandboxenv
    except ImportError:  # pragma: no cover - private API moved
        return None
    registry_has_sandboxenv(name)
    found = registry_find(lambda info: info.type == "sandboxenv")
    return sorted({_unqualified(registry_info(o)) for o in found})


def find_sandboxenv(name: str) -> Any:
    """The registered `SandboxEnvironment` class named `name`; ValueError when there is none.

    Rescoring wraps the provider a run used, and starts sandboxes of it outside an eval.
    """
    try:
        from inspect_ai.util._sandbox.registry import registry_find_sandboxenv
    except ImportError:  # pragma: no cover - private API moved
        raise ValueError(
            f"this Inspect version does not let us look up the sandbox provider {name!r}; "
            "run with the Inspect version pinned in pyproject.toml"
        ) from None
    return registry_find_sandboxenv(name)


try:  # the attribute Inspect logs as `eval.task_args` (every parameter, defaults included)
    from inspect_ai._eval.task.constants import TASK_ALL_PARAMS_ATTR
except ImportError:  # pragma: no cover - private API moved: the log's task args then go uncorrected
    TASK_ALL_PARAMS_ATTR = "__task_all_params__"


def eval_generate_config() -> dict[str, Any]:
    """The generation options the running eval was given (`--temperature`, `eval(max_tokens=)`).

    Inspect holds them in a context variable while it resolves and starts tasks; empty outside
    an eval, and when Inspect moved it (the log then keeps the task's own values).
    """
    try:
        from inspect_ai.model._generate_config import active_generate_config
    except ImportError:  # pragma: no cover - private API moved
        return {}
    return active_generate_config().model_dump(exclude_none=True)


def eval_model() -> Any:
    """The model the eval is building a task for (`--model`); None outside an eval."""
    try:
        from inspect_ai.model._model import active_model
    except ImportError:  # pragma: no cover - private API moved: the server is then checked later
        return None
    return active_model()
