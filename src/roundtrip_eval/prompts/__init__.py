"""Prompt templates for g (code -> spec) and f (spec -> code), kept as versioned data files."""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path

PROMPTS_DIR = Path(__file__).resolve().parent
LANGUAGES = ("en", "ja")
SPEC_FORMATS = ("pseudocode", "prose")
STEPS = ("g", "f")


@functools.cache
def template(step: str, language: str, spec_format: str) -> str:
    """The raw template text; `{code}` (g) or `{spec}` (f) marks where the input goes."""
    for name, value, allowed in (
        ("step", step, STEPS),
        ("language", language, LANGUAGES),
        ("spec_format", spec_format, SPEC_FORMATS),
    ):
        if value not in allowed:
            raise ValueError(f"{name} must be one of {allowed}, not {value!r}")
    return (PROMPTS_DIR / language / f"{step}_{spec_format}.txt").read_text(encoding="utf-8")


def render(step: str, language: str, spec_format: str, text: str) -> str:
    """Fill a template with the code (g) or the spec (f). Plain replace: code has braces."""
    placeholder = "{code}" if step == "g" else "{spec}"
    return template(step, language, spec_format).replace(placeholder, text.strip("\n")).strip()


@functools.cache
def prompt_set_version() -> str:
    """`<VERSION>+<hash of every template>`: any edit to a template changes what is logged."""
    version = (PROMPTS_DIR / "VERSION").read_text(encoding="utf-8").strip()
    digest = hashlib.sha256()
    for path in sorted(PROMPTS_DIR.glob("*/*.txt")):
        digest.update(path.relative_to(PROMPTS_DIR).as_posix().encode())
        digest.update(path.read_bytes())
    return f"{version}+{digest.hexdigest()[:10]}"
