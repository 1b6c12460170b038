# inspect-evals-lint: ignore-file[host_code_execution] -- a part of the runner, which runs inside the sandbox
"""How a warm runner started by the container's init gets its code (`BOOT`)."""

from __future__ import annotations

BOOT = """\
def _boot():
    import os, sys
    def take(n, got=b""):
        while len(got) < n:
            chunk = os.read(0, n - len(got))
            if not chunk:
                os._exit(3)
            got += chunk
        return got
    head = b""
    while not head.endswith(b"\\n"):
        head += take(1)
    magic, code_len, source_len, candidate_len = head.split()
    code, source = take(int(code_len)), take(int(source_len))
    candidate = take(int(candidate_len))
    ext = sys.modules.get("_frozen_importlib_external")
    if code and ext is not None and magic.decode() == ext.MAGIC_NUMBER.hex():
        import marshal
        globals()["CANDIDATE_BYTECODE"] = candidate
        return marshal.loads(code)
    return compile(source, "<string>", "exec")
exec(_boot())
"""
"""A warm runner started by the container's init (`sandbox.pid1`) is `python3 -I -c BOOT serve`:
it reads this module from stdin (`boot_payload`) before its first job, so a trial's first runner
costs no exec and no 60 KB command line, and no compile when the host's CPython writes the same
bytecode (the magic number says so; otherwise the source is compiled, as with `-c`). The same
holds for the candidate side's program, which the runner hands its zygote as bytecode: it comes
compiled too (`CANDIDATE_BYTECODE`), so no container compiles it. It runs in `__main__`, like
`-c`."""

