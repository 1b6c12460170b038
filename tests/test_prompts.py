"""Prompt rendering: built-in formats and styles, the leak check, and user template directories."""

from __future__ import annotations

import ast
import functools
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from inspect_ai import eval as inspect_eval
from inspect_ai.log import EvalLog, EvalSample, resolve_sample_attachments
from replay_scripts import trial
from replay_scripts import write as write_replay

from roundtrip_eval.eval.extract import fenced_blocks
from roundtrip_eval.eval.prompts import (
    LANGUAGES,
    LEAK_WARNING,
    SPEC_FORMATS,
    STYLES,
    TemplateError,
    load_user_templates,
    prompt_set_version,
    render,
    render_f,
    render_g,
    template,
)
from roundtrip_eval.eval.settings import TrialSettings
from roundtrip_eval.eval.tasks import trial_task
from roundtrip_eval.problems.load import list_problems, load_problem

ROOT = Path(__file__).resolve().parents[1]
PROMPTS = ROOT / "src" / "roundtrip_eval" / "eval" / "prompts"
UPSTREAM_PROMPTS = ROOT.parent / "shared" / "upstream-data" / "materials" / "prompts"
SPEC_SENTINEL = "SPEC TEXT"

# Literals too common to mean anything when they turn up in an instruction: the numbers -2..2
# (indexing from 0, "- 1", list items), True/False/None and the empty string (Constant nodes
# that are words of every description), and the dict key "name" (the prompts must ask for
# the function's name). Single characters ("a", "(", "I") are looked for only in quotes, as a
# prompt would show a string literal: bare, they are in every sentence.
TRIVIAL_NUMBERS = {-2, -1, 0, 1, 2}
GENERIC_WORDS = {"name"}
# A reference line that is only a keyword says nothing about the problem.
TRIVIAL_LINES = {"else:", "return", "pass", "continue", "break"}
# Numbered steps ("1. Read ...") are list markers, not literals.
LIST_MARKER = re.compile(r"^\s*\d+\.\s", re.MULTILINE)


@dataclass
class Leaks:
    """What of a problem must never appear in a prompt beyond the code or spec translated."""

    names: set[str] = field(default_factory=set)
    lines: set[str] = field(default_factory=set)
    strings: set[str] = field(default_factory=set)
    numbers: set[int | float] = field(default_factory=set)

    def add_reference(self, source: str) -> None:
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.FunctionDef):
                self.names.add(node.name)
            if isinstance(node, ast.Constant) and not isinstance(node.value, bool):
                if isinstance(node.value, str) and node.value.strip():
                    self.strings.add(node.value)
                elif isinstance(node.value, int | float) and node.value not in TRIVIAL_NUMBERS:
                    self.numbers.add(node.value)
        self.lines |= {ln.strip() for ln in source.splitlines() if ln.strip() not in TRIVIAL_LINES | {""}}

    def found_in(self, prompt: str) -> list[str]:
        """Every leak in `prompt`, each as `kind: text`."""
        texts = {"raw": prompt, "lower": prompt.lower(), "unmarked": LIST_MARKER.sub(" ", prompt)}
        return sorted(
            {
                label
                for label, kind, needles, pattern in self.patterns()
                if any(n in texts[kind] for n in needles) and pattern.search(texts[kind])
            }
        )

    @functools.cache  # noqa: B019 - one Leaks per test session
    def patterns(self) -> list[tuple[str, str, tuple[str, ...], re.Pattern[str]]]:
        """(label, which text, plain needles, pattern): the needles are a fast pre-filter; the
        pattern takes whole words only, so "Ding" is not found in "including"."""
        out: list[tuple[str, str, tuple[str, ...], re.Pattern[str]]] = []
        for name in self.names:
            forms = tuple({name.lower(), name.lower().replace("_", "-")})
            out.append((f"name: {name}", "lower", forms, _word(*forms)))
        out += [(f"code: {line}", "raw", (line,), _word(line)) for line in self.lines]
        for text in self.strings:
            quoted = tuple(q + text + q for q in "\"'")
            out.append((f"literal: {text!r}", "raw", quoted, re.compile("|".join(map(re.escape, quoted)))))
            bare = text.strip().lower()
            if len(bare) >= 3 and bare not in GENERIC_WORDS:
                out.append((f"literal: {text!r}", "lower", (bare,), _word(bare)))
        for number in self.numbers:
            pattern = re.compile(rf"(?<![\w.]){re.escape(str(number))}(?!\w|\.\d)")
            out.append((f"literal: {number}", "unmarked", (str(number),), pattern))
        return out

    __hash__ = object.__hash__


def _word(*forms: str) -> re.Pattern[str]:
    return re.compile(rf"(?<!\w)(?:{'|'.join(map(re.escape, forms))})(?!\w)")


def all_leaks() -> Leaks:
    """Function names, reference lines and literals of every problem under tasks/ (variants too)."""
    leaks = Leaks()
    references = sorted((ROOT / "tasks").glob("*/reference.py"))
    references += sorted((ROOT / "tasks").glob("*/variants/*/reference.py"))
    assert len(references) >= len(list_problems())
    for path in references:
        leaks.add_reference(path.read_text(encoding="utf-8"))
    for name in list_problems():
        leaks.names |= {name, load_problem(name).function}
    return leaks


LEAKS = all_leaks()


def test_the_leak_check_can_fail() -> None:
    assert LEAKS.found_in("Use `x % 15` and return 'Fizz'.") == ["literal: 'Fizz'", "literal: 15"]
    assert LEAKS.found_in("(define (binary-search items target))") == ["name: binary_search"]
    assert LEAKS.found_in("    stack = []\n") == ["code: stack = []"]
    assert LEAKS.found_in('Return "crest" above the line.') == ["literal: 'crest'"]
    assert LEAKS.found_in("1. Read the name.\n2. Check 0 and 1.\n3. Done.") == []


@pytest.mark.parametrize("style", STYLES)
@pytest.mark.parametrize("spec_format", SPEC_FORMATS)
@pytest.mark.parametrize("language", LANGUAGES)
def test_rendered_prompts_leak_nothing_of_any_problem(language: str, spec_format: str, style: str) -> None:
    """Every problem's g prompt, its own reference cut out, and f's prompt hold no problem content."""
    f = render_f(SPEC_SENTINEL, language=language, spec_format=spec_format, style=style)
    assert SPEC_SENTINEL in f
    assert LEAKS.found_in(f.replace(SPEC_SENTINEL, "")) == []
    for name in list_problems():
        code = load_problem(name).reference
        g = render_g(code, language=language, spec_format=spec_format, style=style)
        assert code.strip() in g
        assert LEAKS.found_in(g.replace(code.strip(), "")) == [], name


@pytest.mark.parametrize("style", STYLES)
@pytest.mark.parametrize("spec_format", SPEC_FORMATS)
@pytest.mark.parametrize("language", LANGUAGES)
def test_every_combination_renders_closed_and_filled(language: str, spec_format: str, style: str) -> None:
    code = load_problem("process_user_list").reference  # braces in an f-string
    g = render_g(code, language=language, spec_format=spec_format, style=style)
    f = render_f(SPEC_SENTINEL, language=language, spec_format=spec_format, style=style)
    for prompt in (g, f):
        assert "{code}" not in prompt and "{spec}" not in prompt and "{example_" not in prompt
        fence_lines = [ln for ln in prompt.splitlines() if re.match(r"\s*```", ln)]
        assert len(fence_lines) % 2 == 0, "prompt ends inside an open code fence"
        assert all(b.terminated for b in fenced_blocks(prompt))
        assert not prompt.rstrip().endswith("```python")
    assert bool(re.search(r"[\u3040-\u30ff]", g + f)) == (language == "ja")


@pytest.mark.parametrize("spec_format", SPEC_FORMATS)
@pytest.mark.parametrize("language", LANGUAGES)
def test_styles_add_one_paragraph_before_the_input(language: str, spec_format: str) -> None:
    """zero_shot is the format's file as it is; a style inserts its block, leaving the rest intact."""
    for step in ("g", "f"):
        base = template(step, language, spec_format)
        path = PROMPTS / language / f"{step}_{spec_format}.txt"
        assert base == path.read_text(encoding="utf-8")
        for style in ("fewshot", "guided"):
            styled = template(step, language, spec_format, style)
            assert styled != base and len(styled) > len(base)
            kept = [p for p in styled.split("\n\n") if p in base.split("\n\n")]
            assert kept == base.split("\n\n")


@pytest.mark.parametrize("language", LANGUAGES)
def test_fewshot_shows_the_example_in_the_chosen_format(language: str) -> None:
    example = (PROMPTS / "example_code.txt").read_text(encoding="utf-8")
    specs = set()
    for spec_format in SPEC_FORMATS:
        spec = (
            (PROMPTS / language / f"example_{spec_format}.txt")
            .read_text(encoding="utf-8")
            .strip()
        )
        specs.add(spec)
        for step in ("g", "f"):
            prompt = render(step, language, spec_format, "X", "fewshot")
            assert spec in prompt and example.strip() in prompt
    assert len(specs) == len(SPEC_FORMATS)


def test_the_fewshot_example_does_what_its_specs_say() -> None:
    source = (PROMPTS / "example_code.txt").read_text(encoding="utf-8")
    namespace: dict[str, object] = {}
    exec(compile(source, "example_code.txt", "exec"), namespace)  # our own code, not a model's
    interleave = namespace["interleave"]
    assert callable(interleave)
    assert interleave([1, 2, 3], ["a"]) == [1, "a", 2, 3]
    assert interleave([], []) == []
    assert interleave([], [5, 6]) == [5, 6]


def test_guided_steps_are_task_agnostic_and_numbered() -> None:
    for language in LANGUAGES:
        for step in ("g", "f"):
            block = (
                PROMPTS / language / f"style_guided_{step}.txt"
            ).read_text(encoding="utf-8")
            assert len(LIST_MARKER.findall(block)) >= 5
            assert "```" not in block


# Moved from tests/test_seeds_prompts.py (assertions kept as they were).


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("spec_format", SPEC_FORMATS)
@pytest.mark.parametrize("problem", ["fizzbuzz", "process_user_list"])
def test_prompts_render_without_leaks_or_open_fences(language: str, spec_format: str, problem: str) -> None:
    p = load_problem(problem)
    g = render("g", language, spec_format, p.reference)
    f = render("f", language, spec_format, "SPEC TEXT")
    assert p.reference.strip() in g
    assert "SPEC TEXT" in f and p.reference.strip() not in f
    for prompt in (g, f):
        assert "{code}" not in prompt and "{spec}" not in prompt
        fence_lines = [ln for ln in prompt.splitlines() if re.match(r"\s*```", ln)]
        assert len(fence_lines) % 2 == 0, "prompt ends inside an open code fence"
        assert all(b.terminated for b in fenced_blocks(prompt))
        assert not prompt.rstrip().endswith("```python")


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("spec_format", SPEC_FORMATS)
def test_templates_hold_no_task_specific_content(language: str, spec_format: str) -> None:
    words = {"fizz", "buzz", "vowel", "magic", "42", "score", "rank"}
    for name in list_problems():
        words.add(load_problem(name).function.lower())
    for step in ("g", "f"):
        text = template(step, language, spec_format).lower()
        assert not [w for w in words if w in text]


def test_japanese_templates_are_japanese() -> None:
    assert re.search(r"[\u3040-\u30ff]", template("g", "ja", "prose"))
    assert not re.search(r"[\u3040-\u30ff]", template("g", "en", "prose"))


def test_prompt_set_version_is_versioned_and_hashed() -> None:
    assert re.fullmatch(r"\d+\.\d+\+[0-9a-f]{10}", prompt_set_version())


def test_bad_choices_are_errors() -> None:
    with pytest.raises(ValueError, match="language"):
        template("g", "fr", "prose")


# New checks in the spirit of the moved ones, over every format and style.


@pytest.mark.parametrize("style", STYLES)
@pytest.mark.parametrize("spec_format", SPEC_FORMATS)
@pytest.mark.parametrize("language", LANGUAGES)
def test_no_style_holds_the_study_words(language: str, spec_format: str, style: str) -> None:
    words = {"fizz", "buzz", "vowel", "magic", "42", "score", "rank"}
    for step in ("g", "f"):
        assert not [w for w in words if w in template(step, language, spec_format, style).lower()]


def test_bad_style_is_an_error() -> None:
    with pytest.raises(ValueError, match="style"):
        template("g", "en", "prose", "hyper_guided")


# User templates (-T prompts=DIR).


def write(root: Path, relative: str, text: str) -> None:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def test_user_templates_render_verbatim_with_either_placeholder(tmp_path: Path) -> None:
    write(
        tmp_path, "fizzbuzz/en/pseudocode/code_to_spec_mine.prompt", "Spec this {x}:\n{source_code}\nEnd:\n"
    )
    write(tmp_path, "en/pseudocode/spec_to_code_mine.prompt", "Code this:\n{spec}\n")
    templates = load_user_templates(tmp_path)
    assert templates.styles() == ["mine"]
    g = render_g(
        "def f():\n    return 3\n",
        language="en",
        spec_format="pseudocode",
        style="mine",
        templates=templates,
        problem="fizzbuzz",
    )
    assert g == "Spec this {x}:\ndef f():\n    return 3\nEnd:\n"
    f = render_f(
        "S", language="en", spec_format="pseudocode", style="mine", templates=templates, problem="two_sum"
    )
    assert f == "Code this:\nS\n"


def test_user_template_metadata_has_each_sha256_and_the_warning(tmp_path: Path) -> None:
    write(tmp_path, "en/prose/code_to_spec_s.prompt", "A {code}")
    write(tmp_path, "en/prose/spec_to_code_s.prompt", "B {specification}")
    meta = load_user_templates(tmp_path).metadata(
        ["fizzbuzz", "two_sum"], language="en", spec_format="prose", style="s"
    )
    assert meta["directory"] == str(tmp_path.resolve())
    assert meta["templates"] == {
        "en/prose/code_to_spec_s.prompt": hashlib.sha256(b"A {code}").hexdigest(),
        "en/prose/spec_to_code_s.prompt": hashlib.sha256(b"B {specification}").hexdigest(),
    }
    assert "leak" in str(meta["warning"])
    assert re.fullmatch(r"user\+[0-9a-f]{10}", str(meta["version"]))


def test_a_missing_user_template_is_one_line_naming_the_path(tmp_path: Path) -> None:
    write(tmp_path, "fizzbuzz/en/pseudocode/code_to_spec_a.prompt", "{source_code}")
    write(tmp_path, "fizzbuzz/en/pseudocode/spec_to_code_a.prompt", "{specification}")
    templates = load_user_templates(tmp_path)
    with pytest.raises(TemplateError) as refused:
        templates.used(["fizzbuzz"], language="ja", spec_format="pseudocode", style="a")
    line = str(refused.value)
    assert "\n" not in line
    assert str(tmp_path.resolve() / "fizzbuzz/ja/pseudocode/code_to_spec_a.prompt") in line
    assert "styles there: a" in line


def test_a_user_template_without_its_placeholder_is_refused(tmp_path: Path) -> None:
    write(tmp_path, "en/prose/code_to_spec_a.prompt", "no input here")
    write(tmp_path, "en/prose/spec_to_code_a.prompt", "{spec}")
    with pytest.raises(TemplateError, match=r"code_to_spec_a\.prompt has no \{source_code\} or \{code\}"):
        load_user_templates(tmp_path).used(["fizzbuzz"], language="en", spec_format="prose", style="a")


def test_a_bad_directory_is_one_line(tmp_path: Path) -> None:
    with pytest.raises(TemplateError, match="no such directory"):
        load_user_templates(tmp_path / "absent")
    (tmp_path / "empty").mkdir()
    with pytest.raises(TemplateError, match=r"holds no \.prompt files"):
        load_user_templates(tmp_path / "empty")


def test_the_study_templates_render_as_the_study_sent_them_and_leak() -> None:
    if not UPSTREAM_PROMPTS.is_dir():
        pytest.skip("../shared/upstream-data is absent")
    templates = load_user_templates(UPSTREAM_PROMPTS)
    assert {"fewshot", "hyper_guided"} <= set(templates.styles())
    code = load_problem("fizzbuzz").reference
    raw = (UPSTREAM_PROMPTS / "fizzbuzz/en/pseudocode/code_to_spec_hyper_guided.prompt").read_text(
        encoding="utf-8"
    )
    g = render_g(
        code,
        language="en",
        spec_format="pseudocode",
        style="hyper_guided",
        templates=templates,
        problem="fizzbuzz",
    )
    assert g == raw.replace("{source_code}", code.strip("\n"))
    # the known fault our leak check exists for: the study's f prompt names the answer
    f = render_f(
        SPEC_SENTINEL,
        language="en",
        spec_format="pseudocode",
        style="hyper_guided",
        templates=templates,
        problem="fizzbuzz",
    )
    assert "name: fizzbuzz" in LEAKS.found_in(f.replace(SPEC_SENTINEL, ""))
    assert "literal: 'FizzBuzz'" in LEAKS.found_in(f)


# Wired in: the settings choose the prompts the solver sends, and the log records them.


def run_replayed(tmp_path: Path, **settings: Any) -> tuple[EvalLog, EvalSample]:
    """One fizzbuzz trial of 2 cycles on replayed replies (our own literals: `local` sandbox)."""
    reference = load_problem("fizzbuzz").reference
    tmp_path.mkdir(parents=True, exist_ok=True)
    script = write_replay(tmp_path / "replay.jsonl", {("fizzbuzz", "*"): trial("fizzbuzz", [reference] * 2)})
    task = trial_task(["fizzbuzz"], TrialSettings(cycles=2, epochs=1, sandbox="local", **settings))
    [log] = inspect_eval(task, model=f"replay/{script}", log_dir=str(tmp_path / "logs"), display="none")
    assert log.status == "success", log.error
    [sample] = log.samples or []
    return log, resolve_sample_attachments(sample)


def sent_prompts(sample: EvalSample) -> list[str]:
    return [e.input[0].text for e in sample.events if e.event == "model"]


def test_the_style_and_format_reach_the_model_and_the_log(tmp_path: Path) -> None:
    log, sample = run_replayed(tmp_path, spec_format="minilang", prompt_style="guided")
    g, f, *_ = sent_prompts(sample)
    reference = load_problem("fizzbuzz").reference
    assert g == render_g(reference, language="en", spec_format="minilang", style="guided")
    spec = sample.store["cycles"][0]["spec"]
    assert f == render_f(spec, language="en", spec_format="minilang", style="guided")
    meta = log.eval.metadata or {}
    assert (meta["prompt_style"], meta["spec_format"]) == ("guided", "minilang")
    assert meta["prompt_set_version"] == prompt_set_version() and "user_prompts" not in meta


def test_user_templates_reach_the_model_and_the_log_warns_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    prompts = tmp_path / "prompts"
    write(prompts, "fizzbuzz/en/pseudocode/code_to_spec_mine.prompt", "G<{source_code}>")
    write(prompts, "en/pseudocode/spec_to_code_mine.prompt", "F<{specification}>")
    log, sample = run_replayed(tmp_path / "a", prompts=str(prompts), prompt_style="mine")
    g, f, *_ = sent_prompts(sample)
    assert g == "G<" + load_problem("fizzbuzz").reference.strip("\n") + ">"
    assert f == "F<" + sample.store["cycles"][0]["spec"] + ">"
    meta = log.eval.metadata or {}
    user = meta["user_prompts"]
    assert user["directory"] == str(prompts.resolve()) and meta["prompts"] == str(prompts)
    assert set(user["templates"]) == {
        "fizzbuzz/en/pseudocode/code_to_spec_mine.prompt",
        "en/pseudocode/spec_to_code_mine.prompt",
    }
    assert user["warning"] == LEAK_WARNING and meta["prompt_set_version"] == user["version"]
    run_replayed(tmp_path / "b", prompts=str(prompts), prompt_style="mine")
    assert capsys.readouterr().err.count(LEAK_WARNING) == 1


def test_a_run_missing_a_user_template_is_refused_before_any_trial(tmp_path: Path) -> None:
    write(tmp_path, "fizzbuzz/en/pseudocode/code_to_spec_mine.prompt", "{source_code}")
    with pytest.raises(TemplateError) as refused:
        trial_task(["fizzbuzz"], TrialSettings(prompts=str(tmp_path), prompt_style="mine", sandbox="local"))
    assert str(refused.value).count("\n") == 0
    assert str(tmp_path.resolve() / "fizzbuzz/en/pseudocode/spec_to_code_mine.prompt") in str(refused.value)
