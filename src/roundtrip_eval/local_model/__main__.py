# inspect-evals-lint: ignore-file[host_code_execution] -- runs only SERVER_MODULE, checked below
"""The child launcher: `python -m roundtrip_eval.local_model llama_cpp.server [options]`.

`lifecycle._server_command` starts the server through this module unless `--prompt-cache` was
asked for. It runs in the server's own process only, so the patch below never touches the CLI.
"""

from __future__ import annotations

import sys
from typing import Any

from .lifecycle import _LAUNCHER_MODULE
from .server import SERVER_MODULE


def _run_server_without_prefix_reuse(module: str, argv: list[str]) -> None:
    """Run `python -m <module> <argv>` after making every generation start from an empty cache.

    `Llama.generate` compares the new prompt with the tokens already in its KV cache and only
    evaluates the unmatched suffix (or replays one token for an exact repeat). `reset()` merely
    rewinds the token count, so calling it first makes each request evaluate its whole prompt,
    exactly as on a freshly started server. Only this child process is patched.
    """
    import functools
    import runpy

    try:
        from llama_cpp import Llama
    except ImportError as error:  # started by hand without the extra: one line in the log
        sys.exit(f"{error}; run: pip install 'roundtrip-eval[local]'")

    original = Llama.generate

    @functools.wraps(original)
    def generate(self: Llama, *args: Any, **kwargs: Any) -> Any:
        self.reset()
        return original(self, *args, **kwargs)

    Llama.generate = generate  # type: ignore[method-assign]
    sys.argv = [module, *argv]
    runpy.run_module(module, run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] != SERVER_MODULE:
        sys.exit(f"usage: python -m {_LAUNCHER_MODULE} {SERVER_MODULE} [llama_cpp.server options]")
    _run_server_without_prefix_reuse(sys.argv[1], sys.argv[2:])
