"""The provider as Inspect drives it: task start, a whole eval, and Ctrl-C during one."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from roundtrip_eval.sandbox import RoundtripDockerSandbox

from .probes import by_pid, run_containers

S = RoundtripDockerSandbox
docker = pytest.mark.docker


@docker
async def test_task_init_passes_and_leaves_nothing(docker_client: Any) -> None:
    before = run_containers(docker_client)
    await S.task_init("startup", None)
    assert run_containers(docker_client) == before


def _replay_script(path: Path, codes: list[str]) -> Path:
    sys.path.insert(0, str(Path(__file__).parents[1]))
    from replay_scripts import trial, write

    return write(path, {("fizzbuzz", "*"): trial("fizzbuzz", codes)})


@docker
def test_inspect_eval_with_roundtrip_docker(docker_client: Any, tmp_path: Path) -> None:
    from inspect_ai import eval as inspect_eval

    from roundtrip_eval.eval.tasks import fizzbuzz
    from roundtrip_eval.problems.load import load_problem

    ref = load_problem("fizzbuzz").reference
    script = _replay_script(tmp_path / "replay.jsonl", [ref, ref])
    before = by_pid(docker_client, os.getpid())
    [log] = inspect_eval(
        fizzbuzz(sandbox="roundtrip-docker", epochs=2, cycles=2),
        model=f"replay/{script}", log_dir=str(tmp_path / "logs"), display="none",
    )  # fmt: skip
    assert log.status == "success", log.error
    assert log.results is not None
    metrics = {
        f"{score.name}/{name.split('/')[-1]}": metric.value
        for score in log.results.scores
        for name, metric in score.metrics.items()
    }
    assert metrics["survival/mean"] == 1.0
    assert by_pid(docker_client, os.getpid()) == before


@docker
@pytest.mark.slow
def test_sigint_on_inspect_eval_leaves_no_container(docker_client: Any, tmp_path: Path) -> None:
    # the candidate ignores the runner's alarm and sleeps: its check holds a container ~30 s
    stuck = (
        "import signal, time\nsignal.signal(signal.SIGALRM, signal.SIG_IGN)\ntime.sleep(60)\n"
        "def fizzbuzz(n):\n    return n\n"
    )
    script = _replay_script(tmp_path / "replay.jsonl", [stuck])
    inspect = Path(sys.executable).parent / "inspect"
    proc = subprocess.Popen(
        [str(inspect), "eval", "roundtrip_eval/fizzbuzz", "--model", f"replay/{script}",
         "-T", "sandbox=roundtrip-docker", "-T", "cycles=1", "--epochs", "3",
         "--log-dir", str(tmp_path / "logs"), "--display", "plain"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        # a test run started in the background inherits SIGINT ignored, and so would inspect
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while len(by_pid(docker_client, proc.pid)) < 3 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert len(by_pid(docker_client, proc.pid)) >= 3, "the trials never started"
        time.sleep(1.0)  # the checks are now running
        proc.send_signal(signal.SIGINT)
        interrupted = time.monotonic()
        output, _ = proc.communicate(timeout=60)
        stopped_after = time.monotonic() - interrupted
    finally:
        if proc.poll() is None:
            proc.kill()
    assert "interrupted" in output.lower(), output[-2000:]
    assert stopped_after < 15  # well before the 30 s check timeout: the checks were cancelled
    assert by_pid(docker_client, proc.pid) == set(), output[-2000:]
