"""Listing: the supported models, what is assembled in the cache, which chunks are installed."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .assembly import _installed_version, _marker_valid
from .specs import DEFAULT_ALIAS, MODELS, models_dir


@dataclass
class ModelInfo:
    alias: str
    description: str
    default: bool
    size: int
    path: Path
    assembled: bool  # the cached file exists with the right size
    verified: bool  # ... and its sha256 was checked (marker present and current)
    chunks_installed: int
    chunks_total: int
    extra: str


def list_models() -> list[ModelInfo]:
    """Supported aliases, what is assembled in the cache, and which chunk packages are present."""
    infos = []
    for spec in MODELS.values():
        path = models_dir() / spec.filename
        assembled = path.is_file() and path.stat().st_size == spec.size
        infos.append(
            ModelInfo(
                alias=spec.alias,
                description=spec.description,
                default=spec.alias == DEFAULT_ALIAS,
                size=spec.size,
                path=path,
                assembled=assembled,
                verified=assembled and _marker_valid(path, spec.sha256),
                chunks_installed=sum(_installed_version(d) == spec.version for d in spec.parts),
                chunks_total=len(spec.parts),
                extra=spec.extra,
            )
        )
    return infos
