"""User prompt templates (`-T prompts=DIR`): g and f prompts read from a directory, sent as they are.

Layout (the original study's, problem by problem, then a fallback for every problem):

    DIR/<problem>/<language>/<spec_format>/<step>_<style>.prompt
    DIR/<language>/<spec_format>/<step>_<style>.prompt

`<step>` is `code_to_spec` (g) or `spec_to_code` (f); `<style>` is any name, e.g. the study's
`fewshot` or `hyper_guided`. g's template holds `{source_code}` (or `{code}`), f's holds
`{specification}` (or `{spec}`, or EvaLooop's `{description}`, not stripped); the placeholder
is replaced verbatim and nothing else in the text changes, so the study's templates send
exactly what the study sent. Our leak checks do not apply to them: the study's fizzbuzz
templates hold the reference and the target spec.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from roundtrip_eval._inspect_private import OneLineError

STEP_NAMES = {"g": "code_to_spec", "f": "spec_to_code"}
INPUTS = {"g": ("{source_code}", "{code}"), "f": ("{specification}", "{spec}", "{description}")}
VERBATIM = "{description}"
"""EvaLooop's generation placeholder: replaced by the input exactly as it is (their prompt and
wrapped summaries end in a newline that the text sent to their model keeps)."""
SUFFIX = ".prompt"
LEAK_WARNING = (
    "WARNING: -T prompts uses user prompt templates, sent unchecked: they may leak answers "
    "(the original study's fizzbuzz templates hold the reference code and the exact target spec), "
    "which inflates survival. Compare such runs only with runs on the same templates."
)


class TemplateError(OneLineError):
    """A user template directory that cannot serve the run: one line saying what to add or fix."""


@dataclass(frozen=True)
class UserTemplates:
    """Every `.prompt` file under one directory, by path relative to it."""

    directory: Path
    texts: dict[str, str]

    def styles(self) -> list[str]:
        """The style names the file names provide (`code_to_spec_<style>.prompt`)."""
        names = {
            Path(relative).stem.split("_", 3)[-1]
            for relative in self.texts
            if Path(relative).stem.startswith(tuple(f"{s}_" for s in STEP_NAMES.values()))
        }
        return sorted(names)

    def path_for(self, step: str, *, problem: str | None, language: str, spec_format: str, style: str) -> str:
        """The relative path of the template to use, or one line naming the path expected."""
        name = f"{STEP_NAMES[step]}_{style}{SUFFIX}"
        shared = f"{language}/{spec_format}/{name}"
        candidates = ([f"{problem}/{shared}"] if problem else []) + [shared]
        for relative in candidates:
            if relative in self.texts:
                return relative
        expected = " or ".join(str(self.directory / c) for c in candidates)
        raise TemplateError(
            f"-T prompts={self.directory} has no {step} template for "
            f"{problem or 'this run'} ({language}, {spec_format}, style {style}): expected {expected} "
            f"(styles there: {', '.join(self.styles()) or 'none'})"
        )

    def render(
        self, step: str, text: str, *, problem: str | None, language: str, spec_format: str, style: str
    ) -> str:
        """The template with its placeholder replaced by the code (g) or spec (f), nothing else."""
        relative = self.path_for(
            step, problem=problem, language=language, spec_format=spec_format, style=style
        )
        body = self.texts[relative]
        for placeholder in INPUTS[step]:
            if placeholder in body:
                return body.replace(placeholder, text if placeholder == VERBATIM else text.strip("\n"))
        raise TemplateError(
            f"{self.directory / relative} has no {' or '.join(INPUTS[step])} placeholder, so the "
            f"{'code' if step == 'g' else 'spec'} would never reach the model: add one"
        )

    def used(self, problems: Iterable[str], *, language: str, spec_format: str, style: str) -> dict[str, str]:
        """sha256 of every template a run on `problems` sends, by relative path.

        Raises TemplateError for the first one missing or without its placeholder, so a run is
        refused before its first trial.
        """
        digests: dict[str, str] = {}
        for problem in problems:
            for step in STEP_NAMES:
                self.render(
                    step, "", problem=problem, language=language, spec_format=spec_format, style=style
                )
                relative = self.path_for(
                    step, problem=problem, language=language, spec_format=spec_format, style=style
                )
                digests[relative] = hashlib.sha256(self.texts[relative].encode("utf-8")).hexdigest()
        return digests

    def metadata(
        self, problems: Iterable[str], *, language: str, spec_format: str, style: str
    ) -> dict[str, object]:
        """What the log records: the directory, each template's sha256, the leak warning."""
        digests = self.used(problems, language=language, spec_format=spec_format, style=style)
        combined = hashlib.sha256("".join(f"{k}={v}\n" for k, v in sorted(digests.items())).encode())
        return {
            "directory": str(self.directory),
            "templates": digests,
            "version": f"user+{combined.hexdigest()[:10]}",
            "warning": LEAK_WARNING,
        }


def load_user_templates(directory: str | Path) -> UserTemplates:
    """Read every `.prompt` file under `directory` (relative to the current directory)."""
    return _load(Path(directory).expanduser().resolve())


@functools.cache
def _load(path: Path) -> UserTemplates:
    if not path.is_dir():
        raise TemplateError(
            f"-T prompts={path} refused: no such directory; give a folder of "
            f"<problem>/<language>/<spec_format>/{{code_to_spec,spec_to_code}}_<style>{SUFFIX} templates"
        )
    texts: dict[str, str] = {}
    for file in sorted(path.rglob(f"*{SUFFIX}")):
        if not file.is_file():
            continue
        try:
            texts[file.relative_to(path).as_posix()] = file.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            raise TemplateError(f"{file} is not UTF-8 text: save the template as UTF-8") from None
    if not texts:
        raise TemplateError(
            f"-T prompts={path} refused: it holds no {SUFFIX} files; expected "
            f"<problem>/<language>/<spec_format>/{{code_to_spec,spec_to_code}}_<style>{SUFFIX}"
        )
    return UserTemplates(path, texts)
