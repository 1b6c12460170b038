"""The built wheel works in a fresh venv, run from another directory (installed, not editable)."""

import shutil
import subprocess
import sys
import venv
from pathlib import Path

import pytest
from inspect_ai.log import read_eval_log
from replay_scripts import surviving, write

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_wheel_in_fresh_venv_runs_fizzbuzz_from_elsewhere(tmp_path: Path) -> None:
    if shutil.which("pip") is None and not (Path(sys.prefix) / "bin" / "pip").exists():
        pytest.skip("pip is not available")
    dist = tmp_path / "dist"
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--outdir", str(dist), str(ROOT)],
        check=True, capture_output=True,
    )
    [wheel] = dist.glob("roundtrip_eval-*.whl")
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    py = env_dir / "bin" / "python"
    subprocess.run(
        [str(py), "-m", "pip", "install", "-q", "--disable-pip-version-check", str(wheel)],
        check=True, capture_output=True,
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    script = write(elsewhere / "replay.jsonl", {("fizzbuzz", 1): surviving("fizzbuzz", 10)})
    run = subprocess.run(
        [str(env_dir / "bin" / "inspect"), "eval", "roundtrip_eval/fizzbuzz",
         "--model", f"replay/{script}", "-T", "sandbox=local", "--epochs", "1",
         "--log-dir", "logs", "--display", "none"],
        cwd=elsewhere, capture_output=True, text=True,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    [log_file] = (elsewhere / "logs").glob("*.eval")
    log = read_eval_log(str(log_file))
    [sample] = log.samples or []
    spans = [e.name for e in sample.events if e.event == "span_begin" and e.type == "roundtrip"]
    assert spans == [f"cycle {i}" for i in range(1, 11)]
    assert len(sample.store["cycles"]) == 10
    value = sample.scores["curves"].value
    assert [value[f"survival@{i}"] for i in range(1, 11)] == [1] * 10
    # data came from the installed package, not from this checkout
    assert str(ROOT) not in run.stdout + run.stderr
