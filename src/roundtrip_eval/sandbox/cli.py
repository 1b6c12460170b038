"""`roundtrip-eval sandbox build|cleanup`: the sandbox image and leftover containers.

    roundtrip-eval sandbox build [--offline] [--force] [--mirror URL]
    roundtrip-eval sandbox cleanup

Imported by the `roundtrip-eval` command line on every start, so it (and what it imports)
imports `docker` only inside functions and works without a running engine.
"""

from __future__ import annotations

import sys
import time
from typing import TYPE_CHECKING, Any

from roundtrip_eval.sandbox.containers import remove_containers
from roundtrip_eval.sandbox.engine import SandboxEngineError, connect
from roundtrip_eval.sandbox.image import IMAGE, MIRROR_ENV, SandboxImageError, ensure_image, smoke_test

if TYPE_CHECKING:
    import argparse


def register_cli(subparsers: Any) -> None:
    """Add `sandbox build` and `sandbox cleanup` to the `roundtrip-eval` command line."""
    parser = subparsers.add_parser(
        "sandbox", help="build the sandbox image; remove leftover sandbox containers"
    )
    sub = parser.add_subparsers(dest="sandbox_command", required=True)
    build = sub.add_parser(
        "build",
        help=f"build {IMAGE} (docker build, else offline: debootstrap + docker import)",
    )
    build.add_argument(
        "--offline", action="store_true",
        help="skip `docker build`; debootstrap Debian + docker import (root, no registry)",
    )  # fmt: skip
    build.add_argument("--force", action="store_true", help="rebuild even if the image exists")
    build.add_argument(
        "--mirror",
        help=f"Debian mirror for --offline (default: ${MIRROR_ENV}, else the host's apt sources)",
    )
    build.set_defaults(func=_cli_build)
    cleanup = sub.add_parser("cleanup", help="force-remove every container of the roundtrip-docker sandbox")
    cleanup.set_defaults(func=_cli_cleanup)


def _cli_build(args: argparse.Namespace) -> int:
    started = time.monotonic()
    try:
        client = connect()
        how = ensure_image(client, True if args.offline else None, force=args.force, mirror=args.mirror)
        version = smoke_test(client)
    except (SandboxEngineError, SandboxImageError) as exc:
        print(f"roundtrip-eval: {exc}", file=sys.stderr)
        return 1
    verb = "already present" if how == "present" else f"built ({how})"
    seconds = time.monotonic() - started
    print(f"{IMAGE} {verb} in {seconds:.0f}s; python {version} runs in it")
    return 0


def _cli_cleanup(args: argparse.Namespace) -> int:
    try:
        removed = remove_containers(connect())
    except SandboxEngineError as exc:
        print(f"roundtrip-eval: {exc}", file=sys.stderr)
        return 1
    print(f"removed {len(removed)} roundtrip-docker sandbox container(s)")
    return 0
