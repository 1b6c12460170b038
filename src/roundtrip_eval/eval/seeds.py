"""Per-step seeds: reruns reproduce, while epochs stay independent trials.

A seed is derived from (base seed, epoch, cycle, step) with a stable hash, so no two steps of
a run share a seed and the same configuration always sends the same seeds to the provider.
"""

from __future__ import annotations

import hashlib


def derive_seed(base: int, epoch: int, cycle: int, step: str) -> int:
    """A 31-bit seed for one generation step (most providers accept signed 32-bit ints)."""
    digest = hashlib.sha256(f"roundtrip:{base}:{epoch}:{cycle}:{step}".encode()).digest()
    return int.from_bytes(digest[:4], "big") & 0x7FFFFFFF
