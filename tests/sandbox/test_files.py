"""`write_file` and `read_file`: contents round-trip, folders are made, errors map to Python's."""

from __future__ import annotations

from typing import Any

import pytest

docker = pytest.mark.docker


@docker
async def test_write_and_read_files(docker_sandbox: Any) -> None:
    await docker_sandbox.write_file("notes.txt", "line 1\r\nline 2 é\n")
    assert await docker_sandbox.read_file("notes.txt") == "line 1\r\nline 2 é\n"
    blob = bytes(range(256)) * 100
    await docker_sandbox.write_file("deep/er/blob.bin", blob)
    assert await docker_sandbox.read_file("/work/deep/er/blob.bin", text=False) == blob
    await docker_sandbox.write_file("notes.txt", "replaced")
    assert (await docker_sandbox.exec(["cat", "notes.txt"])).stdout == "replaced"
    with pytest.raises(FileNotFoundError):
        await docker_sandbox.read_file("nope.txt")
    with pytest.raises(IsADirectoryError):
        await docker_sandbox.read_file("deep")
    with pytest.raises(IsADirectoryError):
        await docker_sandbox.write_file("deep", "x")
    with pytest.raises(PermissionError):
        await docker_sandbox.write_file("/etc/passwd", "x")
    with pytest.raises(PermissionError):
        await docker_sandbox.read_file("/etc/shadow")
