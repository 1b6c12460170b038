"""roundtrip_eval.local_model.cli: `roundtrip-eval model ...`, and its one-line failures."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from roundtrip_eval import local_model as lm
from roundtrip_eval.local_model import cli

from .fakes import FakeModel, free_port, model_parser

# Runs the real CLI with some modules made unimportable (`sys.modules[name] = None` is how
# Python marks a module as absent), as on an install without the extra that provides them.
RUN_WITHOUT = """
import sys
for name in sys.argv[1].split(","):
    sys.modules[name] = None
from roundtrip_eval.cli import main
sys.exit(main(sys.argv[2:]))
"""


def run_without(modules: tuple[str, ...], argv: list[str], home: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "ROUNDTRIP_EVAL_HOME": str(home)}
    return subprocess.run([sys.executable, "-c", RUN_WITHOUT, ",".join(modules), *argv],
                          capture_output=True, text=True, env=env, timeout=120)


def test_cli_parses_every_subcommand() -> None:
    parser = model_parser()
    args = parser.parse_args(
        ["model", "serve", "--model", "qwen2.5-coder-1.5b", "--port", "9000", "--ctx", "2048"]
    )
    assert (args.alias, args.port, args.n_ctx, args.func) == (
        "qwen2.5-coder-1.5b", 9000, 2048, cli._cmd_serve
    )
    assert args.prompt_cache is False and args.threads is None
    args = parser.parse_args(["model", "serve"])
    assert (args.alias, args.port, args.n_ctx, args.host) == (
        "qwen2.5-coder-0.5b", 8765, 4096, "127.0.0.1"
    )
    assert parser.parse_args(["model", "assemble"]).func is cli._cmd_assemble
    assert parser.parse_args(["model", "status", "--port", "1"]).port == 1
    assert parser.parse_args(["model", "stop"]).func is cli._cmd_stop
    assert parser.parse_args(["model", "list"]).func is cli._cmd_list


@pytest.mark.parametrize(
    "argv", [["model"], ["model", "serve", "--model", "llama3"], ["model", "stop", "--port", "x"]]
)
def test_cli_rejects_bad_arguments(argv: list[str]) -> None:
    with pytest.raises(SystemExit) as excinfo:
        model_parser().parse_args(argv)
    assert excinfo.value.code == 2


def test_cli_entry_point_wires_the_model_command(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from roundtrip_eval.cli import main

    assert main(["model", "list"]) == 0
    out = capsys.readouterr().out
    assert "qwen2.5-coder-0.5b (default)" in out and "qwen2.5-coder-1.5b" in out


def test_cli_assemble_fails_with_exit_code_one(
    fake_model: FakeModel, capsys: pytest.CaptureFixture[str]
) -> None:
    fake_model.chunk_file(0).write_bytes(b"\1" * fake_model.chunk_file(0).stat().st_size)
    args = model_parser().parse_args(["model", "assemble", "--model", fake_model.spec.alias])
    assert args.func(args) == 1
    assert "refusing" in capsys.readouterr().err


@pytest.mark.usefixtures("fake_server_command")
def test_cli_serve_prints_the_inspect_settings(
    fake_model: FakeModel, capsys: pytest.CaptureFixture[str]
) -> None:
    port = free_port()
    parser = model_parser()
    try:
        args = parser.parse_args(["model", "serve", "--model", fake_model.spec.alias,
                                  "--port", str(port)])
        assert args.func(args) == 0
        out = capsys.readouterr().out
        assert f"OLLAMA_BASE_URL=http://127.0.0.1:{port}/v1" in out
        assert f"--model ollama/{fake_model.spec.alias}" in out
        status = parser.parse_args(["model", "status", "--port", str(port)])
        assert status.func(status) == 0
        stop = parser.parse_args(["model", "stop", "--port", str(port)])
        assert stop.func(stop) == 0
        assert status.func(status) == 1
    finally:
        lm.stop(port)


SMALL, LARGE = lm.MODELS["qwen2.5-coder-0.5b"], lm.MODELS["qwen2.5-coder-1.5b"]


@pytest.mark.parametrize(
    ("command", "alias", "blocked", "extras"),
    [
        ("serve", SMALL.alias, ("llama_cpp",), "local"),
        ("serve", SMALL.alias, ("uvicorn", "sse_starlette"), "local"),  # llama-cpp-python[server]
        ("serve", LARGE.alias, ("llama_cpp",), "local,local-1-5b"),
        ("assemble", SMALL.alias, SMALL.modules, "local"),
        ("assemble", LARGE.alias, LARGE.modules, "local,local-1-5b"),
    ],
)
def test_a_missing_extra_is_one_line_naming_it(
    tmp_path: Path, command: str, alias: str, blocked: tuple[str, ...], extras: str
) -> None:
    argv = ["model", command, "--model", alias]
    if command == "serve":
        argv += ["--port", str(free_port())]
    # An empty home: no assembled model in a cache lets `serve` or `assemble` skip the chunks.
    result = run_without(blocked, argv, tmp_path / "home")
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("roundtrip-eval model: ")
    assert lines[0].endswith(f"run: pip install 'roundtrip-eval[{extras}]'")
    assert blocked[0] in lines[0].replace("-", "_")  # it names what is missing


def test_commands_that_need_no_extra_work_without_it(tmp_path: Path) -> None:
    blocked = ("llama_cpp", "uvicorn", *SMALL.modules, *LARGE.modules)
    port = str(free_port())
    for argv, code in ((["model", "list"], 0), (["model", "status", "--port", port], 1),
                       (["model", "stop", "--port", port], 0)):
        result = run_without(blocked, argv, tmp_path / "home")
        assert (result.returncode, result.stderr) == (code, ""), argv
        assert result.stdout.strip()


def test_import_stays_light() -> None:
    code = "import sys, roundtrip_eval.local_model; print('llama_cpp' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
