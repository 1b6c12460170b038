"""Candidate code for the hostile suite (`test_hostile.py`): our own literals, run only in Docker.

Each forgery pairs a WRONG `fizzbuzz` (it returns `n`) with a hidden helper that computes the
right answers, and tries to get those answers past the runner instead of the function's own.
Each attacker knows the runner's source (it is public), so it looks for the runner's event
name, loop and descriptors where the runner keeps them.
"""

from __future__ import annotations

from roundtrip_eval.problems.load import load_problem

CORRECT = load_problem("fizzbuzz").reference

WRONG = "def fizzbuzz(n):\n    return n\n"

RIGHT = '''
def _right(n):
    if n % 15 == 0:
        return "FizzBuzz"
    if n % 3 == 0:
        return "Fizz"
    if n % 5 == 0:
        return "Buzz"
    return n
'''

# Walk the stack from our own frame to the runner's, take its loop's inputs, and send a full
# set of right answers through the runner's own event (the audit hook signs what it sends).
FRAME_WALK = RIGHT + '''
import json, os, sys
import __main__
event = getattr(__main__, "SEND_EVENT", "roundtrip.send")
frame, inputs, send = sys._getframe(), None, sys.audit
while frame is not None:
    local = frame.f_locals
    if "inputs" in local:
        inputs = local["inputs"]
    for name in ("_audit", "emit", "send"):
        if callable(local.get(name)):
            send = local[name]
    frame = frame.f_back
answers = [_right(int(item[1][0][1])) for item in inputs]
send(event, json.dumps({"k": "stage", "stage": "ready"}))
for i, value in enumerate(answers):
    send(event, json.dumps({"k": "reply", "i": i, "ok": True, "v": __main__.encode(value)}))
send(event, json.dumps({"k": "stage", "stage": "done"}))
os._exit(0)
''' + WRONG

# The same, but by running the runner's own loop on the hidden helper.
RUNS_THE_RUNNER_LOOP = RIGHT + '''
import os, sys
import __main__
frame = sys._getframe()
while frame is not None and "state" not in frame.f_locals:
    frame = frame.f_back
local = frame.f_locals
helper = "def fizzbuzz(n):\\n" + "".join("    " + line + "\\n" for line in """
if n % 15 == 0:
    return "FizzBuzz"
if n % 3 == 0:
    return "Fizz"
if n % 5 == 0:
    return "Buzz"
return n""".strip().splitlines())
__main__._loop(helper, "fizzbuzz", local["inputs"], local["state"], local.get("limits", (5.0, 2.0)))
os._exit(0)
''' + WRONG

# Find the runner's objects through the garbage collector.
GC_WALK = RIGHT + '''
import gc, os
found = []
for getter in (gc.get_objects, lambda: gc.get_referrers(os), lambda: gc.get_referents(os)):
    try:
        found += getter()
    except Exception:
        pass
''' + WRONG

# Re-point the runner's reply descriptor into a pipe read by a forked relay, which rewrites
# every value into the right answer on its way to the real descriptor.
RELAY = RIGHT + '''
import json, os, stat
real = None
for fd in range(3, 64):
    try:
        if stat.S_ISFIFO(os.fstat(fd).st_mode) or stat.S_ISSOCK(os.fstat(fd).st_mode):  # the reply channel
            real = fd
            break
    except OSError:
        pass
keep = os.dup(real)
r, w = os.pipe()
if os.fork() == 0:
    os.close(w)
    buf = b""
    while True:
        chunk = os.read(r, 65536)
        if not chunk:
            os._exit(0)
        buf += chunk
        while b"\\n" in buf:
            line, buf = buf.split(b"\\n", 1)
            mac, _, payload = line.partition(b" ")
            try:
                msg = json.loads(payload)
                if msg.get("k") == "reply" and msg.get("ok") and msg["v"][0] == "int":
                    msg["v"] = __import__("__main__").encode(_right(int(msg["v"][1])))
                    payload = json.dumps(msg).encode()
            except Exception:
                pass
            os.write(keep, mac + b" " + payload + b"\\n")
os.dup2(w, real)
os.close(w)
os.close(r)
''' + WRONG

# Replace the runner's module-level encoders with ones that rewrite every value.
PATCHES_THE_ENCODER = RIGHT + '''
import __main__
original = __main__._encode_text
__main__._encode_text = lambda value: original(_right(value) if type(value) is int else value)
__main__.encode = lambda value, depth=0: __main__._enc(_right(value) if type(value) is int else value)
''' + WRONG

FORGERIES = {
    "frame_walk_to_the_runners_send": FRAME_WALK,
    "runs_the_runner_loop_on_a_helper": RUNS_THE_RUNNER_LOOP,
    "gc_walk_to_the_runners_objects": GC_WALK,
    "relay_rewrites_the_reply_descriptor": RELAY,
    "replaces_the_runners_encoder": PATCHES_THE_ENCODER,
}

# Each must be scored `tampering` even though the function itself is right.
TAMPERING = {
    "sets_a_trace_hook": "import sys\nsys.settrace(lambda *a: None)\n" + CORRECT,
    "sets_a_profile_hook": "import sys\nsys.setprofile(lambda *a: None)\n" + CORRECT,
    "adds_an_audit_hook": "import sys\nsys.addaudithook(lambda *a: None)\n" + CORRECT,
    "reads_current_frames": "import sys\nframes = sys._current_frames()\n" + CORRECT,
    "uses_ctypes": "import ctypes\nlibc = ctypes.CDLL(None)\n" + CORRECT,
    "imports_testcapi": (
        "try:\n    import _testcapi\nexcept ImportError:\n    import _testinternalcapi\n" + CORRECT
    ),
    "starts_a_subinterpreter": "import _xxsubinterpreters\n_xxsubinterpreters.create()\n" + CORRECT,
    "builds_a_code_object": "code = (lambda: 0).__code__.replace(co_consts=(1,))\n" + CORRECT,
    "opens_its_own_memory": "open('/proc/self/mem', 'rb')\n" + CORRECT,
    "replaces_a_runner_functions_code": (
        "import __main__\n"
        "__main__._encode_text.__code__ = (lambda v: '[\"str\", \"Fizz\"]').__code__\n" + CORRECT
    ),
    "replaces_os_write": "import os\nos.write = lambda fd, data: len(data)\n" + CORRECT,
    "sends_from_a_thread": (
        "import sys, threading\nt = threading.Thread(target=sys.audit, args=('roundtrip.send', '{}'))\n"
        "t.start()\nt.join()\n" + CORRECT
    ),
    "reads_the_hook_through_a_traceback": (
        "import gc\ntry:\n    gc.get_objects()\nexcept RuntimeError as exc:\n    tb = exc.__traceback__\n"
        "    while tb.tb_next:\n        tb = tb.tb_next\n"
        "    consts = tb.tb_frame.f_code.co_consts\n" + CORRECT
    ),
}

# The next check of every trial: a correct fizzbuzz that fails at import if it finds anything
# an earlier check left in a writable place, a process other than PID 1, its own runner and the
# runner's zygote, a descriptor beyond its own, or a System V IPC object.
PROBE = '''
import os
import sys

def _leftovers():
    found = []
    here = os.path.basename(os.getcwd())
    for place in ("/tmp", "/dev/shm", "/dev/mqueue", "/work"):
        try:
            names = os.listdir(place)
        except OSError:
            continue
        found += [place + "/" + name for name in names if not (place == "/work" and name == here)]
    me, runner = os.getpid(), os.getppid()
    zygote = getattr(sys.modules["__main__"], "ZYGOTE", [])  # the runner's own: forks each check
    for entry in os.listdir("/proc"):
        if entry.isdigit() and int(entry) not in (1, me, runner, *zygote):
            try:
                with open("/proc/%s/cmdline" % entry, "rb") as fh:
                    found.append("process %s: %r" % (entry, fh.read()[:60]))
            except OSError:
                pass
    fds = [int(fd) for fd in os.listdir("/proc/self/fd")]
    if len([fd for fd in fds if fd > 3]) > 1:  # one is the listing's own
        found.append("descriptors %s" % sorted(fds))
    for kind in ("shm", "msg", "sem"):
        with open("/proc/sysvipc/" + kind) as fh:
            found += ["sysv %s: %s" % (kind, row) for row in fh.read().splitlines()[1:]]
    return found

_found = _leftovers()
if _found:
    raise RuntimeError("left behind: " + "; ".join(_found)[:250])
''' + CORRECT

# Shared-file routes: (first check, its expected category, second check, its expected category)
MEMO = '''
import json, os
CACHE = "{place}/fizzbuzz_cache.json"
def fizzbuzz(n):
    cache = {{}}
    if os.path.exists(CACHE):
        with open(CACHE) as fh:
            cache = json.load(fh)
    if str(n) in cache:
        return cache[str(n)]
    value = {body}
    cache[str(n)] = value
    with open(CACHE, "w") as fh:
        json.dump(cache, fh)
    return value
'''
RIGHT_EXPR = '"FizzBuzz" if n % 15 == 0 else "Fizz" if n % 3 == 0 else "Buzz" if n % 5 == 0 else n'


def memoising(place: str, right: bool) -> str:
    """A fizzbuzz that memoises in `place` (a common idiom), right or wrong (returns n)."""
    return MEMO.format(place=place, body=RIGHT_EXPR if right else "n")


def reads_leftovers(place: str) -> str:
    """A fizzbuzz that computes nothing: it only reads what an earlier check left in `place`."""
    return (f"import json\ndef fizzbuzz(n):\n    with open('{place}/fizzbuzz_cache.json') as fh:\n"
            "        return json.load(fh)[str(n)]\n")  # fmt: skip


def fills(path: str) -> str:
    """Fill the tmpfs holding `path` at import, then crash on ENOSPC."""
    return f"with open({path!r}, 'wb') as f:\n    f.write(b'0' * 100_000_000)\n" + CORRECT


# A correct, chatty candidate that also needs a little room in every writable place.
USES_SCRATCH = '''
import os
for place in ("/work", "/tmp", "/dev/shm"):
    with open(place + "/scratch.bin", "wb") as fh:
        fh.write(b"0" * 8_000_000)
    os.remove(place + "/scratch.bin")
''' + CORRECT.replace("    if n % 15", "    print('checking', n, '.' * 100)\n    if n % 15")

LEAVES_A_WRITER = '''
import os, time
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        os.closerange(0, 1024)
        for i in range(10 ** 6):
            with open("/tmp/from_the_last_check_%d" % (i % 5), "w") as fh:
                fh.write("x")
            time.sleep(0.01)
    os._exit(0)
''' + WRONG

LEAVES_IPC = '''
import subprocess, sys
subprocess.run([sys.executable, "-c", "import ctypes; libc = ctypes.CDLL(None); "
                "print(libc.shmget(0x5eed, 4096, 0o1666), libc.msgget(0x5eed, 0o1666), "
                "libc.semget(0x5eed, 1, 0o1666))"], check=True)
''' + WRONG

# Sample-error routes: correct programs the host must score (and pass), and hostile outputs.
HEX_CONSTANT = "BIG = 0x" + "f" * 5000 + "\nif BIG > 0:\n    pass\n" + CORRECT
DEEP_UNARY = "X = " + "-" * 600 + "1\n" + CORRECT
NON_OBJECT_RECORDS = '''
import os
for fd in range(1, 20):
    try:
        os.write(fd, b'[1, 2, 3]\\n"just a string"\\n42\\n')
    except OSError:
        pass
''' + CORRECT
OCI = b"OCI runtime exec failed: exec failed: unable to start container process: "
OCI_AT_IMPORT = f'''
import os
for fd in range(1, 20):
    try:
        os.write(fd, {OCI!r} + b"resource temporarily unavailable: unknown\\r\\n")
    except OSError:
        pass
os._exit(126)
''' + CORRECT
OCI_IN_CALL = f'''
import os
def fizzbuzz(n):
    for fd in range(1, 20):
        try:
            os.write(fd, {OCI!r} + b"unknown\\r\\n")
        except OSError:
            pass
    os._exit(126)
'''

# Attempts on the runner process itself (it is the candidate process's parent).
SIGNALS_THE_RUNNER = '''
import os, signal
for sig in (signal.SIGSTOP, signal.SIGKILL, signal.SIGTERM):
    for target in (os.getppid(), -os.getpgid(os.getppid())):
        try:
            os.kill(target, sig)
        except OSError:
            pass
''' + WRONG
HELPER_ATTACKS_THE_RUNNER = '''
import os, subprocess, sys
probe = """
import ctypes, os, sys
libc = ctypes.CDLL(None, use_errno=True)
runner, candidate = int(sys.argv[1]), int(sys.argv[2])
for pid in (runner, candidate):
    if libc.ptrace(16, pid, 0, 0) == 0:
        print("ATTACHED", pid)
    try:
        with open("/proc/%d/mem" % pid, "rb") as fh:
            print("READ", pid)
    except OSError:
        pass
for sig in (19, 9):
    try:
        os.kill(runner, sig)
        print("SIGNALLED", runner)
    except OSError:
        pass
print("probed")
"""
out = subprocess.run([sys.executable, "-c", probe, str(os.getppid()), str(os.getpid())],
                     capture_output=True, text=True).stdout
print(out)
''' + WRONG

# Attacks on the warm runner itself: its descriptors, and a saboteur left for the next check.
WRITES_TO_THE_RUNNERS_FDS = '''
import os
runner, got = os.getppid(), []
try:
    got.append("listed %s" % os.listdir("/proc/%d/fd" % runner))
except OSError:
    pass
for fd in range(0, 12):
    try:
        with open("/proc/%d/fd/%d" % (runner, fd), "wb") as fh:
            fh.write(b'{"nonce": "x", "code": "", "function": "fizzbuzz", "inputs": []}\\n')
        got.append("wrote %d" % fd)
    except OSError:
        pass
print("GOT", got)
''' + WRONG

LEAVES_A_SABOTEUR = '''
import os, signal, time
candidate = os.getpid()
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        os.closerange(0, 1024)
        mine = {os.getpid(), candidate}
        while True:
            for entry in os.listdir("/proc"):
                if entry.isdigit() and int(entry) not in mine and int(entry) > 1:
                    try:
                        os.kill(int(entry), signal.SIGSTOP)
                    except OSError:
                        pass
            for entry in os.listdir("/work"):
                try:
                    with open("/work/%s/fizzbuzz.py" % entry, "w") as fh:
                        fh.write("def fizzbuzz(n):\\n    return n\\n")
                except OSError:
                    pass
            time.sleep(0.005)
    os._exit(0)
time.sleep(0.2)
''' + WRONG

# ------------------------------------------------------------------ issue 28: routes 2, 3 and 4

# Route 2: a correct cycle keeps its answers in a directory it then makes mode 000; the next,
# wrong, cycle computes nothing: it makes the directory readable again and returns them.
LOCKS_ITS_ANSWERS = '''
import json, os
D = "/tmp/answers"
def fizzbuzz(n):
    if not os.path.isdir(D):
        os.mkdir(D)
    os.chmod(D, 0o700)
    value = ''' + RIGHT_EXPR + '''
    with open(D + "/%d" % n, "w") as fh:
        json.dump(value, fh)
    os.chmod(D, 0)
    return value
'''
READS_THE_LOCKED_ANSWERS = '''
import json, os
def fizzbuzz(n):
    os.chmod("/tmp/answers", 0o700)
    with open("/tmp/answers/%d" % n) as fh:
        return json.load(fh)
'''

# Route 3: a correct cycle leaves a chain of 3,000 nested directories (deeper than PATH_MAX
# allows as one path) under /tmp, the innermost of mode 000.
LEAVES_A_DEEP_TREE = '''
import os
os.chdir("/tmp")
for _ in range(3000):
    os.mkdir("deep")
    os.chdir("deep")
os.mkdir("locked")
open("locked/answers", "w").close()
os.chmod("locked", 0)
''' + CORRECT

# Route 4 (as reported): a memfd of 440 MB (memory charged to the container but to no process),
# then the candidate process becomes a shell (execve makes it dumpable again, so it can give up
# its oom_score_adj of 1000) that fills every tmpfs place and holds on. No process holds that
# memory, so the OOM killer's choice is the biggest one left: the runner, then init.
EXHAUSTS_MEMORY = '''
import os
try:
    fd = os.memfd_create("hog", 0)
    for _ in range(440):
        os.write(fd, b"\\0" * (1 << 20))
    os.set_inheritable(fd, True)
except OSError:
    pass
os.set_inheritable(3, True)  # the reply pipe stays open: the runner waits
os.execv("/bin/sh", ["sh", "-c", "echo 0 > /proc/self/oom_score_adj; "
         "for p in /tmp /dev/shm /work; do cat /dev/zero > $p/fill.bin; done; sleep 60"])
''' + CORRECT

# The same with System V shared memory, which outlives every process, instead of a memfd.
EXHAUSTS_MEMORY_SYSV = '''
import os, subprocess, sys
subprocess.Popen([sys.executable, "-c", (
    "import ctypes, os, time\\n"
    "open('/proc/self/oom_score_adj', 'w').write('0')\\n"
    "libc = ctypes.CDLL(None)\\n"
    "libc.shmat.restype = ctypes.c_void_p\\n"
    "for key in range(1, 9):\\n"
    "    ident = libc.shmget(key, 64 << 20, 0o1600)\\n"
    "    if ident >= 0:\\n"
    "        addr = libc.shmat(ident, None, 0)\\n"
    "        if addr and addr != ctypes.c_void_p(-1).value:\\n"
    "            ctypes.memset(addr, 1, 64 << 20)\\n"
    "            libc.shmdt(ctypes.c_void_p(addr))\\n"
    "os.execv('/bin/sh', ['sh', '-c', 'for p in /tmp /dev/shm /work; do '\\n"
    "         'cat /dev/zero > $p/fill.bin; done; sleep 60'])\\n"
)], close_fds=False)
import time
time.sleep(3)
''' + CORRECT

# The probe for a trial through the full task: the tolerant extractor (issue 28, route 6) drops
# module-level calls, so this one looks for leftovers in every call instead of at import.
PROBE_IN_CALL = PROBE[: PROBE.index("_found = _leftovers()")] + '''
def fizzbuzz(n):
    found = _leftovers()
    if found:
        raise RuntimeError("left behind: " + "; ".join(found)[:250])
    if n % 15 == 0:
        return "FizzBuzz"
    if n % 3 == 0:
        return "Fizz"
    if n % 5 == 0:
        return "Buzz"
    return n
'''
