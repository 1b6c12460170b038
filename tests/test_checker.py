"""The checker: verdicts from runner records, and real checks of scripted candidates.

Candidates here are our own literals (not model output), so the non-hostile ones run in
Inspect's `local` sandbox; the hostile suite runs against Docker in test_hostile.py.
"""

import json
import sys
import time
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest
from inspect_ai.util import ExecResult
from inspect_ai.util._sandbox.local import LocalSandboxEnvironment

from roundtrip_eval.check.host import (
    compare,
    judge,
    judge_modes,
    mismatch_kind,
    parse_records,
    run_check,
    scratch_places,
)
from roundtrip_eval.check.runner import encode
from roundtrip_eval.check.runner.codec import Digest
from roundtrip_eval.problems.evalplus import problem_from_row
from roundtrip_eval.problems.load import Outcome, load_problem

FIZZ = load_problem("fizzbuzz")


def outcomes(values: list) -> list:
    return [Outcome(ok=True, value=v) for v in values]


def test_mismatch_kinds() -> None:
    ok = Outcome(ok=True, value="Fizz")
    assert mismatch_kind(ok, Outcome(ok=True, value="Fizz")) is None
    assert mismatch_kind(ok, Outcome(ok=True, value="fizz")) == "semantic"
    assert mismatch_kind(ok, Outcome(ok=True, value=("Fizz",))) == "return_type"
    assert mismatch_kind(ok, Outcome(ok=False, error="ValueError")) == "crash"
    raised = Outcome(ok=False, error="KeyError")
    assert mismatch_kind(raised, Outcome(ok=False, error="KeyError")) is None
    assert mismatch_kind(raised, Outcome(ok=False, error="TypeError")) == "semantic"
    assert mismatch_kind(raised, Outcome(ok=True, value=None)) == "semantic"


def test_type_differences_in_the_light_of_c0s_types() -> None:
    types = frozenset({int, str})  # fizzbuzz returns both
    fizz, seven = Outcome(ok=True, value="Fizz"), Outcome(ok=True, value=7)
    assert mismatch_kind(fizz, Outcome(ok=True, value=3), types) == "semantic"  # dropped branch
    assert mismatch_kind(seven, Outcome(ok=True, value="7"), types) == "return_type"  # str(n)
    assert mismatch_kind(seven, Outcome(ok=True, value="Buzz"), types) == "semantic"
    assert mismatch_kind(seven, Outcome(ok=True, value=7.0), types) == "return_type"
    assert mismatch_kind(seven, Outcome(ok=True, value=True), types) == "return_type"
    sep = Outcome(ok=True, value="eoHll")
    assert mismatch_kind(sep, Outcome(ok=True, value=("eo", "Hll")), frozenset({str})) == (
        "return_type")


def test_compare_reports_the_smallest_failing_input_and_counts() -> None:
    actual = [o.value for o in FIZZ.expected]
    wrong = [i for i, a in enumerate(FIZZ.inputs) if a[0] in (0, 3, 7)]
    values = list(actual)
    for i in wrong:
        values[i] = None  # fizzbuzz never returns None: a type change
    verdict = compare(FIZZ, outcomes(values))
    assert not verdict.passed
    assert verdict.category == "return_type"
    assert verdict.n_failed == len(wrong)
    assert verdict.failures[0]["input"] in ("(0,)", "(3,)")
    assert verdict.detail.startswith("return_type: fizzbuzz(")
    assert f"{len(wrong)}/{len(FIZZ.inputs)} inputs differ" in verdict.detail


def test_a_value_past_the_decimal_digit_limit_is_described_not_a_host_crash() -> None:
    # repr(10 ** 5000) raises ValueError (Python's 4,300-digit limit; the runner sends it in hex).
    # Loading EvalPlus problems lifts the limit for the process, so the test sets it itself
    before = sys.get_int_max_str_digits()
    sys.set_int_max_str_digits(4300)
    try:
        for huge in (10**5000, [1, (10**5000,)]):
            verdict = compare(FIZZ, outcomes([huge] * len(FIZZ.inputs)))
            assert not verdict.passed and '["int", "0x' in verdict.detail, verdict.detail
    finally:
        sys.set_int_max_str_digits(before)


def test_a_digest_is_categorised_as_the_value_sent_whole_would_be() -> None:
    # past the check's inline bytes a value travels as a digest: an int where fizzbuzz expects
    # "Fizz" is still a wrong value of a type C0 returns (semantic), a float still a type change
    fizz = next(i for i, o in enumerate(FIZZ.expected) if o.value == "Fizz")
    exp = FIZZ.expected[fizz]
    for value, kind in ((10**5000, "semantic"), (0.5, "return_type")):
        whole = mismatch_kind(exp, Outcome(ok=True, value=value), frozenset({int, str}))
        digest = Digest(type(value).__name__, "0" * 64, 9000)
        assert whole == mismatch_kind(exp, Outcome(ok=True, value=digest), frozenset({int, str})) == kind


def test_behaviour_hash_tracks_outcomes() -> None:
    same = compare(FIZZ, list(FIZZ.expected))
    assert same.passed and same.category == "none"
    values = [o.value for o in FIZZ.expected]
    values[5] = "Fizz" if values[5] != "Fizz" else "Buzz"
    other = compare(FIZZ, outcomes(values))
    assert other.behaviour != same.behaviour
    assert compare(FIZZ, outcomes(values)).behaviour == other.behaviour


def test_two_modes_from_one_run_equal_two_judgements() -> None:
    values = [o.value for o in FIZZ.expected]
    values[3] = float(values[3]) if isinstance(values[3], int) else values[3]  # typed fails, == passes
    records = [{"i": i, "ok": True, "v": encode(v)} for i, v in enumerate(values)]
    records.append({"done": len(values)})
    started = time.monotonic()
    both = judge_modes(FIZZ, records, started)
    for mode in ("typed", "evalplus"):
        found, alone = both[mode], judge(FIZZ, records, started, mode)
        assert (found.passed, found.category, found.detail) == (alone.passed, alone.category, alone.detail)
        assert found.behaviour == alone.behaviour != ""
    assert not both["typed"].passed and both["evalplus"].passed
    quiet = judge_modes(FIZZ, records, started, behaviour=False)  # the rescore reads no hash
    assert quiet["typed"].behaviour == quiet["evalplus"].behaviour == ""
    assert [quiet[m].passed for m in ("typed", "evalplus")] == [False, True]


def test_judge_rejects_tampered_or_missing_channels() -> None:
    started = time.monotonic()
    assert judge(FIZZ, [], started).category == "crash"
    dup = [{"i": 0, "ok": True, "v": ["int", "1"]}] * 2 + [{"done": 2}]
    assert "tampered" in judge(FIZZ, dup, started).detail
    short = [{"i": 0, "ok": True, "v": ["int", "1"]}, {"done": 1}]
    assert "missing" in judge(FIZZ, short, started).detail


def test_records_need_the_nonce() -> None:
    out = 'abc {"i": 0}\nSUCCESS\nxyz {"i": 1}\nabc not-json\n'
    assert parse_records(out, "abc") == [{"i": 0}]


CANDIDATES = {
    "reference": (FIZZ.reference, True, "none"),
    "str_for_int": (FIZZ.reference.replace("return n", "return str(n)"), False, "return_type"),
    "true_for_1": (FIZZ.reference.replace("return n", "return True if n == 1 else n"), False,
                   "return_type"),
    "float_result": (FIZZ.reference.replace("return n", "return n * 1.0"), False, "return_type"),
    "zero_differs": (FIZZ.reference.replace("if n % 15 == 0:", "if n % 15 == 0 and n != 0:"),
                     False, "semantic"),
    "prints_fake_success": ("print('SUCCESS: All tests passed')\n" + FIZZ.reference
                            + "\nprint('abc {\"done\": 150}')\n", True, "none"),
    "fake_success_then_exit": ("print('SUCCESS')\nimport os\nos._exit(0)\n", False, "crash"),
    "sys_exit_at_import": ("import sys\nsys.exit(0)\n", False, "crash"),
    "raises": ("def fizzbuzz(n):\n    raise ValueError('no')\n", False, "crash"),
    "renamed": ("def fizz_buzz(n):\n    return n\n", False, "signature"),
    "arity": ("def fizzbuzz(n, m):\n    return n\n", False, "signature"),
    "syntax": ("def fizzbuzz(n)\n    return n\n", False, "syntax"),
    "slow_call": ("import time\ndef fizzbuzz(n):\n    time.sleep(5)\n", False, "timeout"),
}


@pytest.mark.parametrize("name", sorted(CANDIDATES))
async def test_real_checks_in_the_local_sandbox(name: str) -> None:
    code, passed, category = CANDIDATES[name]
    verdict = await run_check(LocalSandboxEnvironment(), code, FIZZ, call_timeout=0.5)
    assert (verdict.passed, verdict.category) == (passed, category), verdict.detail


async def test_printing_past_the_output_cap_is_discarded_not_a_crash() -> None:
    # red4: a correct fizzbuzz printing ~1.2 MB of debug output was `crash: the code printed
    # more than the output cap`; printing is not the function's result
    code = (
        "print('start ' + 'x' * 200000)\n"
        "def fizzbuzz(n):\n    print('debug', n, '.' * 8000)\n"
        "    return 'FizzBuzz' if n % 15 == 0 else 'Fizz' if n % 3 == 0 else 'Buzz' if n % 5 == 0 else n\n"
    )
    verdict = await run_check(LocalSandboxEnvironment(), code, FIZZ, output_cap=100_000)
    assert verdict.passed, verdict.detail
    assert verdict.output_head.startswith("start xxx")
    printed = int(verdict.detail.split("printed ")[1].split(" bytes")[0].replace(",", ""))
    assert printed > 200_000 + 8000 * len(FIZZ.inputs), verdict.detail  # every byte was drained
    assert "past 100,000 discarded" in verdict.detail


async def test_huge_return_values_are_a_type_change_not_an_output_overflow() -> None:
    # Real shape (qwen2.5-coder-0.5b, ja): fizzbuzz(n) returning the whole list 1..n; on the
    # large inputs the encoded values alone would overflow the output cap and read as a crash.
    code = (
        "def fizzbuzz(n):\n    out = []\n    for i in range(1, min(n, 300000) + 1):\n"
        "        out.append('Fizz' if i % 3 == 0 else str(i))\n    return out\n"
    )
    verdict = await run_check(LocalSandboxEnvironment(), code, FIZZ, call_timeout=2.0)
    assert verdict.category == "return_type", verdict.detail
    assert "(list)" in verdict.detail


async def test_a_candidate_returning_a_huge_value_for_every_input_gets_its_verdict_quickly() -> None:
    # values too long to send go as digests, and the encoding a check may cost is bounded
    # (`protocol.CHECK_LIMITS`): 150 values of 3 million items are not 450 million items to encode
    code = "HUGE = list(range(3_000_000))\ndef fizzbuzz(n):\n    return HUGE\n"
    started = time.monotonic()
    verdict = await run_check(LocalSandboxEnvironment(), code, FIZZ, call_timeout=2.0)
    assert verdict.category == "return_type", verdict.detail
    assert time.monotonic() - started < 25, verdict.seconds


BIG_VALUES = (
    "def big(n):\n"
    "    if n == 0:\n        return 18 * 10 ** 9874\n"  # HumanEval+ 83: an int of 9,876 digits
    "    if n == 1:\n        return ' '.join(str(i) for i in range(1_000_000))\n"  # HumanEval+ 15
    "    if n == 2:\n        return [[i, str(i)] for i in range(20_000)]\n"  # Mbpp/462's size: a digest
    "    return list(range(n, n + 1_000))\n"  # about 6 KB: over the old 4,096-byte limit, inline now
)


async def test_values_too_long_for_the_old_limit_pass_against_themselves_and_a_change_fails() -> None:
    # MBPP+ 251/462/589/603/745 and HumanEval+ 14/15/83/96/106/123/139 failed their own inputs:
    # their values arrived as a "too large" marker (or raised ValueError for a long int)
    namespace: dict[str, Any] = {}
    exec(BIG_VALUES, namespace)  # our own literal
    inputs = ((0,), (1,), (2,), (3,), (4,))
    expected = tuple(Outcome(ok=True, value=namespace["big"](*args)) for args in inputs)
    problem = replace(FIZZ, name="big", function="big", reference=BIG_VALUES, inputs=inputs,
                      expected=expected, probe_classes=(("cases",),) * 5, n_cases=5)  # fmt: skip
    for mode in ("typed", "evalplus"):
        verdict = await run_check(LocalSandboxEnvironment(), BIG_VALUES, problem, compare_mode=mode)
        assert verdict.passed, verdict.detail
    changed = BIG_VALUES.replace("range(1_000_000))", "range(1_000_001))")
    verdict = await run_check(LocalSandboxEnvironment(), changed, problem)
    assert (verdict.category, verdict.n_failed) == ("semantic", 1), verdict.detail
    assert "got <str of 6,888," in verdict.detail and "encoded bytes, digest" in verdict.detail


async def test_a_set_of_strings_is_iterated_in_the_same_order_by_c0_and_the_candidate() -> None:
    # MBPP+ 2, 579, 769 build a tuple from a set of strings: its order follows the hash seed, and
    # C0 on the host and the candidate in the sandbox ran with different random seeds
    words = [f"w{i}x{i * 7919 % 101}" for i in range(40)]
    source = "def shuffle(words, more):\n    return tuple(set(words) | set(more))\n"
    row = {"task_id": "Mbpp/579", "prompt": '"""\nShuffle.\nassert shuffle(1) == 1\n"""\n',
           "entry_point": "shuffle", "canonical_solution": source, "atol": 0,
           "base_input": [[words, ["a", "b"]], [words[:20], words[20:]]], "plus_input": []}  # fmt: skip
    problem = problem_from_row("mbpp_plus", row)
    assert type(problem.expected[0].value) is tuple and len(problem.expected[0].value) == 42
    for _ in range(3):  # a fresh candidate process each time: the same seed each time
        verdict = await run_check(LocalSandboxEnvironment(), source, problem)
        assert verdict.passed, verdict.detail


# ------------------------------------------------------------------ issue 11: the host is robust


class CraftedSandbox:
    """A stand-in sandbox whose runner output is crafted: what a broken or forged runner might send."""

    def __init__(self, lines: Callable[[str], list[str]], returncode: int = 0, stderr: str = "") -> None:
        self.lines, self.returncode, self.stderr = lines, returncode, stderr

    async def exec(self, cmd: list[str], input: str, **kwargs: Any) -> ExecResult[str]:
        nonce = json.loads(input)["nonce"]
        out = "".join(f"{nonce} {line}\n" for line in self.lines(nonce))
        return ExecResult(self.returncode == 0, self.returncode, out, self.stderr)


def _all_ok(n: int) -> list[str]:
    return [json.dumps({"i": i, "ok": True, "v": encode(o.value)}) for i, o in enumerate(FIZZ.expected[:n])]


CRAFTED = {
    "record_is_a_list": lambda nonce: ["[1, 2, 3]"],
    "record_is_a_string": lambda nonce: [*_all_ok(150), '"done"'],
    "final_is_a_number": lambda nonce: [*_all_ok(150), "150"],
    "index_is_a_string": lambda nonce: ['{"i": "0", "ok": true, "v": ["int", "1"]}', '{"done": 1}'],
    "value_is_not_an_encoding": lambda nonce: [*_all_ok(149), '{"i": 149, "ok": true, "v": 7}',
                                               '{"done": 150}'],
    "int_that_does_not_parse": lambda nonce: [*_all_ok(149), '{"i": 149, "ok": true, "v": ["int", "x"]}',
                                              '{"done": 150}'],
    "deeply_nested": lambda nonce: [*_all_ok(149), '{"i": 149, "ok": true, "v": ' + "[" * 5000 + "]" * 5000
                                    + "}", '{"done": 150}'],
    "defined_is_not_a_list": lambda nonce: ['{"stage": "signature", "error": "missing", "defined": 5}'],
}


@pytest.mark.parametrize("name", sorted(CRAFTED))
async def test_anything_unreadable_is_a_scored_verdict_never_an_error(name: str) -> None:
    verdict = await run_check(CraftedSandbox(CRAFTED[name]), FIZZ.reference, FIZZ)  # type: ignore[arg-type]
    assert not verdict.passed
    assert verdict.category in ("crash", "signature"), verdict.detail
    assert "\n" not in verdict.detail


def test_judge_reads_the_runners_stops() -> None:
    started = time.monotonic()
    n = len(FIZZ.inputs)
    cases = {
        "tampering": ({"done": 3, "stopped": "tampering", "tampering": ["called gc.get_objects()"]},
                      "tampering", "tampering: the code called gc.get_objects()"),
        "broken": ({"done": 0, "stopped": "broken", "broken": "replaced builtins: isinstance"},
                   "crash", "crash: the code replaced builtins: isinstance"),
        "died": ({"done": 2, "stopped": "died", "how": "killed by SIGSEGV", "at": "call", "i": 2},
                 "crash", f"crash: the process ended on fizzbuzz({FIZZ.inputs[2][0]}) (killed by SIGSEGV)"),
        "import_died": ({"stage": "import", "died": "exited with status 126"}, "crash",
                        "crash: the process ended while importing the code (exited with status 126)"),
        "channel": ({"done": 0, "stopped": "channel"}, "crash", "crash: the code wrote to or broke"),
        "runner": ({"stage": "runner", "msg": "the candidate process did not start (timeout)"}, "crash",
                   "crash: the candidate process did not start"),
        "import_output": ({"stage": "import", "stopped": "output_limit"}, "crash", "crash: the code printed"),
    }
    for name, (final, category, detail) in cases.items():
        done = int(final.get("done", 0))  # type: ignore[call-overload]
        records = [{"i": i, "ok": True, "v": encode(FIZZ.expected[i].value)} for i in range(done)]
        verdict = judge(FIZZ, [*records, final], started)
        assert (verdict.passed, verdict.category) == (False, category), name
        assert verdict.detail.startswith(detail), (name, verdict.detail)
        assert verdict.n_inputs == n


async def test_a_tampering_record_overrides_all_correct_values() -> None:
    def lines(nonce: str) -> list[str]:
        return [*_all_ok(150), json.dumps({"done": 150, "stopped": "tampering", "tampering": ["x"]})]

    verdict = await run_check(CraftedSandbox(lines), FIZZ.reference, FIZZ)  # type: ignore[arg-type]
    assert (verdict.passed, verdict.category) == (False, "tampering")

    def odd_head(nonce: str) -> list[str]:  # a head that is not text is dropped, not an error
        return [*_all_ok(150), json.dumps({"done": 150, "output_head": {"a": 1}})]

    verdict = await run_check(CraftedSandbox(odd_head), FIZZ.reference, FIZZ)  # type: ignore[arg-type]
    assert verdict.passed and verdict.output_head == ""


def test_scratch_places_only_for_a_sandbox_that_names_them() -> None:
    assert scratch_places(LocalSandboxEnvironment()) == []  # never the host's /tmp

    class Named:
        scratch_dirs = ("/work", "/tmp")

    assert scratch_places(Named()) == ["/work", "/tmp"]  # type: ignore[arg-type]


# ------------------------------------------------------------------ the runner, run for real

PROBES = {
    # short output is flushed into output_head, also from inside the function
    "prints_a_little": ("print('hello from import')\n" + FIZZ.reference.replace(
        "def fizzbuzz(n):\n", "def fizzbuzz(n):\n    if n == 3:\n        print('three')\n"), True, "none"),
    # the candidate process holds no job, nonce or result descriptor: only 0-3 are open, fd 1 is
    # not the runner's stdout, and stdin is empty
    "sees_only_its_descriptors": (
        "import os, sys\nfds = sorted(int(f) for f in os.listdir('/proc/self/fd'))\n"
        "assert fds[:4] == [0, 1, 2, 3] and len(fds) == 5, fds\nassert sys.stdin.read() == ''\n"
        + FIZZ.reference, True, "none"),
    "cannot_signal_the_runner": (
        "import os\ntry:\n    os.kill(os.getppid(), 0)\n    raise SystemExit('signalled the runner')\n"
        "except PermissionError:\n    pass\n" + FIZZ.reference, True, "none"),
    "gc_introspection": ("import gc\ngc.get_objects()\n" + FIZZ.reference, False, "tampering"),
    "uses_ctypes": ("import ctypes\nctypes.CDLL(None).getpid()\n" + FIZZ.reference, False, "tampering"),
    "exits_in_a_call": ("import os\ndef fizzbuzz(n):\n    os._exit(3)\n", False, "crash"),
}


@pytest.mark.parametrize("name", sorted(PROBES))
async def test_the_runner_for_real_in_the_local_sandbox(name: str) -> None:
    code, passed, category = PROBES[name]
    # the runner's own defences: the host's static screen would stop some of these first
    verdict = await run_check(LocalSandboxEnvironment(), code, FIZZ, call_timeout=0.5, screen=False)
    assert (verdict.passed, verdict.category) == (passed, category), (verdict.detail, verdict.output_head)
    if name == "prints_a_little":
        assert verdict.output_head == "hello from import\nthree\n"
    if name == "exits_in_a_call":
        first = FIZZ.inputs[0][0]
        # which of the two the runner sees first (the exit status or the closed channel) is a race
        # on a loaded machine; both name the input the process ended on
        assert verdict.detail in (
            f"crash: the process ended on fizzbuzz({first}) (exited with status 3)",
            f"crash: the process ended on fizzbuzz({first}) (closed its result channel)",
        )


def test_records_are_read_into_typed_values() -> None:
    from roundtrip_eval.check import runner
    from roundtrip_eval.check.runner.protocol import FinalRecord, ReplyRecord

    final = FinalRecord.read({"stage": "slate", "left": ["/tmp/x", 3], "output_bytes": 7})
    assert final is not None
    assert (final.stage, final.left, final.output_bytes) == ("slate", ("/tmp/x", "3"), 7)
    assert FinalRecord.read({"i": 0, "ok": True, "v": ["int", "1"]}) is None  # not a final record
    reply = ReplyRecord.read({"i": 2, "ok": False, "exc": "ValueError"})
    assert (reply.index, reply.ok, reply.exc) == (2, False, "ValueError")
    with pytest.raises(KeyError):
        ReplyRecord.read({"i": 0, "ok": True})  # an answer without its value cannot be read
    # the sandbox's programs write records and never read them: the types stay on the host
    for program in (runner.source(), runner.candidate_source()):
        assert "FinalRecord" not in program and "ReplyRecord" not in program
        assert "from dataclasses import" not in program and "@dataclass" not in program
