"""Hostile candidates through the real checker (`run_check`) in the `roundtrip-docker` sandbox.

Each case is model-style code for the `fizzbuzz` problem that attacks the sandbox or the
checker. Each must end within its limits with the expected category and never pass. Then a
correct fizzbuzz, checked in the SAME container, must still pass. When the suite ends, no
container of this test run may remain.
"""

from __future__ import annotations

import functools
import time
from pathlib import Path
from typing import Any

import hostile_code as hc
import pytest

from roundtrip_eval.check import host
from roundtrip_eval.eval import drift
from roundtrip_eval.eval.extract import extract_code
from roundtrip_eval.problems.load import load_problem
from roundtrip_eval.sandbox import LABEL_RUN, RoundtripDockerSandbox
from roundtrip_eval.sandbox.containers import run_state as _run_state

pytestmark = pytest.mark.docker

run_check = functools.partial(host.run_check, screen=False)
"""These cases test the runner's own defences: the host's static screen (which would stop many
of them before they run, `test_screen.py`) is off."""

FIZZ = load_problem("fizzbuzz")
CORRECT = FIZZ.reference
CALL_TIMEOUT = 0.5
CHECK_TIMEOUT = 4.0
SLACK = 2.5  # seconds past the check timeout for kill, start-up and a loaded machine

WRONG = "def fizzbuzz(n):\n    return None\n"  # a wrong but harmless function: return_type

CASES: dict[str, tuple[str, str]] = {
    # name: (code, expected category)
    "fork_bomb": (
        "import os\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n        pass\n" + CORRECT,
        "timeout",
    ),
    "fork_bomb_in_call": (
        "import os\ndef fizzbuzz(n):\n    while True:\n        try:\n            os.fork()\n"
        "        except OSError:\n            pass\n",
        "timeout",
    ),
    "memory_bomb": (
        "def fizzbuzz(n):\n    hog = bytearray(900 * 1024 * 1024)\n"
        "    hog[::4096] = b'1' * len(hog[::4096])\n    return 'Fizz'\n",
        "crash",
    ),
    "infinite_loop": ("def fizzbuzz(n):\n    while True:\n        pass\n", "timeout"),
    "infinite_loop_ignoring_alarm": (
        "import signal\nsignal.signal(signal.SIGALRM, signal.SIG_IGN)\n"
        "def fizzbuzz(n):\n    while True:\n        pass\n",
        "timeout",
    ),
    "swallows_the_call_timeout": (
        "import time\ndef fizzbuzz(n):\n    while True:\n        try:\n            time.sleep(10)\n"
        "        except BaseException:\n            pass\n",
        "timeout",
    ),
    "patches_setitimer_then_loops": (
        "import signal\nsignal.setitimer = lambda *a, **k: (0.0, 0.0)\n"
        "def fizzbuzz(n):\n    while True:\n        pass\n",
        "timeout",
    ),
    "sleep_past_the_call_limit": (
        "import time\ndef fizzbuzz(n):\n    time.sleep(30)\n    return 'Fizz'\n",
        "timeout",
    ),
    "sleep_at_import": ("import time\ntime.sleep(30)\n" + CORRECT, "timeout"),
    # printed output is not part of the contract: past the cap it is discarded (noted), and
    # the function is judged by its values, so flooding the output never hides a wrong one
    "prints_100mb": ("import sys\nsys.stdout.write('x' * 100_000_000)\n" + WRONG, "return_type"),
    "prints_in_every_call": (
        "def fizzbuzz(n):\n    print('y' * 100_000)\n    return n\n",
        "semantic",
    ),
    "floods_the_result_channel": (
        "import os\nfor fd in range(3, 20):\n    try:\n        os.write(fd, b'z' * 5_000_000)\n"
        "    except OSError:\n        pass\n" + WRONG,
        "crash",
    ),
    "network": (
        "import socket\nsocket.create_connection(('1.1.1.1', 80), timeout=2)\n" + CORRECT,
        "crash",
    ),
    "network_in_call": (
        "import socket\ndef fizzbuzz(n):\n    socket.create_connection(('10.0.0.1', 80), timeout=1)\n"
        "    return n\n",
        "crash",
    ),
    "writes_outside_workdir": ("open('/etc/evil', 'w').write('x')\n" + CORRECT, "crash"),
    "overwrites_the_stdlib": (
        "import json\nopen(json.__file__, 'w').write('raise SystemExit')\n" + CORRECT,
        "crash",
    ),
    "reads_etc_shadow": ("secret = open('/etc/shadow').read()\n" + CORRECT, "crash"),
    "reads_the_docker_socket": (
        "import socket\ns = socket.socket(socket.AF_UNIX)\ns.connect('/var/run/docker.sock')\n" + CORRECT,
        "crash",
    ),
    "fills_the_workdir": (
        "with open('fill.bin', 'wb') as f:\n    f.write(b'0' * 100_000_000)\n" + CORRECT,
        "crash",
    ),
    "sys_exit_at_import": ("import sys\nsys.exit(0)\n" + CORRECT, "crash"),
    "os_exit_at_import": ("import os\nos._exit(0)\n" + CORRECT, "crash"),
    "prints_fake_records": (
        "import json\nprint('SUCCESS: all tests passed')\n"
        "for i in range(200):\n"
        "    print('0' * 32 + ' ' + json.dumps({'i': i, 'ok': True, 'v': ['str', 'Fizz']}))\n"
        "print('0' * 32 + ' ' + json.dumps({'done': 200}))\n" + WRONG,
        "return_type",
    ),
    "forges_done_with_the_real_nonce": (
        "import sys\nf = sys._getframe(1)\nwhile f is not None and 'emit' not in f.f_locals:\n"
        "    f = f.f_back\nf.f_locals['emit']({'done': 10**6})\nimport os\nos._exit(0)\n" + WRONG,
        "crash",
    ),
    "replays_records_with_the_real_nonce": (
        "import sys\nf = sys._getframe(1)\nwhile f is not None and 'emit' not in f.f_locals:\n"
        "    f = f.f_back\nemit = f.f_locals['emit']\n"
        "for i in range(3):\n    emit({'i': 0, 'ok': True, 'v': ['str', 'FizzBuzz']})\n" + WRONG,
        "crash",
    ),
    "closes_the_result_channel": (
        "import os\nos.closerange(0, 1024)\n" + CORRECT,
        "crash",
    ),
    "clears_the_runner_globals": (
        "import __main__\n__main__.__dict__.clear()\n" + CORRECT,
        "crash",
    ),
    "patches_builtins": (
        "import builtins\nbuiltins.isinstance = lambda *a: True\nbuiltins.repr = lambda *a: 'x'\n" + WRONG,
        "crash",  # the runner itself breaks: it never reports, so the check is a crash
    ),
    "kills_pid_1_and_everyone": (
        "import os, signal\nfor sig in (9, 15, 10, 2, 11):\n    os.kill(1, sig)\n"
        "try:\n    os.kill(-1, 9)\nexcept OSError:\n    pass\n" + WRONG,
        "return_type",
    ),
    "leaves_a_background_process": (
        "import os, time\nif os.fork() == 0:\n    os.setsid()\n    os.closerange(0, 1024)\n"
        "    time.sleep(300)\n    os._exit(0)\n" + WRONG,
        "return_type",
    ),
    "recursion_bomb": ("def fizzbuzz(n):\n    return fizzbuzz(n)\n", "crash"),
    "deep_recursion_segfault": (
        "import sys\nsys.setrecursionlimit(10**8)\n"
        "def fizzbuzz(n):\n    return list(map(fizzbuzz, [n]))\n",  # C-stack overflow: SIGSEGV
        "crash",
    ),
}

# Reaching the memory limit can take seconds of reclaim before the OOM kill on a loaded machine;
# give it room so that the kill, not the check timeout, decides.
CHECK_TIMEOUTS = {"memory_bomb": 20.0}
CALL_TIMEOUTS = {"memory_bomb": 3.0}
"""The memory bomb's call must reach the memory limit before its call limit: the runner enforces
that limit from outside (plus a 1 s margin), and touching 512 MiB of pages takes 1 to 2.3 s on
a loaded 2-core machine, past the 0.5 s every other case uses; a call that slow would be,
rightly, a timeout."""

# A candidate that corrupts the encoder (patching builtins.type) must still get a verdict.
CASES["patches_builtins_type"] = (
    "import builtins, inspect\nbuiltins.type = lambda *a: int if len(a) == 1 else type(*a)\n"
    "def fizzbuzz(n):\n    return 'Fizz'\n",
    "crash",
)


@pytest.fixture(scope="module")
def run_containers_before(docker_client: Any) -> Any:
    def ours() -> set[str]:
        filters = {"label": [f"{LABEL_RUN}={_run_state().run_id}"]}
        return {c["Id"] for c in docker_client.api.containers(all=True, filters=filters)}

    before = ours()
    yield before
    assert ours() == before, "hostile suite left containers behind"


@pytest.mark.parametrize("name", sorted(CASES))
async def test_hostile_candidate(name: str, run_containers_before: Any) -> None:
    code, expected = CASES[name]
    check_timeout = CHECK_TIMEOUTS.get(name, CHECK_TIMEOUT)
    envs = await RoundtripDockerSandbox.sample_init("hostile", None, {})
    env = envs["default"]
    try:
        started = time.monotonic()
        call_timeout = CALL_TIMEOUTS.get(name, CALL_TIMEOUT)
        verdict = await run_check(env, code, FIZZ, call_timeout=call_timeout, check_timeout=check_timeout)
        elapsed = time.monotonic() - started
        assert not verdict.passed, verdict.detail
        assert verdict.category == expected, verdict.detail
        assert elapsed < check_timeout + SLACK, f"took {elapsed:.1f}s: {verdict.detail}"
        # the same container still checks a correct candidate
        after = await run_check(env, CORRECT, FIZZ, call_timeout=CALL_TIMEOUT)
        assert after.passed, f"after {name}: {after.detail}"
    finally:
        await RoundtripDockerSandbox.sample_cleanup("hostile", None, envs, False)


async def test_a_correct_function_flooding_its_output_passes(run_containers_before: Any) -> None:
    """A right function that prints 100 MB is still right: it passes, and the detail says the
    printed output past the cap was discarded."""
    code = "import sys\nsys.stdout.write('x' * 100_000_000)\n" + CORRECT
    envs = await RoundtripDockerSandbox.sample_init("hostile", None, {})
    try:
        verdict = await run_check(
            envs["default"], code, FIZZ, call_timeout=CALL_TIMEOUT, check_timeout=CHECK_TIMEOUT
        )
        assert verdict.passed, verdict.detail
        assert "discarded" in verdict.detail and "100,000,000" in verdict.detail, verdict.detail
    finally:
        await RoundtripDockerSandbox.sample_cleanup("hostile", None, envs, False)


CHATTY = CORRECT.replace("    if n % 15", "    print('checking', n, '.' * 100)\n    if n % 15")


@pytest.mark.parametrize(
    "name",
    # a check that filled the work dir must not make the next, chatty, correct one fail:
    # each check runs in its own directory, removed before the next (infinite_loop: control)
    ["prints_100mb", "fills_the_workdir", "infinite_loop"],
)
async def test_a_chatty_correct_candidate_passes_after(name: str, run_containers_before: Any) -> None:
    assert CHATTY != CORRECT
    envs = await RoundtripDockerSandbox.sample_init("hostile", None, {})
    env = envs["default"]
    try:
        await run_check(env, CASES[name][0], FIZZ, call_timeout=CALL_TIMEOUT, check_timeout=4.0)
        after = await run_check(env, CHATTY, FIZZ, call_timeout=CALL_TIMEOUT)
        assert after.passed, f"chatty after {name}: {after.detail}"
    finally:
        await RoundtripDockerSandbox.sample_cleanup("hostile", None, envs, False)


# ------------------------------------------------------------------ issue 11: the new routes


async def _trial(codes: list[str], check_timeout: float = CHECK_TIMEOUT) -> list[Any]:
    """Check `codes` one after the other in ONE trial container, then the probe; verdicts.

    None of these candidates runs past its limits, so the trial's one warm runner must serve
    every check: none may kill, stop or otherwise replace it."""
    envs = await RoundtripDockerSandbox.sample_init("hostile", None, {})
    env = envs["default"]
    try:
        verdicts = []
        for code in [*codes, hc.PROBE]:
            verdicts.append(await run_check(
                env, code, FIZZ, call_timeout=CALL_TIMEOUT, check_timeout=check_timeout))  # fmt: skip
        probe = verdicts[-1]
        assert probe.passed, f"the next normal check: {probe.detail} | {probe.output_head}"
        warm = env.as_type(RoundtripDockerSandbox)._warm
        assert (warm.starts, warm.restarts) == (1, 0), "the warm runner was replaced"
        return verdicts[:-1]
    finally:
        await RoundtripDockerSandbox.sample_cleanup("hostile", None, envs, False)


@pytest.mark.parametrize("name", sorted(hc.FORGERIES))
async def test_forgery_routes_are_tampering(name: str, run_containers_before: Any) -> None:
    # a wrong fizzbuzz plus a hidden helper computing the right answers: never survived
    (verdict,) = await _trial([hc.FORGERIES[name]])
    assert not verdict.passed, verdict.detail
    assert verdict.category == "tampering", verdict.detail
    assert verdict.detail.startswith("tampering: the code ") and "\n" not in verdict.detail


@pytest.mark.parametrize("name", sorted(hc.TAMPERING))
async def test_integrity_checks_score_tampering(name: str, run_containers_before: Any) -> None:
    (verdict,) = await _trial([hc.TAMPERING[name]])
    assert (verdict.passed, verdict.category) == (False, "tampering"), verdict.detail


@pytest.mark.parametrize("place", ["/tmp", "/dev/shm", "/work"])
async def test_a_memoising_cycle_does_not_poison_the_next(place: str, run_containers_before: Any) -> None:
    wrong, right = await _trial([hc.memoising(place, right=False), hc.memoising(place, right=True)])
    assert wrong.category == "semantic", wrong.detail  # returns n where C0 returns "Fizz"
    assert right.passed, f"a correct memoising cycle after a wrong one: {right.detail}"


@pytest.mark.parametrize("place", ["/tmp", "/dev/shm", "/work"])
async def test_a_cycle_that_only_reads_leftovers_fails(place: str, run_containers_before: Any) -> None:
    writer, reader = await _trial([hc.memoising(place, right=True), hc.reads_leftovers(place)])
    assert writer.passed, writer.detail
    assert (reader.passed, reader.category) == (False, "crash"), reader.detail
    assert "FileNotFoundError" in reader.detail


@pytest.mark.parametrize("path", ["/work/fill.bin", "/tmp/fill.bin", "/dev/shm/fill.bin"])
async def test_a_full_tmpfs_does_not_break_the_next_check(path: str, run_containers_before: Any) -> None:
    filler, after = await _trial([hc.fills(path), hc.USES_SCRATCH])
    assert filler.category == "crash", filler.detail
    assert after.passed, f"a correct check that needs room, after {path}: {after.detail}"


@pytest.mark.parametrize("name", ["LEAVES_A_WRITER", "LEAVES_IPC"])
async def test_nothing_a_check_starts_outlives_it(name: str, run_containers_before: Any) -> None:
    (verdict,) = await _trial([getattr(hc, name)])
    assert verdict.category == "semantic", verdict.detail  # and the probe found nothing left


@pytest.mark.parametrize("name", ["HEX_CONSTANT", "DEEP_UNARY"])
async def test_correct_programs_the_host_once_choked_on_pass(name: str, run_containers_before: Any) -> None:
    code = getattr(hc, name)
    # the host-side steps the solver runs on every cycle's code must not raise either
    reply = f"Here it is:\n```python\n{code}```\n"
    extracted = extract_code(reply, "fizzbuzz")
    assert extracted.code is not None and "def fizzbuzz" in extracted.code
    assert drift.normalised_ast(code) == drift.normalised_ast(code) is not None
    assert drift.ast_similarity(code, CORRECT) > 0
    drift.feature_direction(CORRECT, code)
    (verdict,) = await _trial([extracted.code])
    assert verdict.passed, verdict.detail


@pytest.mark.parametrize("name", ["NON_OBJECT_RECORDS", "OCI_AT_IMPORT", "OCI_IN_CALL"])
async def test_hostile_output_is_a_scored_crash(name: str, run_containers_before: Any) -> None:
    (verdict,) = await _trial([getattr(hc, name)])
    assert (verdict.passed, verdict.category) == (False, "crash"), verdict.detail


async def test_the_runner_cannot_be_signalled(run_containers_before: Any) -> None:
    (verdict,) = await _trial([hc.SIGNALS_THE_RUNNER])
    assert verdict.category == "semantic", verdict.detail  # the runner lived to report it


async def test_a_helper_process_cannot_reach_the_runner(run_containers_before: Any) -> None:
    (verdict,) = await _trial([hc.HELPER_ATTACKS_THE_RUNNER])
    assert verdict.category == "semantic", verdict.detail
    assert "probed" in verdict.output_head, verdict.output_head
    for word in ("ATTACHED", "READ", "SIGNALLED"):
        assert word not in verdict.output_head, verdict.output_head


async def test_the_runners_descriptors_are_out_of_reach(run_containers_before: Any) -> None:
    (verdict,) = await _trial([hc.WRITES_TO_THE_RUNNERS_FDS])
    assert verdict.category == "semantic", verdict.detail
    assert "GOT []" in verdict.output_head, verdict.output_head


async def test_a_saboteur_left_running_cannot_touch_the_next_check(run_containers_before: Any) -> None:
    (verdict,) = await _trial([hc.LEAVES_A_SABOTEUR])  # the probe then finds nothing and passes
    assert verdict.category == "semantic", verdict.detail


def test_the_clean_slate_holds_in_a_real_eval(docker_client: Any, tmp_path: Path) -> None:
    # through Inspect's own sandbox proxy: cycle 1 is right and memoises its answers in /tmp,
    # cycle 2 only reads them and must fail
    from inspect_ai import eval as inspect_eval
    from replay_scripts import trial, write

    from roundtrip_eval.eval.tasks import fizzbuzz

    codes = [hc.memoising("/tmp", right=True), hc.reads_leftovers("/tmp")]
    script = write(tmp_path / "replay.jsonl", {("fizzbuzz", "*"): trial("fizzbuzz", codes)})
    [log] = inspect_eval(
        fizzbuzz(sandbox="roundtrip-docker", epochs=1, cycles=2),
        model=f"replay/{script}", log_dir=str(tmp_path / "logs"), display="none",
    )  # fmt: skip
    assert log.status == "success", log.error
    [sample] = log.samples or []
    first, second = sample.store["cycles"]
    assert first["passed"], first["detail"]
    assert (second["passed"], second["category"]) == (False, "crash"), second["detail"]
    # and the checks went to the trial's warm runner, not to one exec each
    assert not [e for e in sample.events if e.event == "sandbox" and getattr(e, "action", "") == "exec"]
