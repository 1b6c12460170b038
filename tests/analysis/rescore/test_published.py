"""The study's own tables against our reading of raw/ under its rules (rescore/published.py).

The synthetic tests build made-up trials; the `upstream` test reads the whole published dataset
(no Docker: this part rescores nothing) and lists every published row that raw/ cannot give.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from roundtrip_eval.analysis import upstream as up
from roundtrip_eval.analysis.rescore import published as pub
from roundtrip_eval.problems.load import list_problems
from roundtrip_eval.stats.survival import wilson_interval

from ..upstream_trials import SYNTAX_STATUS, UPSTREAM, cycle, make_trial, passing


def test_batch_names_give_the_study_n_and_mode() -> None:
    assert (pub.batch_n("strict_n_03_20251228_100011"), pub.batch_mode("strict_n_03_20251228_100011")) == (
        "n=03",
        "strict",
    )
    name = "adaptive_composite_n30_separate_vowels_and_consonants_20260101_160101"
    assert (pub.batch_n(name), pub.batch_mode(name)) == ("n=30", "composite")
    assert (pub.batch_n("run_fizzbuzz_forgiving_2025"), pub.batch_mode("run_fizzbuzz_forgiving_2025")) == (
        pub.DEFAULT_N,
        "forgiving",
    )
    assert pub.batch_mode("llm_test_llama3-8b_20260101_231634") == pub.DEFAULT_MODE == "standard"
    # the original split `<format>_<style>` on its last underscore
    assert pub.study_spec_style("pseudocode", "hyper_guided") == ("pseudocode_hyper", "guided")
    assert pub.study_spec_style("s_expression", "fewshot") == ("s_expression", "fewshot")


def _trial(batch: str, run: int, survived: bool, style: str = "hyper_guided") -> up.UpstreamTrial:
    recorded = passing(10) if survived else [*passing(2), cycle(3, code=SYNTAX_STATUS)]
    return replace(make_trial(recorded, survived=survived, run=run), batch=batch, prompt_style=style)


def _row(key: pub.StudyKey, trials: int, successes: int) -> pub.PublishedRow:
    low, high = wilson_interval(successes, trials)
    return pub.PublishedRow(key, trials, successes, low, high)


def test_check_published_matches_differs_and_names_what_is_missing() -> None:
    trials = [
        _trial("strict_n_03_x", 1, True),
        _trial("strict_n_03_x", 2, False),
        _trial("strict_n_03_x", 3, False),
        _trial("forgiving_n_03_x", 1, True, style="fewshot"),
        _trial("llm_test_m_x", 1, False),
        _trial("llm_test_m_y", 1, True),  # a re-run batch: the same study configuration
    ]
    strict = pub.StudyKey("m-1b", "fizzbuzz", "n=03", "strict", "en", "pseudocode_hyper", "guided")
    forgiving = strict._replace(mode="forgiving", spec="pseudocode", style="fewshot")
    standard = strict._replace(n_type="n=30", mode="standard")
    pilot = strict._replace(model="m", n_type="n=2")
    other_n = strict._replace(n_type="n=30")
    assert pub.study_key(trials[0]) == strict
    rows = [
        _row(strict, 3, 1),
        _row(forgiving, 1, 0),  # we count 1 success
        _row(standard, 2, 1),  # both llm_test batches
        _row(pilot, 2, 0),
        _row(other_n, 30, 3),
        pub.PublishedRow(strict, 3, 1, 0.1, 0.9),  # a row whose interval is not Wilson's
    ]
    results = pub.check_published(rows, trials)
    assert [r.status for r in results] == [
        pub.MATCH,
        pub.DIFFERS,
        pub.MATCH,
        pub.NO_RAW,
        pub.NO_RAW,
        pub.DIFFERS,
    ]
    assert results[1].ours == pub.Tally(1, 1) and "1/1" in results[1].reason
    assert "no trial of model 'm'" in results[3].reason and "m-1b" in results[3].reason
    assert results[4].reason == "no n=30 strict batch of m-1b in raw/"
    assert "Wilson" in results[5].reason
    # a raw configuration with no published row is listed too
    extra = pub.check_published(rows[:1], trials)
    assert [(r.key, r.status) for r in extra[1:]] == [
        (forgiving, pub.NOT_PUBLISHED),
        (standard, pub.NOT_PUBLISHED),
    ]


def test_figure_curves_are_traced_to_the_batch_that_gives_them() -> None:
    trials = [_trial("a", 1, True), _trial("a", 2, False), _trial("b", 1, True), _trial("b", 2, True)]
    assert pub.original_curve(trials[:2], 4) == [100.0, 100.0, 50.0, 50.0]
    figure = {("m-1b", "fizzbuzz", "en"): [100.0, 100.0, 50.0] + [50.0] * 7}
    assert pub.figure_sources(figure, trials) == {("m-1b", "fizzbuzz", "en"): ["a"]}
    assert pub.figure_sources({("m-1b", "fizzbuzz", "en"): [90.0] * 10}, trials) == {
        ("m-1b", "fizzbuzz", "en"): []
    }


def test_published_tables_are_absent_without_the_folder(tmp_path: Path) -> None:
    assert pub.read_published(tmp_path) == [] and pub.read_figure(tmp_path) == {}


@pytest.mark.upstream
@pytest.mark.slow
def test_the_813_published_rows_are_reproduced_from_raw_with_every_exception_named() -> None:
    if not (UPSTREAM / "published" / "analysis_with_ci.csv").is_file():
        pytest.skip(f"upstream data absent ({UPSTREAM.name} next to the repository)")
    rows = pub.read_published(UPSTREAM)
    trials = up.scan_trials(UPSTREAM, list_problems()).trials
    results = pub.check_published(rows, trials)
    assert len(rows) == 813 and len([r for r in results if r.published is not None]) == 813
    exceptions = [r for r in results if r.status != pub.MATCH]
    for r in exceptions:  # the list the brief asks for, shown on failure and with -rA
        print(f"{r.status}: {r.key.label()}: {r.reason}")
    # the only rows raw/ cannot give: a pilot batch of `tinyllama` (n=2) whose raw logs were
    # never published; every other row matches in successes, trials and Wilson interval
    pilot = {row.key for row in rows if row.key.model == "tinyllama" and row.key.n_type == "n=2"}
    assert {r.key for r in exceptions} == pilot and len(pilot) == 14
    assert all(r.status == pub.NO_RAW and "not in the published raw/" in r.reason for r in exceptions)
    assert sum(1 for r in results if r.status == pub.MATCH) == 813 - 14
    # both llama3:8b batches make the one 34-trial row
    [llama] = [r for r in results if r.key.model == "llama3-8b" and r.published and r.published.trials == 34]
    assert llama.status == pub.MATCH
    # and every curve of the paper's Figure 2 comes from one batch's trials
    sources = pub.figure_sources(pub.read_figure(UPSTREAM), trials)
    assert len(sources) == 13 and all(sources.values())
