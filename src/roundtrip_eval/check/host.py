"""Run a candidate in the sandbox and compare its typed results with C0's, on the host.

One check is one job for the trusted runner (`check/runner/`; docs/threat_model.md says what a
verdict guarantees): sent to the trial's warm runner when the sandbox has one
(`roundtrip-docker`), else run as one sandbox exec. The expected outcomes stay on the host; the
sandbox only ever sees the candidate code and the inputs. The runner's records are read into
typed values (`runner.protocol`: `ReplyRecord`, `FinalRecord`) before anything is judged.
Comparison is type-exact (1 != 1.0 != True != "1"), and a change of type is reported as
`return_type`. Everything read back from the sandbox is candidate-controlled as far as the host
knows: any record it cannot make sense of becomes a scored `crash` of the cycle, never an error
of the sample.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import secrets
import time
import warnings
from dataclasses import asdict, dataclass, field
from typing import Any, Protocol, runtime_checkable

from inspect_ai.util import ExecResult, OutputLimitExceededError, SandboxEnvironment

from roundtrip_eval.check import runner
from roundtrip_eval.check.compare import MODES, evalplus_passes
from roundtrip_eval.check.runner import decode, encode, typed_equal
from roundtrip_eval.check.runner.codec import Digest, digest_of
from roundtrip_eval.check.runner.protocol import (
    ERROR_MISSING,
    SLATE_SECONDS,
    STAGE_IMPORT,
    STAGE_RUNNER,
    STAGE_SIGNATURE,
    STAGE_SLATE,
    STAGE_SYNTAX,
    STOP_CHANNEL,
    STOP_DIED,
    STOP_OUTPUT_LIMIT,
    STOP_TIMEOUT,
    STOP_UNENCODABLE,
    FinalRecord,
    ReplyRecord,
)
from roundtrip_eval.check.screen import first_finding
from roundtrip_eval.problems.load import Outcome, Problem

RUNNER_SOURCE = runner.source()

CALL_TIMEOUT = 2.0
"""Seconds one call of the candidate may take before it counts as a timeout."""

CHECK_TIMEOUT = 30.0
"""Wall-clock seconds for the whole check (one exec); the sandbox kills what is left."""

OUTPUT_CAP = 1 << 20
"""Bytes of printed output past which the verdict's detail notes that the rest was discarded
(the runner keeps only the first bytes; printing never fails a check)."""

CATEGORY_ORDER = ("timeout", "crash", "return_type", "semantic")


class SandboxExhausted(RuntimeError):
    """Raised by a sandbox provider when its sandbox died of a resource limit during a check (the
    container's memory, say) and a fresh one took its place: the check is the candidate's crash,
    and the message names the limit. The trial goes on in the fresh sandbox."""


@dataclass
class CheckResult:
    """The verdict of one check, small enough to store per cycle in the log."""

    passed: bool
    category: str  # "none" when passed
    detail: str  # one line: what failed, on which input, expected vs actual
    n_inputs: int = 0
    n_failed: int = 0
    failures: list[dict[str, Any]] = field(default_factory=list)  # smallest first, at most 5
    failed_classes: dict[str, int] = field(default_factory=dict)
    behaviour: str = ""  # hash of every outcome: equal hashes = identical behaviour
    output_head: str = ""
    seconds: float = 0.0
    sandbox_note: str = ""  # set when the check ran in a fresh sandbox, and why
    decided_by: str = "runner"  # "screen": the host's static screen, nothing was run

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _short(value: Any, limit: int = 80) -> str:
    """`repr`, cut to `limit`; a value whose repr raises (an int past Python's 4,300-digit limit
    on decimal text, alone or inside a container) is shown by its typed encoding, which writes
    such an int in hex, so a candidate returning one gets its own verdict, not a host crash."""
    try:
        text = repr(value)
    except ValueError:
        text = json.dumps(encode(value))
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _describe(outcome: Outcome) -> str:
    if not outcome.ok:
        return f"raised {outcome.error}"
    return f"{_short(outcome.value)} ({type(outcome.value).__name__})"


def _types_match(a: Any, b: Any) -> bool:
    """True when two values have the same type structure (used to tell return_type apart).

    The members of a set and the keys of a dict have no partner to pair with: `b` matches
    when each of its member (key) types is one that `a` holds (`{1.0}` for `{1}` does not;
    `{3}` for `{1, 2}` does, a wrong value). An empty `a` tells nothing."""
    if type(a) is not type(b):
        return False
    if isinstance(a, list | tuple):
        return all(_types_match(x, y) for x, y in zip(a, b, strict=False))
    if isinstance(a, set | frozenset | dict) and a and not {type(x) for x in b} <= {type(x) for x in a}:
        return False
    if isinstance(a, dict):
        return all(_types_match(v, b[k]) for k, v in a.items() if k in b)
    return True


def mismatch_kind(
    expected: Outcome, actual: Outcome, reference_types: frozenset[type] | None = None
) -> str | None:
    """None if the outcomes agree, else the category this single difference points to.

    A type difference is `return_type` when the value is the same after a conversion
    (`"1"` for `1`, `True` for `1`, `("a", "b")` for `"ab"`), or when C0 never returns a
    value of that type (`reference_types`). Otherwise it is a wrong value of a type C0 also
    returns (an int where fizzbuzz expected "Fizz"): `semantic`.
    """
    if expected.ok and actual.ok:
        exp, act = expected.value, actual.value
        if isinstance(act, Digest):  # not C0's encoding (`resolve_digests` let an equal one through)
            # as for a value sent whole: a type C0 returns here or elsewhere is a wrong value
            # (what it would be after a conversion cannot be known from a digest)
            names = {t.__name__ for t in reference_types or ()} | {type(exp).__name__}
            return "semantic" if act.type_name in names else "return_type"
        if typed_equal(exp, act):
            return None
        if _types_match(exp, act):
            return "semantic"
        if type(exp) is type(act) or reference_types is None:
            return "return_type"  # nested type change, or no knowledge of C0's types
        if type(act) not in reference_types or _same_after_conversion(exp, act):
            return "return_type"
        return "semantic"
    if expected.ok:
        return "crash"
    if not actual.ok and actual.error == expected.error:
        return None
    return "semantic"


def _same_after_conversion(expected: Any, actual: Any) -> bool:
    try:
        if str(expected) == str(actual) or expected == actual:
            return True
        if isinstance(actual, list | tuple) and isinstance(expected, str):
            return "".join(map(str, actual)) == expected
    except Exception:  # noqa: BLE001 - a hostile __eq__/__str__ is simply not equal
        return False
    return False


def not_none(outcome: Outcome | None) -> Outcome | None:
    """The output of a not-none problem (a `re.Match` or None in MBPP+): whether it matched,
    which is what C0's expected outputs hold (a bool output stays as it is, as in EvalPlus)."""
    if outcome is None or not outcome.ok or isinstance(outcome.value, bool):
        return outcome
    return Outcome(ok=True, value=outcome.value is not None)


_DIGESTS: dict[tuple[int, int], tuple[Any, str]] = {}


def _expected_digest(problem: Problem, i: int) -> str:
    """`digest_of` C0's value on input `i`, computed once per problem object."""
    key = (id(problem.expected), i)
    cached = _DIGESTS.get(key)
    if cached is None or cached[0] is not problem.expected:
        cached = (problem.expected, digest_of(problem.expected[i].value))
        _DIGESTS[key] = cached
    return cached[1]


def resolve_digests(problem: Problem, actual: list[Outcome | None]) -> list[Outcome | None]:
    """Each value the runner sent as a digest (too long to send: `runner.DIGEST_TAG`) replaced by
    C0's own value when the digests agree: equal encodings are the same typed value, so both
    comparison modes then see it as equal. A digest that differs stays, and fails."""
    resolved = list(actual)
    for i, act in enumerate(actual):
        if act is None or not act.ok or not isinstance(act.value, Digest):
            continue
        exp = problem.expected[i]
        if exp.ok and act.value.digest == _expected_digest(problem, i):
            resolved[i] = exp
    return resolved


def behaviour_digest(actual: list[Outcome | None]) -> str:
    """The hash of every outcome (`CheckResult.behaviour`): equal hashes, identical behaviour."""
    return hashlib.sha256(
        json.dumps(
            [None if a is None else [a.ok, encode(a.value) if a.ok else a.error] for a in actual]
        ).encode()
    ).hexdigest()[:16]


def compare(
    problem: Problem, actual: list[Outcome | None], mode: str = "typed", digest: str | None = None
) -> CheckResult:
    """Pure comparison of outcomes (None = not reached because of a timeout) with C0's.

    `mode` is `typed` (ours) or `evalplus` (EvalPlus's rule, `check.compare`): it decides which
    inputs fail; the category of a failing input is named the same way in both. `digest` is
    `behaviour_digest` of the same outcomes when the caller has it (one run judged in two modes
    hashes its outcomes once; "" when no one reads it).
    """
    if mode not in MODES:
        raise ValueError(f"compare mode must be one of {', '.join(MODES)}, got {mode!r}")
    actual = resolve_digests(problem, actual)
    if problem.metadata.get("oracle") == "not_none":
        actual = [not_none(a) for a in actual]
    failures: list[tuple[int, str]] = []
    reference_types = frozenset(type(o.value) for o in problem.expected if o.ok)
    passes = None
    if mode == "evalplus":
        meta = problem.metadata
        passes = evalplus_passes(
            actual, problem.expected, problem.inputs, atol=float(meta.get("atol") or 0),
            oracle=meta.get("oracle"), n_base=meta.get("n_base"),
        )  # fmt: skip
    for i, (exp, act) in enumerate(zip(problem.expected, actual, strict=True)):
        if act is None:
            failures.append((i, "timeout"))
            continue
        if passes is not None and passes[i]:  # EvalPlus's rule decides; no kind to name
            continue
        kind = mismatch_kind(exp, act, reference_types)
        if passes is not None:
            kind = kind or "semantic"
        if kind:
            failures.append((i, kind))
    digest = behaviour_digest(actual) if digest is None else digest
    if not failures:
        return CheckResult(True, "none", "all inputs match", len(actual), 0, behaviour=digest)
    kinds = {k for _, k in failures}
    category = next(c for c in CATEGORY_ORDER if c in kinds)
    ordered = sorted(failures, key=lambda f: (len(repr(problem.inputs[f[0]])), f[0]))
    details: list[dict[str, Any]] = []
    classes: dict[str, int] = {}
    for i, _kind in failures:
        for c in problem.probe_classes[i]:
            classes[c] = classes.get(c, 0) + 1
    for i, kind in ordered[:5]:
        act = actual[i]
        details.append(
            {
                "index": i,
                "input": _short(problem.inputs[i], 200),
                "expected": _describe(problem.expected[i]),
                "actual": "timed out" if act is None else _describe(act),
                "kind": kind,
                "classes": list(problem.probe_classes[i]),
            }
        )
    first = details[0]
    args = first["input"][1:-1].rstrip(",")
    detail = (
        f"{category}: {problem.function}({args}) expected {first['expected']}, "
        f"got {first['actual']}; {len(failures)}/{len(actual)} inputs differ"
    )
    return CheckResult(
        False, category, detail, len(actual), len(failures), details, classes, digest
    )


def _fail(category: str, detail: str, n: int, started: float, head: str = "") -> CheckResult:
    return CheckResult(
        False, category, detail, n, n, output_head=head, seconds=time.monotonic() - started
    )


def parse_records(stdout: str, nonce: str) -> list[Any]:
    """Records framed with this check's nonce; anything else on stdout is ignored.

    A framed line that is JSON but not an object is kept, so that `judge` can refuse it."""
    prefix = nonce + " "
    records: list[Any] = []
    for line in stdout.splitlines():
        if line.startswith(prefix):
            try:
                records.append(json.loads(line[len(prefix) :]))
            except (ValueError, RecursionError):
                continue
    return records


def _input_text(problem: Problem, i: int | None) -> str:
    if i is not None and 0 <= i < len(problem.inputs):
        return _short(problem.inputs[i], 60)[1:-1].rstrip(",")
    return "..."


def _final_verdict(problem: Problem, final: FinalRecord, n: int, started: float) -> CheckResult | None:
    """The verdict a final record decides alone (tampering, a stage, a stop), else None."""
    head = final.output_head[:400]
    fn = problem.function
    if final.tampering:
        msg = f"tampering: the code {final.tampering[0][:300]}; never scored as a pass"
        return _fail("tampering", msg, n, started, head)
    if final.broken:
        msg = f"crash: the code {final.broken[:300]}, which every call in its process relies on"
        return _fail("crash", msg, n, started, head)
    if final.stage == STAGE_RUNNER:
        return _fail("crash", f"crash: {final.msg[:300]}", n, started, head)
    if final.stage == STAGE_SYNTAX:
        return _fail("syntax", f"syntax: {final.msg[:300]}", n, started, head)
    if final.stage == STAGE_SIGNATURE:
        if final.error == ERROR_MISSING:
            names = ", ".join(final.defined)
            msg = f"signature: no function {fn}() (defined: {names or 'nothing callable'})"
        else:
            msg = f"signature: {fn}() cannot take the inputs: {final.msg[:300]}"
        return _fail("signature", msg, n, started, head)
    if final.stage == STAGE_IMPORT:
        if final.timeout:
            return _fail("timeout", "timeout: importing the code did not finish", n, started, head)
        if final.stopped == STOP_OUTPUT_LIMIT:
            return _fail("crash", "crash: the code printed more than the output cap", n, started, head)
        if final.died:
            msg = f"crash: the process ended while importing the code ({final.died[:300]})"
            return _fail("crash", msg, n, started, head)
        what = f"{final.exc[:300]}: {final.msg[:300]}".rstrip(": ")
        return _fail("crash", f"crash: importing the code raised {what}", n, started, head)
    if final.stopped == STOP_OUTPUT_LIMIT:
        return _fail("crash", "crash: the code printed more than the output cap", n, started, head)
    if final.stopped == STOP_CHANNEL:
        msg = "crash: the code wrote to or broke the runner's result channel"
        return _fail("crash", msg, n, started, head)
    if final.stopped == STOP_UNENCODABLE:
        what = f"{final.exc[:300]}: {final.msg[:300]}".rstrip(": ")
        on = f"{fn}({_input_text(problem, final.index)})"
        msg = f"crash: the value {on} returned could not be encoded ({what})"
        return _fail("crash", msg, n, started, head)
    if final.stopped == STOP_DIED:
        on = f"on {fn}({_input_text(problem, final.index)})"
        where = "after the last call" if final.at == "end" else on
        msg = f"crash: the process ended {where} ({final.how[:300]})"
        return _fail("crash", msg, n, started, head)
    return None


def judge(problem: Problem, records: list[Any], started: float, mode: str = "typed") -> CheckResult:
    """Turn the runner's records (JSON objects, see `parse_records`) into a verdict: each is read
    into its typed form (`runner.protocol`), the last as the final record; outputs are compared
    by `mode` (see `compare`)."""
    return judge_modes(problem, records, started, (mode,))[mode]


def judge_modes(
    problem: Problem,
    records: list[Any],
    started: float,
    modes: tuple[str, ...] = MODES,
    behaviour: bool = True,
) -> dict[str, CheckResult]:
    """`judge` in several comparison modes from one run's records: the records are read and the
    outputs decoded once; a verdict the final record decides alone (a stage, a stop, tampering)
    is the same in every mode. `behaviour=False` leaves `CheckResult.behaviour` empty (hashing
    every output is a third of the host's work on a check, and a rescore never reads it)."""
    outcomes = _outcomes(problem, records, started)
    if isinstance(outcomes, CheckResult):
        return dict.fromkeys(modes, outcomes)
    results, head = outcomes
    results = resolve_digests(problem, results)  # once, before the hash and every mode's compare
    if problem.metadata.get("oracle") == "not_none":
        results = [not_none(a) for a in results]
    digest = behaviour_digest(results) if behaviour else ""  # the same in every mode: hashed once
    verdicts = {}
    for mode in modes:
        verdict = compare(problem, results, mode, digest)
        verdict.output_head = head
        verdict.seconds = time.monotonic() - started
        verdicts[mode] = verdict
    return verdicts


def _outcomes(
    problem: Problem, records: list[Any], started: float
) -> CheckResult | tuple[list[Outcome | None], str]:
    """Each input's outcome (None: not reached) and the output head, or the verdict that the
    records decide before any output is compared."""
    n = len(problem.inputs)
    fn = problem.function
    if any(not isinstance(r, dict) for r in records):
        return _fail("crash", "crash: a result record is not an object", n, started)
    final = FinalRecord.read(records[-1]) if records else None
    if final is None:
        return _fail("crash", f"crash: the process ended before reporting ({fn})", n, started)
    decided = _final_verdict(problem, final, n, started)
    if decided is not None:
        return decided
    head = final.output_head[:400]
    results: list[Outcome | None] = [None] * n
    seen: set[int] = set()
    for reply in map(ReplyRecord.read, records[:-1]):
        i = reply.index
        if i is None or not 0 <= i < n or i in seen:
            return _fail("crash", "crash: the result channel was tampered with", n, started, head)
        seen.add(i)
        if reply.timeout:
            results[i] = None
        elif reply.ok:
            results[i] = Outcome(ok=True, value=decode(reply.value))
        else:
            results[i] = Outcome(ok=False, error=reply.exc)
    if final.stopped not in (None, STOP_TIMEOUT):
        msg = f"crash: the check stopped early ({final.stopped[:300] if final.stopped else ''})"
        return _fail("crash", msg, n, started, head)
    if final.stopped != STOP_TIMEOUT and len(seen) != n:
        return _fail("crash", "crash: results are missing for some inputs", n, started, head)
    return results, head


@runtime_checkable
class Scratch(Protocol):
    """A provider that names the writable places the runner must empty around every check."""

    @property
    def scratch_dirs(self) -> tuple[str, ...]: ...


@runtime_checkable
class WarmRunner(Protocol):
    """A provider with a long-lived runner per trial (`roundtrip-docker`): one job line per
    check goes to it instead of one exec of the runner."""

    @property
    def warm_runner(self) -> bool: ...

    async def run_warm(self, job: str, *, until: str, timeout: int) -> ExecResult[str]: ...


@runtime_checkable
class Renewable(Protocol):
    """A provider that can replace its sandbox by a fresh one mid-trial (`roundtrip-docker`):
    what the host does when the runner cannot prove the writable places empty."""

    async def renew(self, why: str) -> None: ...
def screened_verdict(code: str, n: int, started: float) -> CheckResult | None:
    """`tampering` when the static screen finds a construct that only serves to reach the
    runner (nothing is sent to the sandbox), else None."""
    found = first_finding(code)
    if found is None:
        return None
    verdict = _fail("tampering", f"tampering: static screen: {found}", n, started)
    verdict.decided_by = "screen"
    return verdict


def _provider(env: SandboxEnvironment) -> SandboxEnvironment:
    """The provider's own object: in an eval, `sandbox()` is Inspect's event-logging proxy."""
    try:
        return env.as_type(SandboxEnvironment)  # type: ignore[type-abstract]
    except (TypeError, AttributeError):
        return env


_ENCODED_INPUTS: dict[int, tuple[Any, list[Any], str]] = {}


def _inputs_cached(problem: Problem) -> tuple[Any, list[Any], str]:
    """(the inputs, encoded, encoded as JSON text), made once per problem object: a rescore
    sends the same inputs with thousands of candidates."""
    cached = _ENCODED_INPUTS.get(id(problem.inputs))
    if cached is None or cached[0] is not problem.inputs:
        encoded = [encode(list(args)) for args in problem.inputs]
        cached = (problem.inputs, encoded, json.dumps(encoded))
        _ENCODED_INPUTS[id(problem.inputs)] = cached
    return cached


def job_text(job: dict[str, Any], problem: Problem) -> str:
    """`json.dumps(job)` with the problem's inputs as `inputs`, their JSON made once per problem."""
    head = json.dumps({k: v for k, v in job.items() if k != "inputs"})
    return f'{head[:-1]}, "inputs": {_inputs_cached(problem)[2]}}}'


def scratch_places(env: SandboxEnvironment) -> list[str]:
    """The writable places of `env` that the runner empties around every check.

    A provider tells them by being `Scratch` (the Docker provider: its work dir, /tmp, /dev/shm,
    /dev/mqueue). Any other sandbox gets none: the runner then only removes its own per-check
    directories (never the host's /tmp under the local sandbox).
    """
    provider = _provider(env)
    return [str(d) for d in provider.scratch_dirs] if isinstance(provider, Scratch) else []


async def run_check(
    env: SandboxEnvironment,
    code: str,
    problem: Problem,
    *,
    call_timeout: float = CALL_TIMEOUT,
    check_timeout: float = CHECK_TIMEOUT,
    output_cap: int = OUTPUT_CAP,
    screen: bool = True,
    compare_mode: str = "typed",
) -> CheckResult:
    """Check one candidate against every input of `problem` in `env` (see the module doc).

    `screen=False` skips the static screen (`screen.py`), for tests of the runner's own defences;
    `compare_mode` is `typed` or `evalplus` (`check.compare`)."""
    verdicts = await run_check_modes(
        env, code, problem, call_timeout=call_timeout, check_timeout=check_timeout,
        output_cap=output_cap, screen=screen, modes=(compare_mode,),
    )  # fmt: skip
    return verdicts[compare_mode]


async def run_check_modes(
    env: SandboxEnvironment,
    code: str,
    problem: Problem,
    *,
    call_timeout: float = CALL_TIMEOUT,
    check_timeout: float = CHECK_TIMEOUT,
    output_cap: int = OUTPUT_CAP,
    screen: bool = True,
    modes: tuple[str, ...] = MODES,
    behaviour: bool = True,
) -> dict[str, CheckResult]:
    """`run_check` judged in each of `modes` from one run of the candidate: the sandbox runs it
    once, and the host compares the same outputs by each rule (the EvaLooop rescore gives both
    verdicts on 46,655 functions at the cost of one). `behaviour`: see `judge_modes`."""
    for mode in modes:
        if mode not in MODES:
            raise ValueError(f"compare mode must be one of {', '.join(MODES)}, got {mode!r}")
    started = time.monotonic()
    n = len(problem.inputs)
    try:
        with warnings.catch_warnings():  # a SyntaxWarning of the model's code is not ours to print
            warnings.simplefilter("ignore")
            compile(code, "candidate.py", "exec")  # inspect-evals-lint: ignore[IESC002] -- parsed only
    except Exception as exc:  # noqa: BLE001 - SyntaxError, ValueError, RecursionError, ...
        return dict.fromkeys(modes, _fail("syntax", f"syntax: {exc}", n, started))
    if screen:
        screened = screened_verdict(code, n, started)
        if screened is not None:
            return dict.fromkeys(modes, screened)
    nonce = secrets.token_hex(16)
    scratch = scratch_places(env)
    job = {
        "nonce": nonce,
        "code": code,
        "function": problem.function,
        "call_timeout": call_timeout,
        "check_timeout": check_timeout,
        "output_cap": output_cap,
        "workdir": ".",
        "scratch": scratch,
        "clean_ipc": bool(scratch),
    }
    timeout = int(max(1, round(check_timeout + 2 * SLATE_SECONDS)))  # the emptying is the check's too
    provider = _provider(env)
    note = ""
    try:
        result = await _send(env, provider, job_text(job, problem), nonce, timeout)
        final = last_record(result.stdout, nonce)
        if final is not None and final.stage == STAGE_SLATE:  # the last check left what stays
            note = await _renew(provider, final.left)
            job["scratch"] = scratch_places(env)  # the fresh sandbox's own places
            result = await _send(env, provider, job_text(job, problem), nonce, timeout)
            again = last_record(result.stdout, nonce)
            if again is not None and again.stage == STAGE_SLATE:
                raise RuntimeError(f"a fresh sandbox is not empty either: {result.stdout[-300:]}")
    except TimeoutError:
        msg = f"timeout: the check ran past {check_timeout:g}s and was killed"
        return dict.fromkeys(modes, _fail("timeout", msg, n, started))
    except OutputLimitExceededError:
        msg = "crash: the check's output exceeded the sandbox output limit"
        return dict.fromkeys(modes, _fail("crash", msg, n, started))
    except SandboxExhausted as exc:
        _note(f"{exc}; the trial goes on in a fresh sandbox")
        return dict.fromkeys(modes, _fail("crash", f"crash: {str(exc)[:300]}", n, started))
    try:
        verdicts = judge_modes(problem, parse_records(result.stdout, nonce), started, modes, behaviour)
    except Exception as exc:  # noqa: BLE001 - a record the host cannot read is the code's crash
        msg = f"crash: a result record could not be read ({type(exc).__name__})"
        return dict.fromkeys(modes, _fail("crash", msg, n, started))
    final = last_record(result.stdout, nonce)
    extra = ""
    if final is not None and final.output_bytes > output_cap:  # printing is not the result
        extra = f" (the code printed {final.output_bytes:,} bytes; past {output_cap:,} discarded)"
    if final is not None and final.stage != STAGE_SLATE and final.left:  # left by this check
        after = await _renew_after(provider, final.left)
        note = f"{note}; {after}" if note else after
    for verdict in {id(v): v for v in verdicts.values()}.values():
        if verdict.detail.startswith("crash: the process ended before reporting") and result.stderr.strip():
            verdict.detail += f" (runner: {result.stderr.strip().splitlines()[-1][:200]})"
        verdict.detail += extra
        verdict.sandbox_note = note
    return verdicts


async def _send(
    env: SandboxEnvironment, provider: SandboxEnvironment, job: str, nonce: str, timeout: int
) -> ExecResult[str]:
    """One job (its JSON text) to the trial's warm runner when the sandbox has one
    (`roundtrip-docker`), else one exec."""
    if isinstance(provider, WarmRunner) and provider.warm_runner:
        return await provider.run_warm(job, until=f"{nonce} END", timeout=timeout)
    return await env.exec(
        ["python3", "-I", "-c", RUNNER_SOURCE], input=job, timeout=timeout, timeout_retry=False
    )


def last_record(stdout: str, nonce: str) -> FinalRecord | None:
    """The runner's final record, or None when there is none (the judge says what that means):
    the last framed line that is JSON (`parse_records(...)[-1]`), found from the end."""
    prefix = nonce + " "
    for line in reversed(stdout.splitlines()):
        if line.startswith(prefix):
            try:
                record = json.loads(line[len(prefix) :])
            except (ValueError, RecursionError):
                continue
            return FinalRecord.read(record) if isinstance(record, dict) else None
    return None


async def _renew(provider: SandboxEnvironment, left: tuple[str, ...]) -> str:
    """Replace the sandbox whose writable places could not be shown empty; the note for the log.

    Not the candidate's fault (it has not run): the check is made again in a fresh sandbox. A
    sandbox that cannot be renewed is an error of the eval, not a verdict on the code."""
    what = ", ".join(x[:120] for x in left[:5]) or "?"
    note = f"the last check left what could not be removed ({what}); checked in a fresh sandbox"
    if not isinstance(provider, Renewable):
        raise RuntimeError(f"the sandbox could not be emptied after a check and cannot be renewed: {what}")
    await provider.renew(note)
    _note(note)
    return note


async def _renew_after(provider: SandboxEnvironment, left: tuple[str, ...]) -> str:
    """Replace the sandbox this check left what could not be removed in time (files past
    `SLATE_SECONDS`, processes not proven gone in `REAP_SECONDS`); the note.

    The verdict stands (what a check leaves is not its function's result), and the cost of the
    fresh sandbox falls on this check, not on the next one. A sandbox that cannot be renewed is
    emptied again before the next check, which then proves it empty or refuses to run."""
    what = ", ".join(x[:120] for x in left[:5]) or "?"
    note = f"the check left what could not be removed in time ({what})"
    if isinstance(provider, Renewable):
        note += "; the trial goes on in a fresh sandbox"
        await provider.renew(note)
    _note(note)
    return note


def _note(text: str) -> None:
    """An info event in the sample's transcript (outside an eval there is none to write to)."""
    with contextlib.suppress(Exception):
        from inspect_ai.log import transcript

        transcript().info(text)
