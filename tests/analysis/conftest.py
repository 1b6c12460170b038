"""The scripted run's logs, written once per session and read by every analysis test."""

from __future__ import annotations

from pathlib import Path

import pytest

from .scripted_logs import run_logs


@pytest.fixture(scope="session")
def logdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Logs of the scripted run (see scripted_logs.py); tests only read them."""
    return run_logs(tmp_path_factory.mktemp("scripted"))
