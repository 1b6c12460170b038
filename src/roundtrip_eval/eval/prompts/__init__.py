"""Prompt templates for g (code -> spec) and f (spec -> code), kept as versioned data files.

A built-in prompt is composed from plain-text files under `<language>/`:

- `{g,f}_<spec_format>.txt`: the zero-shot prompt. It defines the format's notation and holds
  `{code}` (g) or `{spec}` (f) where the input goes.
- `style_<style>_{g,f}.txt`: what a style adds (`fewshot`: a worked example, `guided`:
  step-by-step instructions), inserted as its own paragraph right before the one holding the
  input, so the zero-shot text around it stays exactly as it is.
- `example_<spec_format>.txt` with `../example_code.txt`: the fewshot example (a function
  unrelated to every benchmark problem) as a spec in that format and as code.

User templates (`-T prompts=DIR`, the study's own layout among them) live in `user.py`;
`render_g` / `render_f` take either. docs/prompts.md describes the formats and styles.
"""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path

from roundtrip_eval.eval.prompts.user import (
    LEAK_WARNING,
    TemplateError,
    UserTemplates,
    load_user_templates,
)

__all__ = [
    "LANGUAGES",
    "LEAK_WARNING",
    "SPEC_FORMATS",
    "STEPS",
    "STYLES",
    "TemplateError",
    "UserTemplates",
    "load_user_templates",
    "prompt_set_version",
    "render",
    "render_f",
    "render_g",
    "template",
]

PROMPTS_DIR = Path(__file__).resolve().parent
LANGUAGES = ("en", "ja")
SPEC_FORMATS = ("pseudocode", "prose", "s_expression", "minilang")
STYLES = ("zero_shot", "fewshot", "guided")
STEPS = ("g", "f")
PLACEHOLDERS = {"g": "{code}", "f": "{spec}"}


def _read(relative: str) -> str:
    return (PROMPTS_DIR / relative).read_text(encoding="utf-8")


def _check_choice(name: str, value: str, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise ValueError(f"{name} must be one of {allowed}, not {value!r}")


@functools.cache
def template(step: str, language: str, spec_format: str, style: str = "zero_shot") -> str:
    """The raw template text; `{code}` (g) or `{spec}` (f) marks where the input goes."""
    for name, value, allowed in (
        ("step", step, STEPS),
        ("language", language, LANGUAGES),
        ("spec_format", spec_format, SPEC_FORMATS),
        ("style", style, STYLES),
    ):
        _check_choice(name, value, allowed)
    base = _read(f"{language}/{step}_{spec_format}.txt")
    if style == "zero_shot":
        return base
    block = _read(f"{language}/style_{style}_{step}.txt").strip("\n")
    if style == "fewshot":
        block = block.replace("{example_code}", _read("example_code.txt").strip("\n")).replace(
            "{example_spec}", _read(f"{language}/example_{spec_format}.txt").strip("\n")
        )
    return _before_input(base, block, PLACEHOLDERS[step])


def _before_input(base: str, block: str, placeholder: str) -> str:
    """Insert `block` as a paragraph of its own right before the paragraph holding the input."""
    paragraphs = base.split("\n\n")
    index = next(i for i, paragraph in enumerate(paragraphs) if placeholder in paragraph)
    return "\n\n".join([*paragraphs[:index], block, *paragraphs[index:]])


def render(step: str, language: str, spec_format: str, text: str, style: str = "zero_shot") -> str:
    """Fill a template with the code (g) or the spec (f). Plain replace: code has braces."""
    filled = template(step, language, spec_format, style).replace(PLACEHOLDERS[step], text.strip("\n"))
    return filled.strip()


def render_g(
    code: str,
    *,
    language: str,
    spec_format: str,
    style: str = "zero_shot",
    templates: UserTemplates | None = None,
    problem: str | None = None,
) -> str:
    """g's prompt for `code`: a built-in template, or the user's for `problem` when given."""
    if templates is not None:
        return templates.render(
            "g", code, problem=problem, language=language, spec_format=spec_format, style=style
        )
    return render("g", language, spec_format, code, style)


def render_f(
    spec: str,
    *,
    language: str,
    spec_format: str,
    style: str = "zero_shot",
    templates: UserTemplates | None = None,
    problem: str | None = None,
) -> str:
    """f's prompt for `spec`: a built-in template, or the user's for `problem` when given."""
    if templates is not None:
        return templates.render(
            "f", spec, problem=problem, language=language, spec_format=spec_format, style=style
        )
    return render("f", language, spec_format, spec, style)


@functools.cache
def prompt_set_version() -> str:
    """`<VERSION>+<hash of every template file>`: any edit to a template changes what is logged."""
    version = _read("VERSION").strip()
    digest = hashlib.sha256()
    for path in sorted(PROMPTS_DIR.rglob("*.txt")):
        digest.update(path.relative_to(PROMPTS_DIR).as_posix().encode())
        digest.update(path.read_bytes())
    return f"{version}+{digest.hexdigest()[:10]}"
