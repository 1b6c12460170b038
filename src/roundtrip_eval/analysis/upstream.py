"""The original study's trials (`result.json`) and the rules for rescoring them (pure).

Layout: `raw/<batch>/<model>_<lang>_<specformat>_<promptstyle>_<task>_run<i>/result.json`.
Model, language, spec format, prompt style, task and run live only in the directory name;
model tags use `-` where Ollama uses `:` (`llama3.2-3b` is `llama3.2:3b`).

Why rescore: the original harness took the first fenced block matching a narrow pattern,
decided a pass by a `SUCCESS` substring, compared loosely, gated specs against a fixed
"ground truth" text, and counted API failures and empty replies as model failures. Its logged
raw replies let us rebuild every trial under our rules without calling any model:

1. Walk the original cycles in order. A cycle passes if our checker passes our (tolerant)
   re-extraction of the logged code reply.
2. Our checker may fail a cycle the original passed (type exactness, more inputs): the
   rescored trial fails there.
3. Where the original trial stopped at cycle K:
   - our verdict at K is a failure too: the failure is *genuine*, the trial fails at K;
   - our verdict at K is a pass (the original failure was an extraction or checker artifact):
     the trial is *censored* at K. We know it survived K cycles; what the model would have
     done next was never generated, so it is not counted as surviving.
   - the original never asked for code at K, because its spec gate rejected the spec, or the
     API call failed, or the reply was empty (which our harness retries as an infrastructure
     fault): there is no verdict at K, so the trial is censored after K-1 cycles, unless our
     own spec rule fails it (an empty spec).
"""

from __future__ import annotations

import ast
import json
import re
import textwrap
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

UPSTREAM_CYCLES = 10
"""N of the original study; a batch with a surviving trial gives its own N instead."""

TRIAL_DIR = re.compile(r"^(?P<head>.+)_(?P<task>[a-z][a-z0-9_]*?)_run(?P<run>\d+)$")
LANGS = ("en", "ja")
SPEC_FORMATS = ("pseudocode", "s_expression", "minilang")
"""The study's spec formats; matched before the prompt style, which also contains `_`."""

# How the original's failing cycle K ended, from its logged statuses.
STOP_CODE = "code"  # code was generated and the original judged it a failure
STOP_SPEC_GATE = "spec_gate"  # step 1 "did not match ground truth": f was never asked
STOP_API = "api"  # "API call failed" at step 1 or 2: infrastructure
STOP_EMPTY = "empty_reply"  # f returned nothing: our harness retries that as infrastructure

# Classes of an original failure under our rules.
GENUINE = "genuine"
EARLIER = "earlier_failure"  # we fail an earlier cycle the original passed
EXTRACTION_ARTIFACT = "extraction_artifact"
CHECKER_ARTIFACT = "checker_artifact"
SPEC_GATE_ARTIFACT = "spec_gate_artifact"
INFRA = "infrastructure"
ARTIFACT = "artifact"  # our checker passes K: extraction or checker artifact, not yet told apart


class UpstreamFormatError(ValueError):
    """A trial folder or result.json does not have the documented shape."""


def ollama_tag(model_dir: str) -> str:
    """`llama3.2-3b` -> `llama3.2:3b`: the last `-` is where Ollama has `:`."""
    if "-" not in model_dir:
        return model_dir
    name, tag = model_dir.rsplit("-", 1)
    return f"{name}:{tag}"


class EvalGroup(NamedTuple):
    """What the trials of one rescoring eval share: one batch, model, language, spec format,
    prompt style and task (sorted and compared field by field, in this order)."""

    batch: str
    model: str  # the Ollama tag, e.g. `llama3.2:3b`
    language: str
    spec_format: str
    prompt_style: str
    task: str


@dataclass(frozen=True)
class UpstreamCycle:
    cycle: int
    spec_reply: str | None
    spec_status: str
    code_reply: str | None
    code_clean: str | None
    code_status: str | None

    @property
    def original_passed(self) -> bool:
        return self.spec_status == "SUCCESS" and self.code_status == "SUCCESS"


@dataclass(frozen=True)
class UpstreamTrial:
    batch: str
    name: str  # the trial folder name
    model_dir: str
    language: str
    spec_format: str
    prompt_style: str
    task: str
    run: int
    status: str
    cycles_completed: int
    cycles: tuple[UpstreamCycle, ...]

    @property
    def model(self) -> str:
        return ollama_tag(self.model_dir)

    @property
    def original_survived(self) -> bool:
        return self.status.startswith("SUCCESS")

    @property
    def stop_cycle(self) -> int | None:
        """K: the cycle at which the original trial failed (None when it survived)."""
        if self.original_survived:
            return None
        return next((c.cycle for c in self.cycles if not c.original_passed), len(self.cycles))

    @property
    def stop_kind(self) -> str | None:
        """How the original failure at K came about (see STOP_*)."""
        k = self.stop_cycle
        if k is None:
            return None
        cycle = self.cycles[k - 1]
        if "API" in cycle.spec_status:  # g's call failed: no spec, nothing gated
            return STOP_API
        if cycle.spec_status != "SUCCESS":
            return STOP_SPEC_GATE
        if cycle.code_reply is None and "API" in (cycle.code_status or ""):
            return STOP_API
        if not (cycle.code_reply or "").strip():
            return STOP_EMPTY
        return STOP_CODE

    @property
    def group(self) -> EvalGroup:
        """The eval this trial is rescored in."""
        return EvalGroup(
            batch=self.batch,
            model=self.model,
            language=self.language,
            spec_format=self.spec_format,
            prompt_style=self.prompt_style,
            task=self.task,
        )


def parse_trial_name(name: str, tasks: Iterable[str] = ()) -> dict[str, Any]:
    """Split `<model>_<lang>_<specformat>_<promptstyle>_<task>_run<i>`.

    Task names, spec formats (`s_expression`) and prompt styles (`hyper_guided`) all contain
    `_`, so the task is matched against known problem names first (longest first), then the
    generic pattern is tried; the spec format is matched against the study's formats
    (`SPEC_FORMATS`) before falling back to the first word.
    """
    match = re.match(r"^(?P<head>.+)_run(?P<run>\d+)$", name)
    if not match:
        raise UpstreamFormatError(f"{name}: not <model>_<lang>_<format>_<style>_<task>_run<i>")
    head, run = match.group("head"), int(match.group("run"))
    task = next((t for t in sorted(tasks, key=len, reverse=True) if head.endswith("_" + t)), None)
    if task is None:
        generic = TRIAL_DIR.match(name)
        if not generic:
            raise UpstreamFormatError(f"{name}: cannot find the task name")
        task = generic.group("task")
    rest = head[: -len(task) - 1].split("_")
    if len(rest) < 4 or rest[1] not in LANGS:
        raise UpstreamFormatError(f"{name}: expected <model>_<en|ja>_<format>_<style> before the task")
    tail = "_".join(rest[2:])
    if tail in SPEC_FORMATS:
        raise UpstreamFormatError(f"{name}: no prompt style after the spec format {tail!r}")
    spec_format = next(
        (f for f in sorted(SPEC_FORMATS, key=len, reverse=True) if tail.startswith(f + "_")), rest[2]
    )
    prompt_style = tail[len(spec_format) + 1 :]
    return {
        "model_dir": rest[0],
        "language": rest[1],
        "spec_format": spec_format,
        "prompt_style": prompt_style,
        "task": task,
        "run": run,
    }


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def parse_result(data: dict[str, Any], batch: str, name: str, tasks: Iterable[str] = ()) -> UpstreamTrial:
    """An UpstreamTrial from a parsed result.json and its folder names."""
    try:
        status = str(data["status"])
        completed = int(data["cycles_completed"])
        logs = list(data["logs"])
    except (KeyError, TypeError, ValueError) as exc:
        raise UpstreamFormatError(f"{batch}/{name}/result.json: missing {exc}") from exc
    if not all(isinstance(entry, dict) for entry in logs):
        raise UpstreamFormatError(f"{batch}/{name}/result.json: a `logs` entry is not an object")
    try:
        cycles = tuple(
            UpstreamCycle(
                cycle=int(entry.get("cycle", i)),
                spec_reply=_text(entry.get("step1_raw_spec")),
                spec_status=str(entry.get("step1_status", "")),
                code_reply=_text(entry.get("step2_generated_code_raw")),
                code_clean=_text(entry.get("step2_generated_code_clean")),
                code_status=_text(entry.get("step2_status")),
            )
            for i, entry in enumerate(logs, start=1)
        )
    except (TypeError, ValueError) as exc:
        raise UpstreamFormatError(f"{batch}/{name}/result.json: a cycle number is not a number") from exc
    if [c.cycle for c in cycles] != list(range(1, len(cycles) + 1)):
        raise UpstreamFormatError(f"{batch}/{name}: cycles are not numbered 1..{len(cycles)}")
    if not cycles:
        raise UpstreamFormatError(f"{batch}/{name}/result.json: no cycles in `logs`")
    return UpstreamTrial(
        batch=batch,
        name=name,
        status=status,
        cycles_completed=completed,
        cycles=cycles,
        **parse_trial_name(name, tasks),
    )


@dataclass(frozen=True)
class Skipped:
    """A folder under raw/ that is not a readable trial, and why (reported, never dropped)."""

    path: str  # <batch>/<folder>, or <folder> for something that is not a batch
    reason: str

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"


@dataclass
class Scan:
    """Every trial under a folder, and every folder skipped with its reason."""

    trials: list[UpstreamTrial]
    skipped: list[Skipped]


def batch_folders(root: Path) -> list[Path]:
    """The batch folders under `root`: the folder holding raw/, raw/ itself, or one batch."""
    if (root / "raw").is_dir():
        root = root / "raw"
    children = sorted(p for p in root.iterdir() if p.is_dir()) if root.is_dir() else []
    if any((c / "result.json").is_file() or re.search(r"_run\d+$", c.name) for c in children):
        return [root]  # root is one batch
    return children


def scan_trials(root: Path, tasks: Iterable[str] = (), *, known_only: bool = True) -> Scan:
    """Read every trial under `root`; a folder that is not a readable trial of a known problem
    (no result.json, not JSON, the wrong shape, a name outside the layout, and with
    `known_only` a problem not in `tasks`) is skipped and named in `Scan.skipped`."""
    task_names = list(tasks)
    trials: list[UpstreamTrial] = []
    skipped: list[Skipped] = []
    for batch in batch_folders(root):
        for folder in sorted(p for p in batch.iterdir() if p.is_dir()):
            where = f"{batch.name}/{folder.name}"
            path = folder / "result.json"
            if not path.is_file():
                skipped.append(Skipped(where, "no result.json"))
                continue
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError, ValueError) as exc:
                skipped.append(Skipped(where, f"result.json is not readable JSON ({type(exc).__name__})"))
                continue
            if not isinstance(data, dict):
                skipped.append(Skipped(where, "result.json is not a JSON object"))
                continue
            try:
                trial = parse_result(data, batch.name, folder.name, task_names)
            except UpstreamFormatError as exc:
                skipped.append(Skipped(where, str(exc).split(": ", 1)[-1]))
                continue
            if known_only and task_names and trial.task not in task_names:
                skipped.append(
                    Skipped(where, f"its name ends in no problem under tasks/ (read as {trial.task!r})")
                )
                continue
            trials.append(trial)
    return Scan(sorted(trials, key=lambda t: (t.group, t.run)), skipped)


def load_trials(root: Path, tasks: Iterable[str] = ()) -> list[UpstreamTrial]:
    """Every trial under `root` (the folder holding raw/, raw/ itself, or one batch folder),
    trials of problems outside `tasks` included; strict: a folder that `scan_trials` would
    skip raises UpstreamFormatError naming it."""
    scan = scan_trials(root, tasks, known_only=False)
    if scan.skipped:
        raise UpstreamFormatError(str(scan.skipped[0]))
    return scan.trials


def batch_cycles(trials: Sequence[UpstreamTrial]) -> int:
    """N of a batch: the cycles of its surviving trials, else the study's 10."""
    survived = {len(t.cycles) for t in trials if t.original_survived}
    return max(survived) if survived else max([UPSTREAM_CYCLES, *(len(t.cycles) for t in trials)])


def replay_replies(trial: UpstreamTrial, n_cycles: int) -> list[Any]:
    """The replay script of one trial: spec and code replies in order, then a stop marker.

    A cycle whose code was never generated (spec gate, API failure) or came back empty ends
    the script right after its spec reply, so our solver stops there cleanly (censored). An
    empty spec reply ends it before that cycle for the same reason.
    """
    replies: list[Any] = []
    for cycle in trial.cycles:
        if cycle.spec_reply is None and "API" in cycle.spec_status:
            reason = f"the original spec call failed ({cycle.spec_status})"
            replies.append({"stop": f"cycle {cycle.cycle}: {reason}"})
            return replies
        if not (cycle.spec_reply or "").strip():
            replies.append({"stop": f"cycle {cycle.cycle}: the original spec reply is empty"})
            return replies
        replies.append(cycle.spec_reply)
        if cycle.spec_status != "SUCCESS":
            reason = "the original spec gate rejected the spec; code was never generated"
            replies.append({"stop": f"cycle {cycle.cycle}: {reason}"})
            return replies
        if cycle.code_reply is None:
            replies.append({"stop": f"cycle {cycle.cycle}: no code reply ({cycle.code_status})"})
            return replies
        if not cycle.code_reply.strip():
            reason = "the original code reply is empty (retried as infrastructure by our rules)"
            replies.append({"stop": f"cycle {cycle.cycle}: {reason}"})
            return replies
        replies.append(cycle.code_reply)
    if len(trial.cycles) < n_cycles:
        replies.append({"stop": f"the original trial ends after cycle {len(trial.cycles)}"})
    return replies


# --- the rebuild rules -------------------------------------------------------------------


@dataclass(frozen=True)
class Verdict:
    """Our verdict on one cycle: passed, our category, and the code we extracted."""

    passed: bool
    category: str = "none"
    code: str | None = None


@dataclass
class Rescored:
    """One trial under our rules, and what became of its original outcome."""

    status: str  # survived | failed | censored
    cycles_survived: int
    fail_cycle: int | None = None
    category: str | None = None  # our category at the failing cycle
    censor_reason: str | None = None
    original_class: str | None = None  # for original failures: GENUINE, *_ARTIFACT, ...
    new_failure: bool = False  # we fail a cycle the original passed
    notes: list[str] = field(default_factory=list)

    @property
    def survived(self) -> bool:
        return self.status == "survived"


def rebuild(trial: UpstreamTrial, verdicts: Sequence[Verdict], n_cycles: int) -> Rescored:
    """Apply the rescoring rules to one trial given our per-cycle verdicts (in cycle order).

    `verdicts` holds our verdicts for the cycles we evaluated (cycle 1 first); we stop at our
    first failure, so there may be fewer than the original's cycles. The original's failing
    cycle K may have no verdict (spec gate, API failure, empty reply): see the module doc.
    The class of an artifact (extraction vs checker) is decided later, by `classify_artifact`.
    """
    k = trial.stop_cycle
    kind = trial.stop_kind
    for i, cycle in enumerate(trial.cycles, start=1):
        if i > len(verdicts):
            # No verdict for this cycle: the original never produced checkable code here.
            if k == i and kind in (STOP_SPEC_GATE, STOP_API, STOP_EMPTY):
                cls = SPEC_GATE_ARTIFACT if kind == STOP_SPEC_GATE else INFRA
                return Rescored("censored", i - 1, censor_reason=kind, original_class=cls)
            raise ValueError(f"{trial.name}: no verdict for cycle {i}")
        verdict = verdicts[i - 1]
        if not verdict.passed:
            if k is not None and i > k:
                raise ValueError(f"{trial.name}: a verdict after the original's last cycle {k}")
            failed_class: str | None = None
            if k is not None:
                failed_class = GENUINE if i == k else EARLIER
            return Rescored(
                "failed",
                i - 1,
                fail_cycle=i,
                category=verdict.category,
                original_class=failed_class,
                new_failure=cycle.original_passed,
            )
    if len(verdicts) != len(trial.cycles):
        raise ValueError(f"{trial.name}: {len(verdicts)} verdicts for {len(trial.cycles)} cycles")
    # Every recorded cycle passes under our rules, the original's failing cycle K included
    # (an artifact: extraction or checker, decided by classify_artifact).
    artifact = ARTIFACT if k is not None else None
    if len(trial.cycles) >= n_cycles:  # K = N passes: nothing is left unknown
        return Rescored("survived", n_cycles, original_class=artifact)
    return Rescored(
        "censored",
        len(trial.cycles),
        censor_reason="original_failure_passes" if k is not None else "record_ends",
        original_class=artifact,
    )


def same_code(a: str | None, b: str | None) -> bool:
    """Equal up to formatting: equal ASTs when both parse, else equal normalised text."""
    if a is None or b is None:
        return a is b
    try:
        return ast.dump(ast.parse(a)) == ast.dump(ast.parse(b))
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return _normalise(a) == _normalise(b)


def _normalise(code: str) -> str:
    lines = [line.rstrip() for line in textwrap.dedent(code.replace("\t", "    ")).splitlines()]
    return "\n".join(lines).strip("\n")


def compiles(code: str | None) -> bool:
    if code is None:
        return False
    try:
        compile(code, "original.py", "exec")  # inspect-evals-lint: ignore[IESC002] -- a parse check only
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    return True


def classify_artifact(ours: str | None, original_clean: str | None, original_passes: bool | None) -> str:
    """Extraction or checker artifact, for an original failure that our checker passes.

    - our code is the original's executed code (same AST): the original *checker* was wrong;
    - the original's executed code does not compile, or fails our checker: the original
      *extraction* broke it;
    - it compiles and passes our checker: the original checker was wrong about it.
    `original_passes` is our checker's verdict on the original's executed code (None when it
    was not needed).
    """
    if same_code(ours, original_clean):
        return CHECKER_ARTIFACT
    if not compiles(original_clean):
        return EXTRACTION_ARTIFACT
    if original_passes is None:
        raise ValueError("the original code compiles: its verdict under our checker is needed")
    return CHECKER_ARTIFACT if original_passes else EXTRACTION_ARTIFACT


def needs_original_check(ours: str | None, original_clean: str | None) -> bool:
    """Whether `classify_artifact` needs our checker's verdict on the original's code."""
    return not same_code(ours, original_clean) and compiles(original_clean)
