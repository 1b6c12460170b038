"""The typed codec, type-exact comparison and the runner's sealed parts (pure; nothing runs)."""

import dis
import inspect
import json
import math
import sys
import types

import pytest

from roundtrip_eval.check import runner
from roundtrip_eval.check.runner import (
    Opaque,
    candidate,
    codec,
    confine,
    decode,
    encode,
    protocol,
    supervisor,
    typed_equal,
)

VALUES = [
    None, True, False, 0, 1, -7, 2**80, 1.0, -0.0, float("inf"), "", "1", "héllo",
    [1, "a", None], (1, 2), {"a": 1, 2: [3.5]}, {1, 2}, frozenset({"x"}), b"\x00\xff",
    [[(1,)], {"k": (None,)}],
]


@pytest.mark.parametrize("value", VALUES, ids=repr)
def test_round_trip_keeps_value_and_type(value: object) -> None:
    back = decode(encode(value))
    assert typed_equal(back, value)
    assert type(back) is type(value)


def test_nan_round_trips_and_equals_itself() -> None:
    assert math.isnan(decode(encode(float("nan"))))
    assert typed_equal(float("nan"), float("nan"))


@pytest.mark.parametrize(
    ("a", "b"),
    [(1, 1.0), (1, True), (0, False), (1, "1"), ("a", ("a",)), ([1], (1,)), ({"a": 1}, {"a": 1.0}),
     ([1, 2], [1, 2, 3]), ({1: "x"}, {True: "x"}), (None, "None"), ("eooHll Wrld", ("eoo", "Hll Wrld"))],
)
def test_type_changes_are_not_equal(a: object, b: object) -> None:
    assert not typed_equal(a, b)
    assert not typed_equal(b, a)


def test_unknown_types_become_opaque_and_compare_by_type_and_repr() -> None:
    class Thing:
        def __repr__(self) -> str:
            return "Thing()"

    enc = encode(Thing())
    assert enc[0] == "opaque"
    assert decode(enc) == Opaque("Thing", "Thing()", digest=enc[3])
    assert decode(enc) == decode(encode(Thing()))
    assert decode(enc) != Opaque("Other", "Thing()", digest=enc[3])
    assert decode(enc) != Opaque("Thing", "Thing()")  # a record without a digest: not the same


def test_deep_nesting_is_cut_not_crashing() -> None:
    deep: list = []
    for _ in range(200):
        deep = [deep]
    assert "opaque" in str(encode(deep))


# ------------------------------------------------------------------ the sealed candidate side

GLOBAL_READS = {"LOAD_GLOBAL", "LOAD_NAME", "LOAD_DEREF", "LOAD_CLASSDEREF", "LOAD_CLOSURE",
                "STORE_GLOBAL", "DELETE_GLOBAL", "MAKE_CELL", "COPY_FREE_VARS"}  # fmt: skip


@pytest.mark.parametrize("fn", candidate.SEALED, ids=lambda f: f.__name__)
def test_sealed_functions_read_no_global_builtin_or_cell(fn: object) -> None:
    # what the candidate process runs after the candidate's import must not see a rebound
    # `encode`, `json`, `len` or `type`: everything comes from its own defaults
    code = fn.__code__  # type: ignore[attr-defined]
    reads = {i.opname for i in dis.get_instructions(code)} & GLOBAL_READS
    assert not reads, f"{fn.__name__} reads {reads}"
    assert not code.co_freevars and not code.co_cellvars
    nested = [c for c in code.co_consts if hasattr(c, "co_code")]
    assert not nested, f"{fn.__name__} defines nested code (a comprehension or lambda reads cells)"


def _reachable_from_defaults(root: object, stop: tuple[object, ...]) -> set[object]:
    """Every function reachable from `root` through defaults (tuples and lists included),
    not descending into `stop`."""
    found: set[object] = set()
    todo: list[object] = [root]
    while todo:
        obj = todo.pop()
        if isinstance(obj, (tuple, list)):
            todo.extend(obj)
        elif isinstance(obj, types.FunctionType) and obj not in found and obj not in stop:
            found.add(obj)
            todo.extend(obj.__defaults__ or ())
            todo.extend((obj.__kwdefaults__ or {}).values())
    return found


def test_every_function_run_after_the_hook_is_sealed() -> None:
    # after `_install_hook` the candidate may rebind any global or builtin: every runner
    # function the trusted frames can still call must be one the bytecode test covers
    reachable = _reachable_from_defaults(candidate._candidate_main, candidate.BEFORE_HOOK)
    unsealed = {f.__name__ for f in reachable} - {f.__name__ for f in candidate.SEALED}  # type: ignore[attr-defined]
    assert not unsealed, f"called after the hook but not sealed: {sorted(unsealed)}"
    assert candidate._candidate_main in candidate.SEALED
    assert candidate._loop in reachable and candidate._install_hook not in reachable
    # the signal handler is installed before the hook and runs inside the loop's frames
    assert candidate._on_alarm in candidate.SEALED


def test_the_reachability_walk_finds_an_unsealed_function() -> None:
    # the walk above can fail: a sealed-looking function whose default is a plain one
    def plain() -> None:
        return None

    def outer(_f: object = plain) -> None:
        return None

    assert plain in _reachable_from_defaults(outer, ())


def _wrapped(inner_params: str, wrapper_params: str, call: str) -> object:
    """A `functools.wraps` wrapper of `def inner(<inner_params>)` taking `<wrapper_params>`."""
    namespace: dict = {}
    exec(  # our own literal
        "import functools\n"
        f"def inner({inner_params}):\n    return 1\n"
        f"@functools.wraps(inner)\ndef wrapper({wrapper_params}):\n    return inner({call})\n",
        namespace,
    )
    return namespace["wrapper"]


def test_arity_judges_the_wrapper_that_is_called_not_what_it_wraps() -> None:
    # red4: inspect.signature follows __wrapped__ to inner(n, rules); the loop calls wrapper(n)
    injected = _wrapped("n, rules", "n", "n, ()")
    assert candidate._arity(injected, 1) == ""
    assert candidate._arity(injected, 2) == "too many positional arguments"
    fewer = _wrapped("n", "n, table", "n")  # the wrapper wants more than the inner function
    assert candidate._arity(fewer, 1) == "missing a required argument: 'table'"


def test_arity_of_a_pass_through_wrapper_is_left_to_what_it_wraps() -> None:
    # `*args` passes the arguments on: inspect.signature (following __wrapped__) decides, so a
    # genuine mismatch behind the wrapper is still a signature verdict
    through = _wrapped("n, rules", "*args, **kwargs", "*args, **kwargs")
    assert candidate._arity(through, 1) is None
    sig = __import__("inspect").signature(through)
    with pytest.raises(TypeError, match="rules"):
        sig.bind(15)
    plain = _wrapped("n", "*args", "*args")
    del plain.__wrapped__  # type: ignore[attr-defined]
    assert candidate._arity(plain, 1) == ""


def test_the_joined_runner_fits_one_exec_argument() -> None:
    # with `warm_runner=False` the whole program is one argument of an exec, and Linux refuses
    # one over MAX_ARG_STRLEN (32 pages): "argument list too long", every check a crash
    assert len(runner.source().encode("utf-8")) < 32 * 4096


@pytest.mark.parametrize("value", VALUES, ids=repr)
def test_the_sealed_writer_writes_what_json_dumps_writes(value: object) -> None:
    assert codec._encode_text(value) == json.dumps(encode(value))


def _of_size(size: int) -> str:
    """A str whose encoding is `size` bytes of JSON."""
    return "x" * (size - len(json.dumps(encode(""))))


def test_a_value_up_to_the_limit_travels_as_itself_a_longer_one_as_its_digest() -> None:
    # MBPP+ 251/462/589/603/745 return values of 4.5 to 230 KB: over the old 4,096-byte limit
    # they arrived as a "too large" marker that nothing matched, and C0 failed its own inputs
    at_limit = _of_size(protocol.MAX_VALUE_BYTES)
    assert len(json.dumps(encode(at_limit))) == protocol.MAX_VALUE_BYTES > 4096
    assert codec._encode_text(at_limit) == json.dumps(encode(at_limit))
    assert json.loads(codec._encode_text(_of_size(8206))) == encode(_of_size(8206))  # Mbpp/251's largest
    over = json.loads(codec._encode_text([at_limit]))
    text = json.dumps(encode([at_limit]))
    assert over == [protocol.DIGEST_TAG, "list", codec.digest_of([at_limit]), str(len(text))]
    assert codec.digest_of([at_limit]) != codec.digest_of([at_limit + "y"])
    assert codec.digest_of((1,)) != codec.digest_of([1])  # the digest covers the type tags
    back = decode(over)
    assert back == codec.Digest("list", codec.digest_of([at_limit]), len(text))
    assert "of 65,548 encoded" in repr(back)


def test_past_a_values_limits_the_marker_keeps_the_type_and_stops_early() -> None:
    marker = ["opaque", "list", protocol.TOO_LARGE]
    start = codec.CHECK_BUDGET
    encoded, left = codec._encode_value(list(range(10**6)), start)
    assert json.loads(encoded) == marker
    items = start[2] - left[2]  # charged what was spent: the value's limit, not 10**6 items
    assert protocol.VALUE_LIMITS[1] <= items <= protocol.VALUE_LIMITS[1] + 2
    encoded, _ = codec._encode_value(_of_size(protocol.VALUE_LIMITS[0] + 16), start)
    assert json.loads(encoded) == ["opaque", "str", protocol.TOO_LARGE]
    digest = json.loads(codec._encode_value(_of_size(6_888_996), start)[0])  # HumanEval+ 15's largest value
    assert digest[0] == protocol.DIGEST_TAG and digest[3] == "6888996"


def test_a_checks_budget_sends_values_then_digests_then_markers() -> None:
    # the bytes a check sends as values are bounded (the host's output cap stays far), and so is
    # the encoding a candidate returning huge values can cost (its verdict comes in seconds)
    budget, kinds = codec.CHECK_BUDGET, []
    for _ in range(10):
        encoded, budget = codec._encode_value(_of_size(60_000), budget)
        kinds.append(json.loads(encoded)[0])
    assert kinds == ["str"] * 8 + [protocol.DIGEST_TAG] * 2  # 8 x 60,000 <= 512 KiB < 9 x
    assert budget[0] == protocol.CHECK_INLINE_BYTES - 8 * 60_000
    for _ in range(protocol.CHECK_LIMITS[1] // 200_001):
        encoded, budget = codec._encode_value(list(range(200_000)), budget)
        assert json.loads(encoded)[0] == protocol.DIGEST_TAG
    encoded, budget = codec._encode_value(list(range(200_000)), budget)
    assert json.loads(encoded) == ["opaque", "list", protocol.TOO_LARGE] and budget[2] == 0
    spent = json.loads(codec._encode_value(7, budget)[0])
    assert spent == ["opaque", "int", protocol.TOO_LARGE]  # spent is spent


def test_ints_longer_than_python_s_conversion_limit_travel_in_hex() -> None:
    # HumanEval+ 83 and 139 return ints of 10,000+ digits: `str` of them raised ValueError in
    # the sandbox (Python's 4,300-digit limit), so C0 failed its own inputs
    limit = sys.get_int_max_str_digits()
    sys.set_int_max_str_digits(4300)  # the sandbox's
    try:
        for value in (10**9875 * 18, -(2**20000), 2**protocol.HEX_INT_BITS, 2 ** (protocol.HEX_INT_BITS - 1)):
            encoded = json.loads(codec._encode_text(value))
            assert encoded[0] == "int" and decode(encoded) == value
            assert encoded[1].lstrip("-").startswith("0x") == (value.bit_length() > protocol.HEX_INT_BITS)
        assert decode(["int", "-12"]) == -12 and decode(["int", "0"]) == 0
    finally:
        sys.set_int_max_str_digits(limit)


def test_valid_encoding_accepts_the_codec_and_refuses_other_shapes() -> None:
    for value in VALUES:
        assert codec.valid_encoding(encode(value))
    for bad in ([], ["int", 1], ["str"], ["list", [["int"]]], ["dict", [["x"]]], {"a": 1}, "str",
                ["none", 1], ["bool", "true"], ["opaque", "x"], ["nope", "1"],
                ["list", [["digest", "int", "ab", "3"]]], ["digest", "int", "ab"],
                ["digest", "int", "ab", "x"], ["digest", "int", "ab", "\u00b2"]):  # fmt: skip
        assert not codec.valid_encoding(bad), bad
    assert codec.valid_encoding(["digest", "list", "ab", "123"])


def test_inputs_are_frozen_so_a_candidate_cannot_edit_the_next_one() -> None:
    frozen = supervisor._freeze(encode([[1, [2]], {"a": [3]}]))
    assert decode(frozen) == [[1, [2]], {"a": [3]}]

    def lists(obj: object) -> bool:
        return isinstance(obj, list) or (isinstance(obj, tuple) and any(lists(x) for x in obj))

    assert not lists(frozen)


def _run_bpf(
    prog: list[tuple[int, int, int, int]], arch: int, nr: int, arg0: int, arg1: int = 0, arg2: int = 0
) -> int:
    """A tiny classic-BPF interpreter for the seccomp program (loads, jeq, jge, ret)."""
    data = {0: nr, 4: arch, 16: arg0 & 0xFFFFFFFF, 24: arg1 & 0xFFFFFFFF, 32: arg2 & 0xFFFFFFFF}
    acc, pc = 0, 0
    while True:
        code, jt, jf, k = prog[pc]
        if code == 0x20:
            acc = data[k]
        elif code in (0x15, 0x35):
            hit = acc == k if code == 0x15 else acc >= k
            pc += jt if hit else jf
        elif code == 0x06:
            return k
        pc += 1


@pytest.mark.parametrize("machine", sorted(confine.SYSCALLS))
def test_the_seccomp_filter_keeps_the_candidate_off_the_runner(machine: str) -> None:
    parent, group, child = 4242, 4240, 4300
    prog = confine._seccomp_program(parent, group, machine)
    assert prog is not None and len(prog) < 4096
    arch, nr = confine.SYSCALLS[machine]
    deny, allow = confine.SECCOMP_EPERM, confine.SECCOMP_ALLOW
    for name in ("kill", "tkill", "tgkill", "rt_sigqueueinfo", "prlimit64", "pidfd_open"):
        for target in (parent, -1, -group):
            assert _run_bpf(prog, arch, nr[name], target) == deny, (name, target)
        assert _run_bpf(prog, arch, nr[name], child) == allow, name
        assert _run_bpf(prog, arch, nr[name], 0) == allow, name
    for name in confine.DENIED_SYSCALLS:
        assert _run_bpf(prog, arch, nr[name], child) == deny, name
    assert _run_bpf(prog, arch, nr["prlimit64"], 1) == deny  # init's limits
    for target in (1, parent, group, child):  # init, the runner, its group, a process of its own
        # scheduling: only the calling process itself (who/pid 0), never another, a group or a user
        for name in ("sched_setparam", "sched_setscheduler", "sched_setattr", "sched_setaffinity"):
            assert _run_bpf(prog, arch, nr[name], target) == deny, (name, target)
        assert _run_bpf(prog, arch, nr["setpriority"], 0, target) == deny, target  # PRIO_PROCESS
        assert _run_bpf(prog, arch, nr["ioprio_set"], 1, target) == deny, target  # IOPRIO_WHO_PROCESS
    for name in ("sched_setparam", "sched_setscheduler", "sched_setattr", "sched_setaffinity"):
        assert _run_bpf(prog, arch, nr[name], 0) == allow, name
    assert _run_bpf(prog, arch, nr["setpriority"], 0, 0) == allow  # os.nice, setpriority(PRIO_PROCESS, 0)
    assert _run_bpf(prog, arch, nr["setpriority"], 1, 0) == deny  # PRIO_PGRP, its own group
    assert _run_bpf(prog, arch, nr["setpriority"], 2, 65534) == deny  # PRIO_USER: every process
    assert _run_bpf(prog, arch, nr["ioprio_set"], 1, 0) == allow
    assert _run_bpf(prog, arch, nr["ioprio_set"], 3, 0) == deny  # IOPRIO_WHO_USER
    assert _run_bpf(prog, arch, nr["prctl"], confine.PR_SET_DUMPABLE) == deny
    assert _run_bpf(prog, arch, nr["prctl"], confine.PR_SET_PTRACER) == deny
    assert _run_bpf(prog, arch, nr["prctl"], 15) == allow  # PR_SET_NAME
    assert _run_bpf(prog, arch, 1, 3) == allow  # an ordinary syscall (write/exit)
    assert _run_bpf(prog, arch ^ 1, 1, 3) == confine.SECCOMP_KILL  # another ABI
    if machine == "x86_64":
        assert _run_bpf(prog, arch, 0x40000001, 3) == confine.SECCOMP_KILL  # x32


def test_the_zygote_starts_isolated_but_for_the_fixed_hash_seed() -> None:
    # -I (and -E) would ignore PYTHONHASHSEED: the zygote drops the PYTHON* variables itself
    assert "-I" not in confine.ISOLATED and "-E" not in confine.ISOLATED
    assert {"-P", "-s", "-S"} <= set(confine.ISOLATED)
    given = {"PATH": "/bin", "PYTHONPATH": "/evil", "PYTHONSTARTUP": "x", "PYTHONHASHSEED": "7"}
    env = confine.candidate_env(given)
    assert env == {"PATH": "/bin", "PYTHONHASHSEED": protocol.HASH_SEED}


@pytest.mark.parametrize("machine", sorted(confine.SYSCALLS))
def test_the_seccomp_filter_refuses_a_signal_owner(machine: str) -> None:
    # red11: fcntl(F_SETOWN, pid) + F_SETSIG + O_ASYNC makes the kernel signal `pid` (any
    # signal): an owner other than 0 (none), F_SETOWN_EX, and the socket ioctls that set one
    import fcntl

    prog = confine._seccomp_program(4242, 4240, machine)
    assert prog is not None
    arch, nr = confine.SYSCALLS[machine]
    deny, allow = confine.SECCOMP_EPERM, confine.SECCOMP_ALLOW
    for owner in (4242, -4240, 1, 4300, -1):
        assert _run_bpf(prog, arch, nr["fcntl"], 3, fcntl.F_SETOWN, owner) == deny, owner
    assert _run_bpf(prog, arch, nr["fcntl"], 3, fcntl.F_SETOWN, 0) == allow  # no owner
    assert _run_bpf(prog, arch, nr["fcntl"], 3, protocol.F_SETOWN_EX, 0) == deny
    for cmd in (fcntl.F_GETFL, fcntl.F_SETFL, fcntl.F_GETOWN, fcntl.F_SETSIG, fcntl.F_DUPFD):
        assert _run_bpf(prog, arch, nr["fcntl"], 3, cmd, 4242) == allow, cmd
    for request in (protocol.FIOSETOWN, protocol.SIOCSPGRP):
        assert _run_bpf(prog, arch, nr["ioctl"], 3, request) == deny, request
    assert _run_bpf(prog, arch, nr["ioctl"], 0, 0x5401) == allow  # TCGETS: isatty()
    assert protocol.F_SETOWN == fcntl.F_SETOWN


def test_every_send_of_the_loop_is_an_armed_send_site() -> None:
    # the hook signs only at the call instruction that follows a `me.f_code` read (red9): every
    # message must leave by those two statements, and the table must find each of them
    source = inspect.getsource(candidate._loop).split('"""')[2]  # the body, without the docstring
    sends = source.count("_audit(_send")
    assert sends == source.count("_audit(_send, out)")  # the message is always the local `out`
    sites = candidate._call_sites(candidate._loop.__code__, "f_code")
    assert len(sites) == sends == source.count("me.f_code  # noqa: B018")
    by_offset = {i.offset: i for i in dis.get_instructions(candidate._loop.__code__)}
    for arm, calls in sites.items():
        assert by_offset[arm].opname == "LOAD_ATTR" and by_offset[arm].argval == "f_code"
        assert calls and all(by_offset[c].opname in ("PRECALL", "CALL") for c in calls)
        assert by_offset[calls[-1]].opname == "CALL" and by_offset[calls[-1]].arg == 2  # (_send, out)


def test_the_coroutine_flag_is_allowed_only_at_types_coroutines_own_replace() -> None:
    # the one code.__new__ the hook lets through is types.coroutine's `co.replace(...)`, and
    # only while that frame is at that call (a C callable it runs elsewhere is refused)
    _, _, replace = candidate._hook_template()
    by_offset = {i.offset: i for i in dis.get_instructions(types.coroutine.__code__)}
    assert replace and all(by_offset[off].opname in ("PRECALL", "CALL") for off in replace)
    assert "replace" in {i.argval for i in dis.get_instructions(types.coroutine.__code__)}


def test_the_boot_brings_the_candidate_side_compiled_and_a_source_compile_is_the_same() -> None:
    """The warm runner's boot carries the candidate side's bytecode (so no container compiles it)
    after the program's own; it is the code the runner would compile from the same text."""
    import importlib.util
    import marshal

    from roundtrip_eval.check.runner import boot_payload, candidate_bytecode, candidate_source
    from roundtrip_eval.check.runner.protocol import CANDIDATE_FILENAME

    payload = boot_payload()
    head, rest = payload.split(b"\n", 1)
    magic, code_len, source_len, candidate_len = head.split()
    assert magic.decode() == importlib.util.MAGIC_NUMBER.hex()
    assert len(rest) == int(code_len) + int(source_len) + int(candidate_len)
    carried = rest[int(code_len) + int(source_len) :]
    assert carried == candidate_bytecode() and int(candidate_len) > 10_000
    compiled = compile(candidate_source(), CANDIDATE_FILENAME, "exec", dont_inherit=True)
    assert marshal.loads(carried).co_code == compiled.co_code
