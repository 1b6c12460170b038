"""Stand-ins shared by the local-model tests: a fake chunked model, a free port, the CLI parser."""

from __future__ import annotations

import argparse
import socket
from dataclasses import dataclass
from pathlib import Path

from roundtrip_eval import local_model as lm
from roundtrip_eval.local_model import cli

# A stand-in for llama_cpp.server: answers GET /v1/models with one alias and POST /v1/completions
# with one token; `--crash` makes it die of SIGSEGV on its first completion, like a wheel built
# for another CPU.
FAKE_SERVER = """
import json, os, signal, sys
from http.server import BaseHTTPRequestHandler, HTTPServer

import time
port, alias, busy = int(sys.argv[1]), sys.argv[2], "--busy" in sys.argv
crash = "--crash" in sys.argv

class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        if busy:  # like llama_cpp.server in the middle of a long completion
            time.sleep(60)
        body = json.dumps({"object": "list", "data": [{"id": alias}]}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if crash:
            os.kill(os.getpid(), signal.SIGSEGV)
        body = json.dumps({"choices": [{"text": " x", "index": 0}]}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass

print("fake server listening", flush=True)
HTTPServer(("127.0.0.1", port), Handler).serve_forever()
"""


@dataclass
class FakeModel:
    spec: lm.ModelSpec
    site: Path
    whole: bytes

    def chunk_file(self, index: int) -> Path:
        return self.site / self.spec.modules[index] / "data" / "part.bin"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def model_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="roundtrip-eval")
    cli.register_cli(parser.add_subparsers(dest="command", required=True))
    return parser
