"""Probes the sandbox tests share: a run's containers, python in a sandbox, its processes.

Every container check filters on labels so that runs of other people on the same engine are
never counted or touched.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from roundtrip_eval.sandbox import LABEL, LABEL_RUN
from roundtrip_eval.sandbox.containers import LABEL_PID, run_state


def run_containers(client: Any) -> set[str]:
    """Containers of this test process's run (outside Inspect, the run is the process)."""
    run_id = run_state().run_id
    return {c["Id"] for c in client.api.containers(all=True, filters={"label": [f"{LABEL_RUN}={run_id}"]})}


async def py(env: Any, source: str, **kwargs: Any) -> Any:
    return await env.exec(["python3", "-I", "-c", source], **kwargs)


async def process_count(env: Any, settle: float = 3.0) -> int:
    """Processes in the container besides PID 1 and this probe's own python.

    Killed processes may take a moment to finish exiting on a loaded machine: poll up to
    `settle` seconds for the count to reach 0.
    """
    deadline = time.monotonic() + settle
    while True:
        result = await py(env, "import os; print(sum(p.isdigit() for p in os.listdir('/proc')))")
        count = int(result.stdout) - 2
        if count == 0 or time.monotonic() >= deadline:
            return count
        await asyncio.sleep(0.1)


def by_pid(client: Any, pid: int) -> set[str]:
    """Our containers created by the process `pid` (other people may share the engine)."""
    filters = {"label": [f"{LABEL}=1", f"{LABEL_PID}={pid}"]}
    return {c["Id"] for c in client.api.containers(all=True, filters=filters)}
