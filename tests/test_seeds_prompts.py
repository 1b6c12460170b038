"""Seed derivation and prompt rendering."""

import re

import pytest

from roundtrip_eval.extract import fenced_blocks
from roundtrip_eval.problems import list_problems, load_problem
from roundtrip_eval.prompts import LANGUAGES, SPEC_FORMATS, prompt_set_version, render, template
from roundtrip_eval.seeds import derive_seed


def test_seeds_are_stable_distinct_and_in_range() -> None:
    seeds = {
        (e, c, s): derive_seed(0, e, c, s) for e in range(1, 31) for c in range(1, 11) for s in "gf"
    }
    assert len(set(seeds.values())) == len(seeds)
    assert all(0 <= v < 2**31 for v in seeds.values())
    assert derive_seed(0, 1, 1, "g") == derive_seed(0, 1, 1, "g")
    assert derive_seed(0, 1, 1, "g") != derive_seed(1, 1, 1, "g")
    assert derive_seed(7, 3, 2, "f") == 258518768  # pinned: a change breaks reproducibility


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("spec_format", SPEC_FORMATS)
@pytest.mark.parametrize("problem", ["fizzbuzz", "process_user_list"])
def test_prompts_render_without_leaks_or_open_fences(
    language: str, spec_format: str, problem: str
) -> None:
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
