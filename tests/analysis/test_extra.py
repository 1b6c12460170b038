"""A plain install (no `analysis` extra): what needs the extra says so in one line, the rest works.

Each command runs in a fresh interpreter whose `sys.modules` maps the extra's modules to None,
which makes `import matplotlib` (etc.) fail exactly as on an install without them.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from roundtrip_eval.analysis.extra import INSTALL_HINT, MissingExtraError, require

EXTRA_MODULES = ("matplotlib", "pandas", "pyarrow")
WRAPPER = (
    "import sys\n"
    "for name in sys.argv[1].split(','):\n"
    "    sys.modules[name] = None\n"
    "from roundtrip_eval.cli import main\n"
    "sys.exit(main(sys.argv[2:]))\n"
)


def plain(*args: str, missing: tuple[str, ...] = EXTRA_MODULES) -> subprocess.CompletedProcess[str]:
    """`roundtrip-eval ARGS` in an interpreter where the `missing` modules cannot be imported."""
    return subprocess.run(
        [sys.executable, "-c", WRAPPER, ",".join(missing), *args],
        capture_output=True,
        text=True,
        timeout=300,
    )


def one_line(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, stderr
    return lines[0]


def test_require_names_the_extra() -> None:
    require("json", "anything")  # present: nothing happens
    with pytest.raises(MissingExtraError) as info:
        require("roundtrip_eval_no_such_module", "`roundtrip-eval report` (its figures)")
    message = str(info.value)
    assert message.startswith("`roundtrip-eval report` (its figures) needs roundtrip_eval_no_such_module")
    assert message.endswith(INSTALL_HINT) and "`analysis` extra" in message
    assert INSTALL_HINT == "pip install 'roundtrip-eval[analysis]'"


def test_report_without_matplotlib_says_which_extra_in_one_line(logdir: Path, tmp_path: Path) -> None:
    result = plain("report", str(logdir), "-o", str(tmp_path / "report"), "-q")
    assert result.returncode == 2
    line = one_line(result.stderr)
    assert "matplotlib" in line and "pip install 'roundtrip-eval[analysis]'" in line
    assert "Traceback" not in result.stderr and not (tmp_path / "report").exists()


def test_parquet_without_pyarrow_says_which_extra_in_one_line(logdir: Path, tmp_path: Path) -> None:
    result = plain("export", str(logdir), "-o", str(tmp_path / "x"), "--format", "parquet", "-q")
    assert result.returncode == 2
    line = one_line(result.stderr)
    assert "pyarrow" in line and "--format parquet" in line and "roundtrip-eval[analysis]" in line
    assert not (tmp_path / "x").exists()


def test_what_does_not_need_the_extra_works_without_it(logdir: Path, tmp_path: Path) -> None:
    exported = plain("export", str(logdir), "-o", str(tmp_path / "x"), "--format", "csv", "-q")
    assert exported.returncode == 0, exported.stderr
    assert "wrote 10 trials" in exported.stdout and (tmp_path / "x" / "trials.csv").is_file()
    summary = plain("summary", str(logdir))
    assert summary.returncode == 0, summary.stderr
    assert "pooled (2 problems)" in summary.stdout and "4/9 = 0.44" in summary.stdout
