"""The log records the settings in force, however they were given.

Three settings can also be given to Inspect itself, which then overrides the task's own value
when the run starts: `--epochs` (or `eval(epochs=)`, an eval-set's `epochs`), `--temperature`
and `--max-tokens` (or the same `eval()` / `eval_set()` arguments). Left alone, the log's task
args and metadata (and every reader of them: the viewer's config panel, `evals_df`, our export)
would keep the task's values while the trials ran with Inspect's.

`SettingsTask` closes that gap where Inspect applies the overrides: Inspect runs a shallow
copy of each task and assigns the eval's epochs to it before it writes the log header, and the
eval's generation options are in Inspect's context while it makes that copy. The copy folds
both into its settings, its metadata and the task args Inspect logs, so the header is true from
its first write. tests/test_in_force.py runs each route (`-T`, Inspect's flags, an eval-set,
Python `eval()` on a name and on a task object) and reads the log.
"""

from __future__ import annotations

from typing import Any

from inspect_ai import Task
from inspect_ai.model import GenerateConfig

from roundtrip_eval._inspect_private import TASK_ALL_PARAMS_ATTR, eval_generate_config
from roundtrip_eval.eval.settings import TrialSettings

GENERATION = ("temperature", "max_tokens")
"""The settings Inspect's generation options can override (same names in GenerateConfig)."""


class SettingsTask(Task):
    """A `Task` that keeps `settings`, `metadata` and its logged task args equal to what runs."""

    def __init__(self, *args: Any, settings: TrialSettings, **kwargs: Any) -> None:
        self.settings = settings  # first: Task.__init__ assigns `epochs`, which reads it
        super().__init__(*args, **kwargs)

    @property
    def epochs(self) -> int | None:
        """Trials per sample; assigning another value (Inspect's `--epochs`) records it."""
        return self.__dict__.get("_epochs")

    @epochs.setter
    def epochs(self, value: int | None) -> None:
        self.__dict__["_epochs"] = value
        if value is not None and "metadata" in self.__dict__:
            self.apply({"epochs": value})

    def __setattr__(self, name: str, value: Any) -> None:
        """Inspect sets the logged task args after the task body returns: overlay our values."""
        if name == TASK_ALL_PARAMS_ATTR and isinstance(value, dict):
            value = {**value, **in_force(value, self.settings)}
        super().__setattr__(name, value)

    def __copy__(self) -> SettingsTask:
        """Inspect's per-run copy: the eval's generation options win, as they do in the run."""
        clone = type(self).__new__(type(self))
        clone.__dict__.update(self.__dict__)
        given = eval_generate_config()
        clone.apply({name: given[name] for name in GENERATION if name in given})
        return clone

    def apply(self, changes: dict[str, Any]) -> None:
        """Record settings Inspect overrides: in `settings`, `metadata`, `config`, the task args.

        Rebinds each (never edits in place): Inspect's copy shares them with the original task.
        """
        changes = {k: v for k, v in changes.items() if getattr(self.settings, k) != v}
        if not changes:
            return
        self.settings = self.settings.model_copy(update=changes)
        self.metadata = {**(self.metadata or {}), **changes}
        generation = {k: v for k, v in changes.items() if k in GENERATION}
        if generation:
            self.config = self.config.merge(GenerateConfig(**generation))
        params = self.__dict__.get(TASK_ALL_PARAMS_ATTR)
        if isinstance(params, dict):
            setattr(self, TASK_ALL_PARAMS_ATTR, params)


def in_force(params: dict[str, Any], settings: TrialSettings) -> dict[str, Any]:
    """The settings among `params` (the task's parameters), with the values that run."""
    return {name: getattr(settings, name) for name in params if name in TrialSettings.model_fields}
