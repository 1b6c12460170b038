"""Every reference in code and docs points at a file in the repository.

Scans src/, studies/, docs/, tasks/README.md, README.md and CHANGELOG.md for names of `*.md`
files and `*.py` paths (`docs/design.md#drift-categories`, `sandbox/exec.py`, `drift.py`), and
fails on one that names no file here: a design note cited but never committed, a module that was
renamed. A name with a folder resolves against the citing file's folder, the repository root,
`src/` and the package; a bare file name must be some file of the repository. A Markdown link's
`#anchor` must be a heading of the page it names.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "roundtrip_eval"
SCANNED = ("src", "studies", "docs", "README.md", "CHANGELOG.md", "tasks/README.md")
SKIP_DIRS = {"__pycache__", ".git", ".venv", "logs", "data", "node_modules"}

REFERENCE = re.compile(r"(?<![\w./$<{-])((?:\.\.?/)*(?:[\w.-]+/)*[\w-]+\.(?:md|py))(#[\w-]+)?(?![\w/])")
"""A path-like name ending in .md or .py, with an optional #anchor (not part of a URL)."""

EXTERNAL = {
    "../shared/": "the reference data beside the repository (tests skip when it is absent)",
    "logs/": "the git-ignored folder our commands write their outputs into",
    "inspect_ai/": "Inspect's own source, where a behaviour we rely on is",
    "docker/cleanup.py": "Inspect's docker provider, named as the model followed",
    "docker/prereqs.py": "Inspect's docker provider, named as the model followed",
    "identitychain/identity_chain.py": "IdentityChain's code, whose metric we reimplement",
    "scripts/analyze_results.py": "EvaLoop's analysis script, whose metric we reimplement",
    "evalplus/eval/__init__.py": "EvalPlus's evaluator, whose comparison rule check/compare.py restates",
    "evalplus/eval/_special_oracle.py": "EvalPlus's special oracles, which check/compare.py restates",
    "evalplus/config.py": "EvalPlus's default time limits, which docs/peers_mbpp.md sets beside ours",
    "evaloop/analysis/metrics.py": "EvaLooop's metrics, whose ASL definitions eval/peers.py follows",
}
"""Names of files outside the repository, cited on purpose: prefix -> whose they are."""

WRITTEN = {
    # `roundtrip-eval report` and `rescore-upstream` pages
    "summary.md", "survival.md", "gap.md", "drift.md", "blame.md", "comparison.md", "headline.md",
    "compare.md",
    "factors.md", "published_check.md", "configurations.md", "models.md",
    # what a study's command prints into, in its usage line
    "cases.md", "rows.md", "selfcheck.md",
    # the file name a candidate's code is compiled and imported as
    "candidate.py", "original.py",
}
"""Bare names of files our commands write, not files of the repository."""


def scanned_files() -> Iterator[Path]:
    for entry in SCANNED:
        path = ROOT / entry
        if path.is_file():
            yield path
        elif path.is_dir():
            for file in sorted(path.rglob("*")):
                if file.suffix in (".py", ".md") and not SKIP_DIRS & set(file.relative_to(ROOT).parts):
                    yield file


@cache
def repository_names() -> frozenset[str]:
    """The base name of every file of the repository (outside caches and logs)."""
    return frozenset(
        p.name for p in ROOT.rglob("*") if p.is_file() and not SKIP_DIRS & set(p.relative_to(ROOT).parts)
    )


def resolve(name: str, citing: Path) -> Path | None:
    """The file `name` (as cited from `citing`) names, or None."""
    bases = [citing.parent, ROOT, ROOT / "src", PACKAGE, ROOT / "docs"]
    bases += [p for p in citing.parents if PACKAGE in p.parents]  # package-relative, from a subpackage
    for base in bases:
        candidate = (base / name).resolve()
        if candidate.is_file():
            return candidate
    return None


def slug(heading: str) -> str:
    """GitHub's anchor for a Markdown heading."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def anchors(page: Path) -> set[str]:
    lines = page.read_text(encoding="utf-8").splitlines()
    return {slug(line.lstrip("#")) for line in lines if line.startswith("#")}


def broken(path: Path) -> list[str]:
    """One line per reference in `path` that names no file (or no heading) of the repository."""
    found = []
    text = path.read_text(encoding="utf-8")
    for number, line in enumerate(text.splitlines(), 1):
        for match in REFERENCE.finditer(line):
            name, anchor = match.group(1), match.group(2)
            if name.startswith(tuple(EXTERNAL)) or "://" in line[max(0, match.start() - 80) : match.start()]:
                continue
            if name.split("/")[0].isupper():  # a placeholder folder: OUT/summary.md, DATA/README.md
                continue
            shown = path.relative_to(ROOT) if ROOT in path.parents else path.name
            where = f"{shown}:{number}: {name}{anchor or ''}"
            target = resolve(name, path)
            if target is None and "/" not in name:
                if name not in repository_names() and name not in WRITTEN:
                    found.append(f"{where} (no file of that name)")
                continue
            if target is None:
                found.append(f"{where} (no such file)")
            elif anchor and target.suffix == ".md" and anchor[1:] not in anchors(target):
                found.append(f"{where} (no such heading)")
    return found


def test_every_reference_names_a_file_of_the_repository() -> None:
    files = list(scanned_files())
    assert len(files) > 100 and ROOT / "docs" / "design.md" in files
    problems = [line for path in files for line in broken(path)]
    assert problems == []


def test_the_scan_would_catch_each_kind_of_broken_reference(tmp_path: Path) -> None:
    page = tmp_path / "probe.md"
    page.write_text(
        "See ROUNDTRIP_NOTES.md §6 and [d](design.md#no-such-heading),\n"
        "[ok](design.md#drift-categories), `src/roundtrip_eval/checker.py`, `eval/solver.py`,\n"
        "`problems_validate.py`, https://x.org/a/b.md, OUT/summary.md, summary.md\n",
        encoding="utf-8",
    )
    found = broken(page)
    assert [line.split(": ", 1)[1] for line in found] == [
        "ROUNDTRIP_NOTES.md (no file of that name)",
        "design.md#no-such-heading (no such heading)",
        "src/roundtrip_eval/checker.py (no such file)",
        "problems_validate.py (no file of that name)",
    ]


@pytest.mark.parametrize(
    ("heading", "anchor"),
    [("## Drift categories", "drift-categories"),
     ("## Blame (`-T blame=3`): validated", "blame--t-blame3-validated")],
)
def test_anchors_follow_github(heading: str, anchor: str) -> None:
    assert slug(heading.lstrip("#")) == anchor
