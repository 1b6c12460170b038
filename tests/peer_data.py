"""Where the peers' data lives for the tests: `../shared/peer-data` from the repo root.

`ROUNDTRIP_PEER_DATA` names another copy (a git worktree sits elsewhere than the checkout the
data is beside). Tests that need it skip cleanly when it is absent.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def peer_data() -> Path:
    return Path(os.environ.get("ROUNDTRIP_PEER_DATA") or ROOT.parent / "shared" / "peer-data")


def evalplus_dir() -> Path:
    """EvalPlus's MBPP+ and HumanEval+ files, or a skip when they are absent."""
    folder = peer_data() / "evalplus"
    if not (folder / "MbppPlus.jsonl.gz").is_file():
        pytest.skip("../shared/peer-data/evalplus is absent (or set ROUNDTRIP_PEER_DATA)")
    return folder


def evalooop_dir() -> Path:
    """EvaLooop's leaderboard data (results.json, details/), or a skip when it is absent."""
    folder = peer_data() / "evalooop"
    if not (folder / "results.json").is_file() or not (folder / "details").is_dir():
        pytest.skip("../shared/peer-data/evalooop is absent (or set ROUNDTRIP_PEER_DATA)")
    return folder
