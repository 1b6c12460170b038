"""The rescored study as files: CSV tables, Markdown tables and the summary page.

`write_outputs` writes trials.csv, comparison.csv/.md, headline.csv/.md, summary.md and
totals.json. Every number comes from tables.py, so a later check against the published tables
can compare the table rows (or the CSVs) without parsing Markdown.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from roundtrip_eval.analysis.columns import Row, dumps
from roundtrip_eval.analysis.rescore.tables import comparison_table, headline_table, totals
from roundtrip_eval.analysis.tables import markdown_table, write_csv
from roundtrip_eval.analysis.upstream import (
    CHECKER_ARTIFACT,
    EARLIER,
    EXTRACTION_ARTIFACT,
    GENUINE,
    INFRA,
    SPEC_GATE_ARTIFACT,
)

COMPARISON_COLUMNS = [
    ("batch", "batch"),
    ("model", "model"),
    ("task", "task"),
    ("lang", "language"),
    ("published survival@N", "{published_survived}/{trials}"),
    ("paper figure", "{published_figure_pct:.1f}%"),
    (
        "rescored survival@N [Wilson 95%]",
        "{rescored_survived}/{rescored_scored} [{rescored_low:.0%}, {rescored_high:.0%}]",
    ),
    ("censored", "rescored_censored"),
    ("KM", "{rescored_km:.0%}"),
    ("published failures", "published_failures"),
    ("genuine", "n_genuine"),
    ("earlier", "n_earlier_failure"),
    ("extraction artifact", "n_extraction_artifact"),
    ("checker artifact", "n_checker_artifact"),
    ("spec-gate artifact", "n_spec_gate_artifact"),
    ("infra", "n_infrastructure"),
    ("new failures", "new_failures"),
    ("errors", "errors"),
]

HEADLINE_COLUMNS = [
    ("model", "model"),
    ("lang", "language"),
    ("fizzbuzz batch", "known_batch"),
    ("fizzbuzz published", "{known_published}/{known_n}"),
    ("fizzbuzz rescored (censored)", "{known_rescored}/{known_scored} ({known_censored})"),
    ("separate_vowels published", "{novel_published}/{novel_n}"),
    ("separate_vowels rescored (censored)", "{novel_rescored}/{novel_scored} ({novel_censored})"),
    ("published gap (Fisher p)", "{published_gap:+.0%} ({published_fisher_p:.2g})"),
    (
        "rescored gap [95% CI] (Fisher p)",
        "{rescored_gap:+.0%} [{rescored_gap_low:+.0%}, {rescored_gap_high:+.0%}] ({rescored_fisher_p:.2g})",
    ),
    ("gap bounds over censored", "[{rescored_gap_min:+.0%}, {rescored_gap_max:+.0%}]"),
]


def write_outputs(
    out: Path,
    rows: Sequence[Row],
    figures: dict[tuple[str, str, str], float],
    sandbox: str,
    extra_sections: Sequence[str] = (),
) -> dict[str, Path]:
    """Every file of a rescoring into `out`; returns {name: path}. `extra_sections` (Markdown,
    e.g. the whole-study tables of study.py) close the summary page."""
    files = {}
    files["trials.csv"] = write_csv(rows, out / "trials.csv")
    comparison = comparison_table(rows, figures)
    headline = headline_table(rows)
    files["comparison.csv"] = write_csv(comparison, out / "comparison.csv")
    files["headline.csv"] = write_csv(headline, out / "headline.csv")
    files["comparison.md"] = out / "comparison.md"
    files["comparison.md"].write_text(markdown_table(comparison, COMPARISON_COLUMNS), encoding="utf-8")
    files["headline.md"] = out / "headline.md"
    files["headline.md"].write_text(markdown_table(headline, HEADLINE_COLUMNS), encoding="utf-8")
    files["summary.md"] = out / "summary.md"
    summary = "\n".join([study_summary_markdown(rows, comparison, headline, sandbox), *extra_sections])
    files["summary.md"].write_text(summary, encoding="utf-8")
    files["totals.json"] = out / "totals.json"
    files["totals.json"].write_text(dumps(totals(rows)), encoding="utf-8")
    return files


def study_summary_markdown(
    rows: Sequence[Row], comparison: Sequence[Row], headline: Sequence[Row], sandbox: str
) -> str:
    """The one page to read first: totals, what they mean, then both tables."""
    t = totals(rows)
    failures = len(rows) - t["published_survived"]
    lines = [
        "# The original study's trials, rescored under roundtrip-eval's rules",
        "",
        f"{t['trials']} trials ({failures} published failures) replayed through our tolerant "
        f"extraction and type-exact checker in the `{sandbox}` sandbox.",
        "",
        f"- Rescored: {t['survived']} survived, {t['failed']} failed, {t['censored']} censored, "
        f"{t['errors']} errored (rescoring infrastructure), {t['inconsistent']} inconsistent "
        "with the rules (should be 0).",
        f"- Published failures: {t[GENUINE]} genuine (we fail the same cycle), {t[EARLIER]} fail "
        f"earlier under our checker, {t[EXTRACTION_ARTIFACT]} extraction artifacts, "
        f"{t[CHECKER_ARTIFACT]} checker artifacts, {t[SPEC_GATE_ARTIFACT]} spec-gate artifacts "
        f"(the original rejected a spec that did not match its fixed text and never asked for "
        f"code), {t[INFRA]} infrastructure (API failure, empty reply).",
        f"- Cycles the original passed and we fail: {t['new_failures']} trials "
        f"({t['stricter_checker']} stricter checker, {t['extraction_regression']} where our "
        f"extraction did worse than the original's, {t.get('spec_rule', 0)} where our spec rule "
        "failed a spec the original accepted: empty, or the code itself).",
        "- Censored: our checker passes the original's failing cycle (or the original never "
        "asked for code there); what the model would have done next was never generated, so "
        "the trial is not counted as surviving. KM = Kaplan-Meier survival@N, which assumes "
        "censoring is unrelated to the outcome.",
        "",
        "## Published vs rescored survival@N",
        "",
        markdown_table(comparison, COMPARISON_COLUMNS),
        "## Headline: fizzbuzz (known) vs separate_vowels_and_consonants (novel)",
        "",
        "The two tasks were run in different batches of the original study (as in the paper), "
        "compared here at the same spec format and prompt style (the novel task ran only with "
        "pseudocode and hyper_guided). "
        "The rescored gap counts censored trials as not surviving; the bounds take every "
        "censored fizzbuzz trial as failed and every censored separate_vowels trial as "
        "surviving (low), and the reverse (high). The fizzbuzz prompts of the original "
        "contained C0 and the target spec, which no rescoring can undo.",
        "",
        markdown_table(headline, HEADLINE_COLUMNS),
    ]
    return "\n".join(lines)
