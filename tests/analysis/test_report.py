"""`roundtrip-eval report` on replay-model logs whose numbers are worked out by hand.

The run (the `logdir` fixture) is described in scripted_logs.py: N = 3 cycles, 5 epochs,
fizzbuzz (known) and separate_vowels_and_consonants (novel) in one eval.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest

from roundtrip_eval.analysis.aggregate import build_report
from roundtrip_eval.analysis.read import LogReadError, load_rows
from roundtrip_eval.cli import main

from .scripted_logs import EXTRA_REASON, FB, SV, run_logs, script_lines, write


def by_problem(rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {r["problem"]: r for r in rows}


def test_survival_table_matches_hand_calculation(logdir: Path) -> None:
    trials, cycles, warnings = load_rows(logdir, progress=False)
    assert warnings == []
    report = build_report(trials, cycles, n_boot=2000)
    fb, sv = by_problem(report.survival)[FB], by_problem(report.survival)[SV]
    # fizzbuzz: 5 scored; survival@1 = 4/5 (only e4 failed at 1); survival@3 = 2/5.
    assert (fb["trials"], fb["scored"], fb["infra_errors"], fb["censored"]) == (5, 5, 0, 1)
    assert (fb["survival_at_1_k"], fb["survival_at_n_k"]) == (4, 2)
    assert fb["survival_at_n_rate"] == 0.4
    # Wilson 2/5: centre (0.4 + z2/10) / (1 + z2/5) = 0.443448, half 0.325826.
    assert (round(fb["survival_at_n_low"], 4), round(fb["survival_at_n_high"], 4)) == (
        0.1176,
        0.7693,
    )
    assert fb["mean_cycles_survived"] == pytest.approx(8 / 5)
    # hazard: cycle 1 1/5; cycle 2 1/3 (e5 is censored after 1, so 3 observed); cycle 3 0/2.
    assert fb["hazard"] == "0.200 0.333 0.000"
    assert fb["km_survival_at_n"] == pytest.approx(0.8 * 2 / 3)
    # separate_vowels: e4 errored -> 4 scored; survival@1 = 3/4, survival@3 = 2/4.
    assert (sv["trials"], sv["scored"], sv["infra_errors"], sv["censored"]) == (5, 4, 1, 0)
    assert (sv["survival_at_1_k"], sv["survival_at_n_k"]) == (3, 2)
    assert sv["mean_cycles_survived"] == 2.0
    assert sv["hazard"] == "0.250 0.000 0.333"
    assert sv["familiarity"] == "novel" and fb["familiarity"] == "known"


def test_curves_gap_and_drift(logdir: Path) -> None:
    trials, cycles, _ = load_rows(logdir, progress=False)
    report = build_report(trials, cycles, n_boot=2000)
    fb_curve = [r for r in report.curves if r["problem"] == FB]
    assert [r["survival"] for r in fb_curve] == [0.8, 0.4, 0.4]
    assert [r["at_risk"] for r in fb_curve] == [5, 3, 2]
    assert [r["censored"] for r in fb_curve] == [1, 0, 0]
    # fizzbuzz (pair fizzbuzz) and separate_vowels (pair vowels) are twins of problems not run:
    # no pair has both sides, so only the pooled gap (every known trial against every novel one)
    [gap] = report.gap
    assert gap["pair"] == "pooled" and (gap["known_n"], gap["novel_n"]) == (5, 4)
    # cycles survived: fizzbuzz 3, 3, 1, 1 (e5, censored after 1), 0 -> 8/5; vowels 3, 3, 2, 0 -> 2
    assert (gap["known_mean"], gap["novel_mean"]) == (pytest.approx(1.6), 2.0)
    assert gap["gap"] == pytest.approx(-0.4) and gap["gap_low"] < -0.4 < gap["gap_high"]
    assert (gap["at"], gap["known_at"], gap["novel_at"]) == (3, 2, 2)
    assert gap["gap_at"] == pytest.approx(-0.1) and gap["gap_at_low"] < -0.1 < gap["gap_at_high"]
    # Fisher [[2,3],[2,2]]: weights C(4,x)C(5,5-x) = 1,20,60,40,5; observed 60 is the mode -> 1.
    assert gap["fisher_p"] == 1.0
    assert (gap["known_s1"], gap["novel_s1"], gap["known_sn"], gap["novel_sn"]) == (4, 3, 2, 2)
    drift = {(r["problem"], r["value"]): r["count"] for r in report.drift}
    assert drift == {
        (FB, "none"): 2,
        (FB, "extraction"): 1,
        (FB, "return_type"): 1,
        (FB, "censored"): 1,
        (SV, "none"): 2,
        (SV, "semantic"): 2,
        (SV, "infra_error"): 1,
    }
    degradation = [(r["task"], r["cycle"], r["survival_rate"]) for r in report.degradation]
    assert degradation == [
        (FB, 1, 0.8),
        (FB, 2, 0.4),
        (FB, 3, 0.4),
        (SV, 1, 0.75),
        (SV, 2, 0.75),
        (SV, 3, 0.5),
    ]


def test_report_command_writes_every_artifact(logdir: Path, tmp_path: Path) -> None:
    pytest.importorskip("matplotlib", reason=EXTRA_REASON)
    out = tmp_path / "report"
    assert main(["report", str(logdir), "-o", str(out), "-q"]) == 0
    png = (out / "survival_curves.png").read_bytes()
    assert png.startswith(b"\x89PNG")
    assert len(list((out / "curves").glob("*.png"))) == 2
    spec_json = json.loads((out / "survival_curves.vl.json").read_text())
    assert spec_json["$schema"].startswith("https://vega.github.io/schema/vega-lite/")
    values = spec_json["data"]["values"]
    fb_points = sorted((v["cycle"], v["survival"]) for v in values if v["problem"] == FB)
    assert fb_points == [(0, 1.0), (1, 0.8), (2, 0.4), (3, 0.4)]
    html = (out / "survival_curves.html").read_text()
    assert "<script" not in html and "default-src 'none'" in html  # offline: no CDN, no script
    assert html.count("<svg") == 2 and html.count("<circle") == 8  # two panels, cycles 0..3 each
    with (out / "survival.csv").open() as fh:
        rows = {r["problem"]: r for r in csv.DictReader(fh)}
    assert rows[FB]["survival_at_n_k"] == "2" and rows[SV]["infra_errors"] == "1"
    summary = (out / "summary.md").read_text()
    assert "2/5 = 40.0% [11.8%, 76.9%]" in summary
    assert "Infrastructure errors (never counted in survival): 1" in summary
    assert "| pooled | 5 / 4 | 1.60 / 2.00 | -0.40 [" in summary
    assert "| @3: 2/5 / 2/4 | -0.10 [" in summary
    assert (out / "gap.md").read_text().count("| pooled |") == 1
    with (out / "degradation.csv").open() as fh:
        header = next(csv.reader(fh))
    assert header == ["model", "task", "language", "cycle", "survival_rate"]
    # the self-contained page (tests/analysis/test_html.py checks it in detail and in a browser)
    page = (out / "index.html").read_text()
    assert page.count("<svg") == 2 and "2/5 = 40.0% [11.8%, 76.9%]" in page
    with (out / "configurations.csv").open() as fh:
        [config] = list(csv.DictReader(fh))
    assert (config["trials"], config["evals"], config["problems"]) == ("10", "1", "2")
    assert json.loads(config["settings"])["cycles"] == 3


def test_configurations_are_never_pooled_but_seeds_are(tmp_path: Path) -> None:
    script = write(tmp_path / "replay.jsonl", script_lines())
    run_logs(tmp_path / "a", script)
    run_logs(tmp_path / "b", script, seed=7)  # a replicate: only the base seed differs
    run_logs(tmp_path / "c", script, temperature=0.2)  # another configuration
    trials, cycles, _ = load_rows(tmp_path, progress=False)
    report = build_report(trials, cycles, n_boot=200)
    fb = [r for r in report.survival if r["problem"] == FB]
    assert sorted((r["temperature"], r["trials"]) for r in fb) == [(0.2, 5), (0.7, 10)]


def test_empty_or_unreadable_directory_fails_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    assert main(["report", str(empty), "-o", str(tmp_path / "o"), "-q"]) != 0
    err = capsys.readouterr().err.strip()
    assert "no Inspect logs" in err and len(err.splitlines()) == 1
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "x.eval").write_bytes(b"not a zip")
    assert main(["report", str(broken), "-o", str(tmp_path / "o"), "-q"]) != 0
    err = capsys.readouterr().err.strip()
    assert "could be read" in err and len(err.splitlines()) == 1
    assert main(["report", str(tmp_path / "missing"), "-o", str(tmp_path / "o"), "-q"]) != 0
    with pytest.raises(LogReadError):
        load_rows(tmp_path / "missing", progress=False)


def test_peer_metrics_match_hand_calculation(logdir: Path) -> None:
    from roundtrip_eval.analysis.report import peer_rows

    trials, cycles, _ = load_rows(logdir, progress=False)
    by = by_problem(peer_rows(trials, cycles))
    # N = 3, n = min(5, 3) = 3. fizzbuzz cycles survived 3,1,3,0,1 (e4 extraction at 1, e5
    # censored after 1): ASL = (9+1+9+0+1) / (5 x 3); consistent and strong runs reach 3 in e1, e3.
    fb = by[FB]
    assert (fb["scored"], fb["max_loops"], fb["n"]) == (5, 3, 3)
    assert fb["asl"] == pytest.approx(20 / 15)
    assert (fb["sc_n"], fb["ssc_n"]) == (pytest.approx(2 / 5), pytest.approx(2 / 5))
    # separate_vowels: 0,3,2,(error, not scored),3 -> (0+9+4+9) / (4 x 3); runs reach 3 in e2, e5.
    sv = by[SV]
    assert sv["scored"] == 4 and sv["asl"] == pytest.approx(22 / 12)
    assert (sv["sc_n"], sv["ssc_n"]) == (pytest.approx(2 / 4), pytest.approx(2 / 4))


def test_peer_history_from_rows_is_what_the_scorer_counts(logdir: Path) -> None:
    """The rows give each trial the same loops / consistent / strong runs as the eval's own
    `peers` scorer computes from the sample's cycle history."""
    from inspect_ai.log import read_eval_log

    from roundtrip_eval.analysis.report import peer_history
    from roundtrip_eval.eval import peers
    from roundtrip_eval.eval.record import Trial
    from roundtrip_eval.eval.scorers import peers_value

    _, cycles, _ = load_rows(logdir, progress=False)
    [path] = list(logdir.glob("*.eval"))
    log = read_eval_log(str(path))
    compared = 0
    for sample in log.samples or []:
        rows = [c for c in cycles if c["sample_id"] == str(sample.id) and c["epoch"] == sample.epoch]
        history = peer_history(rows)
        expected = peers_value(Trial.read(sample.store).cycles, 3)
        got = {
            "loops": peers.sustained_loops(history),
            "consistent_run": peers.consistent_run(history),
            "strong_run": peers.strong_run(history),
            "max_loops": 3,
        }
        assert got == expected, (sample.id, sample.epoch)
        compared += 1
    assert compared == 10
