"""`check/runner/sharedctypes.py`: `multiprocessing.Value` and friends without ctypes.

The candidate process refuses ctypes and serves this module as `multiprocessing.sharedctypes`
(the sandbox's own route is `test_runner_routes.py`); here it is served the same way in a
plain interpreter, which must end without ctypes loaded.
"""

from __future__ import annotations

import subprocess
import sys

from roundtrip_eval.check import runner
from roundtrip_eval.check.runner import sharedctypes

USES_IT = '''
import sys, types
module = types.ModuleType("multiprocessing.sharedctypes")
exec(compile(SOURCE, "<served>", "exec"), module.__dict__)
sys.modules["multiprocessing.sharedctypes"] = module
import multiprocessing as mp

def work(counter, table):
    for _ in range(500):
        with counter.get_lock():
            counter.value += 1
    table[1] = table[1] + 1.5

if __name__ == "__main__":
    mp.set_start_method("fork")
    counter, table = mp.Value("i", 0), mp.Array("d", [1.0, 2.0, 3.0])
    workers = [mp.Process(target=work, args=(counter, table)) for _ in range(4)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    text = mp.Array("c", b"hey")
    text.value = b"hi"
    print(counter.value, table[:], text.value, text.raw, mp.RawValue("b", 300).value,
          mp.RawValue("I", -1).value, repr(mp.Value("d")), len(mp.RawArray("u", 3)))
    try:
        mp.Value(object, 1)
    except TypeError as exc:
        print("TypeError", "ctypes" in str(exc))
    print("ctypes" in sys.modules, "_ctypes" in sys.modules)
'''


def test_the_served_module_shares_values_across_fork_without_ctypes(tmp_path: object) -> None:
    with open(sharedctypes.__file__, encoding="utf-8") as fh:
        source = fh.read()
    program = f"SOURCE = {source!r}\n" + USES_IT
    out = subprocess.run([sys.executable, "-I", "-c", program], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines() == [
        "2000 [1.0, 8.0, 3.0] b'hi' b'hi\\x00' 44 4294967295 <Synchronized wrapper for c_double(0.0)> 3",
        "TypeError True",
        "False False",
    ], out.stdout


def test_the_candidate_program_carries_the_module_text() -> None:
    with open(sharedctypes.__file__, encoding="utf-8") as fh:
        source = fh.read()
    program = runner.candidate_source()
    assert f"SHAREDCTYPES_SOURCE = {source!r}" in program
    assert "sharedctypes" not in runner.PARTS + runner.CANDIDATE_PARTS  # served, not joined
