"""The MBPP+ problems the EvaLooop rescore checks against, with C0's outcomes kept on disk.

Why a cache: building the 378 problems runs every canonical solution on every input on the
host, minutes of CPU on the 2-core machine (`Mbpp/599` alone about 100 s), a large part of the
15 minutes the whole rescore may take. The outcomes are written to the output folder
(`<out>/expected/`, one JSON file per problem, in the runner's typed codec, keyed by a hash of
the dataset row, the Python version and `RECIPE`) and to a shared cache (`shared_cache()`, as
EvalPlus keeps its ground truth per dataset hash), so a resumed run, or a fresh one in another
folder, reads them back in a second; a value the codec cannot carry exactly is not kept, so that
problem is built from C0 again. The missing ones are built in parallel lanes (one per core),
each a worker process of its own (`_build_all`).
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import sys
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any

from roundtrip_eval.check.runner import Opaque, decode, encode, typed_equal
from roundtrip_eval.check.runner.codec import opaque_encoding
from roundtrip_eval.problems.evalplus import problem_from_row, read_rows
from roundtrip_eval.problems.load import Outcome, Problem
from roundtrip_eval.problems.validate import ProblemError

SOURCE = "mbpp_plus"
C0_MEMORY = 2 << 30
"""Bytes of address space a C0 worker may take: `Mbpp/255`'s C0 grows past 6 GB on one input
(`combinations_colors(..., 77)`) on a shared machine; with the limit that input's outcome is
`MemoryError` (the sandbox cannot run it either: C0 fails our check there, a harness class)."""


def _limit_memory() -> None:
    """In each C0 worker: cap its address space at C0_MEMORY (where the platform allows)."""
    try:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (C0_MEMORY, C0_MEMORY))
    except (ImportError, ValueError, OSError):
        return


RECIPE = "5"
"""How C0's outcomes are made (`problem_from_row`, `C0_MEMORY`, the codec): a change to any of
them must change this, so that no cache hands back outcomes made the old way. 3: an opaque
value carries the digest of its whole repr (red21), which a kept one from before lacks. 4: so
does a part nested deeper than the codec walks ("too deep"). 5: a str holding a lone surrogate
travels as `strx` (red30), where it was read back as another string."""


def shared_cache() -> Path:
    """C0's kept outcomes shared by every output folder: `<home>/evalplus-expected`
    (`$ROUNDTRIP_EVAL_HOME`, else `~/.cache/roundtrip-eval`)."""
    from roundtrip_eval.local_model.specs import home_dir

    return home_dir() / "evalplus-expected"


def _pool(workers: int) -> ProcessPoolExecutor:
    """Workers for C0, each capped at `C0_MEMORY`, started from a small server process rather
    than forked from this one: by the time a worker is replaced this process holds every trace
    and the outcomes built so far (`Mbpp/255`'s alone take gigabytes once decoded), and a fork
    of it would start over the cap, so C0 would fail for want of memory it never asked for."""
    method = "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"
    context = multiprocessing.get_context(method)
    return ProcessPoolExecutor(workers, mp_context=context, initializer=_limit_memory)


def _row_hash(row: dict[str, Any]) -> str:
    """The key of one problem's kept outcomes: its dataset row, this Python, `RECIPE`."""
    text = json.dumps([row, sys.version_info[:2], RECIPE], sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _encode_outcomes(expected: Sequence[Outcome]) -> list[Any] | None:
    """C0's outcomes in the codec, or None when one would not come back exactly. A value too
    large for the host to hold (`reference.HELD_LIMITS`, `Mbpp/255`) is its opaque marker.

    C0's values come from the codec (`problems.reference` decodes what its child sent), so one
    of the codec's own types encodes back exactly; only a value holding an opaque part (a type
    the codec does not know, inside a list, say) is decoded again to see whether it would."""
    out: list[Any] = []
    for o in expected:
        if not o.ok:
            out.append(["raised", o.error])
            continue
        if isinstance(o.value, Opaque):
            out.append(["value", opaque_encoding(o.value)])
            continue
        enc = encode(o.value)
        if '"opaque"' in json.dumps(enc) and not typed_equal(decode(enc), o.value):
            return None
        out.append(["value", enc])
    return out


def _decode_outcomes(items: list[Any]) -> tuple[Outcome, ...]:
    return tuple(
        Outcome(ok=False, error=str(x[1])) if x[0] == "raised" else Outcome(ok=True, value=decode(x[1]))
        for x in items
    )


Built = tuple[str, tuple[Outcome, ...], float]
"""One problem's C0 outcomes as a worker built them: (task id, outcomes, seconds)."""


def _build(dataset: str, task_id: str, caches: Sequence[str]) -> Built:
    """In a worker process: C0 run on every input of one problem (in its child with the fixed
    hash seed, `problems.reference`, under this worker's memory cap), its outcomes written to
    `caches` (`_store`) and returned (pickled: far faster than the codec's text for a large
    value, `Mbpp/630`'s 51 MB). A C0 whose child dies (past the cap outside the call itself)
    is built input by input."""
    started = time.monotonic()
    row = next(r for r in read_rows(SOURCE, dataset) if r.get("task_id") == task_id)
    try:
        problem = problem_from_row(SOURCE, row)
    except (MemoryError, ProblemError) as exc:
        if isinstance(exc, ProblemError) and "did not run on every input" not in str(exc):
            raise
        problem = problem_from_row(SOURCE, row, expected=_outcomes_one_by_one(row))
    took = time.monotonic() - started
    _store(caches, row, problem.expected, took)
    return task_id, problem.expected, took


def _store(caches: Sequence[str], row: dict[str, Any], expected: Sequence[Outcome], took: float) -> None:
    """Write one problem's outcomes to each cache, when the codec carries them exactly (else
    the problem is built again by the next run)."""
    try:
        encoded = _encode_outcomes(expected)
    except MemoryError:
        encoded = None
    if encoded is not None:
        record = {"row": _row_hash(row), "seconds": round(took, 3), "expected": encoded}
        _write([Path(c) for c in caches], str(row["task_id"]), record)


def _outcome_of(dataset: str, task_id: str, index: int) -> Outcome:
    """In a worker process: C0's outcome on one input."""
    row = next(r for r in read_rows(SOURCE, dataset) if r.get("task_id") == task_id)
    return _outcomes_one_by_one(row, only=index)[0]


def _build_input_by_input(dataset: str, row: dict[str, Any], caches: Sequence[str]) -> Built:
    """A problem whose C0 kills its worker process: each input in a worker, an input that kills
    it recorded as `MemoryError` (it exhausts the sandbox too)."""
    started = time.monotonic()
    task_id = str(row["task_id"])
    n = len(row["base_input"]) + len(row["plus_input"] or [])
    outcomes: list[Outcome] = []
    pool = _pool(1)
    try:
        for i in range(n):
            try:
                outcomes.append(pool.submit(_outcome_of, dataset, task_id, i).result())
            except BrokenProcessPool:
                outcomes.append(Outcome(ok=False, error="MemoryError"))
                pool.shutdown(wait=False)
                pool = _pool(1)
    finally:
        pool.shutdown(wait=True)
    took = time.monotonic() - started
    _store(caches, row, outcomes, took)
    return task_id, tuple(outcomes), took


def _outcomes_one_by_one(row: dict[str, Any], only: int | None = None) -> tuple[Outcome, ...]:
    """C0's outcome per input, each in a child of its own with the candidates' hash seed
    (`problems.reference`); an input whose child dies, or whose outcome does not fit in
    C0_MEMORY, is `MemoryError` (C0 exhausts the sandbox on it too, so C0 fails our check
    there: the rescore's harness class)."""
    from roundtrip_eval.problems.evalplus import (
        NOT_NONE_FUNCTIONS,
        REFERENCE_CALL_LIMIT,
        SOURCES,
        arguments,
        reference_source,
    )
    from roundtrip_eval.problems.reference import ReferenceRunError, reference_outcomes

    source = SOURCES[SOURCE]
    task_id, function = str(row["task_id"]), str(row["entry_point"])
    inputs = [
        *arguments(source, task_id, row["base_input"], "base"),
        *arguments(source, task_id, row["plus_input"] or [], "plus"),
    ]
    code = reference_source(source, row)
    not_none = function in NOT_NONE_FUNCTIONS
    out = []
    for args in inputs if only is None else inputs[only : only + 1]:
        try:
            [(ok, value)] = reference_outcomes(
                code, function, [args], not_none=not_none, where=task_id, call_limit=REFERENCE_CALL_LIMIT
            )
            outcome = Outcome(ok=True, value=value) if ok else Outcome(ok=False, error=str(value))
            _encode_outcomes([outcome])
        except (MemoryError, ReferenceRunError):
            outcome = Outcome(ok=False, error="MemoryError")
        out.append(outcome)
    return tuple(out)


def _file(cache: Path, task_id: str) -> Path:
    return cache / f"{task_id.replace('/', '_')}.json"


def _write(caches: Sequence[Path], task_id: str, record: dict[str, Any]) -> None:
    """One problem's kept outcomes into each cache (a shared one that cannot be written is skipped)."""
    text = json.dumps(record)
    for cache in caches:
        try:
            cache.mkdir(parents=True, exist_ok=True)
            temp = _file(cache, task_id).with_suffix(f".{os.getpid()}.tmp")
            temp.write_text(text, encoding="utf-8")
            temp.replace(_file(cache, task_id))  # whole or absent, for a run beside this one
        except OSError:
            continue


def _read(caches: Sequence[Path], task_id: str, row_hash: str) -> dict[str, Any] | None:
    """One problem's kept outcomes from the first cache that holds them for this row."""
    for cache in caches:
        try:
            data = json.loads(_file(cache, task_id).read_text(encoding="utf-8"))
            if isinstance(data, dict) and data.get("row") == row_hash:
                return data
        except (OSError, ValueError):
            continue
    return None


def _build_all(
    dataset: str, todo: Sequence[str], lanes: int, caches: Sequence[Path], keep: Callable[[Built], None]
) -> None:
    """Build `todo` in `lanes` parallel lanes, each a one-worker pool taking the next problem
    when its last is done (`keep` is called as each finishes, under a lock). A problem whose C0
    kills its worker is known at once (its lane's pool breaks, no other's): it is built again
    input by input, the input that kills it a `MemoryError`, and the lane goes on with a new
    worker."""
    import threading
    from concurrent.futures import ThreadPoolExecutor

    queue = list(reversed(todo))
    lock = threading.Lock()
    places = [str(c) for c in caches]

    def lane() -> None:
        pool = _pool(1)
        try:
            while True:
                with lock:
                    if not queue:
                        return
                    task_id = queue.pop()
                try:
                    result = pool.submit(_build, dataset, task_id, places).result()
                except BrokenProcessPool:
                    pool.shutdown(wait=False)
                    pool = _pool(1)
                    row = next(r for r in read_rows(SOURCE, dataset) if r.get("task_id") == task_id)
                    result = _build_input_by_input(dataset, row, places)
                with lock:
                    keep(result)
        except BaseException:
            with lock:
                queue.clear()  # a fault (a row C0 cannot be built from): the other lanes stop too
            raise
        finally:
            pool.shutdown(wait=False, cancel_futures=True)

    with ThreadPoolExecutor(lanes) as threads:
        for future in [threads.submit(lane) for _ in range(lanes)]:
            future.result()


def load_problems(
    dataset: Path,
    task_ids: Sequence[str],
    cache: Path,
    *,
    shared: Path | None = None,
    workers: int | None = None,
    echo: Callable[[str], None] | None = None,
) -> tuple[dict[str, Problem], dict[str, float]]:
    """The problems of `task_ids` and each one's C0 seconds (as measured when it was first built).

    C0's outcomes come from `cache` (the output folder's), else from `shared` (copied into
    `cache`), else are built and written to both."""
    rows = {str(r.get("task_id")): r for r in read_rows(SOURCE, str(dataset))}
    missing_ids = [t for t in task_ids if t not in rows]
    if missing_ids:
        raise ValueError(
            f"{dataset}: no MBPP+ problem {', '.join(missing_ids[:5])} (EvaLooop's traces name it)"
        )
    cache.mkdir(parents=True, exist_ok=True)
    caches = [cache] if shared is None else [cache, shared]
    kept: dict[str, tuple[tuple[Outcome, ...], float]] = {}
    for task_id in task_ids:
        data = _read(caches, task_id, _row_hash(rows[task_id]))
        try:
            if data is not None:
                kept[task_id] = (_decode_outcomes(data["expected"]), float(data["seconds"]))
                if not _file(cache, task_id).is_file():
                    _write([cache], task_id, data)
        except (ValueError, KeyError, TypeError, IndexError):
            continue
    todo = [t for t in task_ids if t not in kept]
    built: dict[str, Problem] = {}
    seconds: dict[str, float] = {t: s for t, (_, s) in kept.items()}
    if todo:
        if echo:
            echo(f"running C0 on the inputs of {len(todo)} MBPP+ problems (kept in {cache} for later runs)")
        n = max(1, min(workers or os.cpu_count() or 1, len(todo)))

        def keep(result: Built) -> None:
            task_id, expected, took = result
            kept[task_id], seconds[task_id] = (expected, took), took

        _build_all(str(dataset), todo, n, caches, keep)
    for task_id, (expected, _) in kept.items():
        built[task_id] = problem_from_row(SOURCE, rows[task_id], expected=expected)
    return {t: built[t] for t in task_ids}, seconds
