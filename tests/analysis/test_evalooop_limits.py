"""`rescore-evalooop --time-rule`: the per-problem call limit of EvalPlus's rule, the refusal to
resume a folder under other limits, and the classifier's text under each rule (no Docker)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from roundtrip_eval.analysis.evalooop.checks import (
    LIMITS_FILE,
    VERDICTS,
    Limits,
    LimitsError,
    check_items,
    claim_limits,
)
from roundtrip_eval.analysis.evalooop.classify import LIMITS, classify
from roundtrip_eval.analysis.evalooop.tables import page

EVALPLUS = Limits(time_rule="evalplus")


@pytest.mark.parametrize(
    ("c0_seconds", "expected"),
    [(0.05, 1.0), (0.5, 1.0), (0.8, 1.6), (3.0, 6.0), (None, 2.0), (0.0, 2.0)],
)
def test_evalplus_rule_is_max_of_one_second_and_twice_c0(c0_seconds: float | None, expected: float) -> None:
    assert EVALPLUS.call_limit(c0_seconds) == pytest.approx(expected)
    # a problem without a measured time gets --call-timeout; the fixed rule ignores C0's time
    assert Limits(call_timeout=3.0, time_rule="evalplus").call_limit(None) == 3.0
    assert Limits(call_timeout=3.0).call_limit(c0_seconds) == 3.0


def test_an_unknown_rule_is_refused() -> None:
    with pytest.raises(ValueError, match="time rule 'peer'"):
        Limits(time_rule="peer")


def _verdict_line(out: Path) -> None:
    record = {"key": "k", "task": "Mbpp/1", "seconds": 0.1}
    (out / VERDICTS).write_text(json.dumps(record) + "\n", encoding="utf-8")


def test_a_fresh_folder_records_its_limits_and_refuses_others(tmp_path: Path) -> None:
    claim_limits(tmp_path, EVALPLUS)
    recorded = json.loads((tmp_path / LIMITS_FILE).read_text(encoding="utf-8"))
    assert recorded == {"time_rule": "evalplus", "call_timeout": 2.0, "check_timeout": 30.0}
    claim_limits(tmp_path, Limits(time_rule="evalplus"))  # the same limits: resumes
    for other in (Limits(), Limits(time_rule="evalplus", call_timeout=3.0), Limits(2.0, 10.0, "evalplus")):
        with pytest.raises(LimitsError, match="holds verdicts made under other limits") as raised:
            claim_limits(tmp_path, other)
        assert "time_rule evalplus" in str(raised.value) and "\n" not in str(raised.value)
    # the refusal comes before any verdict is appended (check_items, no sandbox needed)
    _verdict_line(tmp_path)
    before = (tmp_path / VERDICTS).read_text(encoding="utf-8")
    with pytest.raises(LimitsError):
        check_items([], {}, tmp_path, limits=Limits(), progress=False)
    assert (tmp_path / VERDICTS).read_text(encoding="utf-8") == before


def test_a_folder_from_before_the_record_is_read_as_fixed_2_and_30(tmp_path: Path) -> None:
    _verdict_line(tmp_path)
    with pytest.raises(LimitsError, match=r"time_rule fixed, call_timeout 2.0, check_timeout 30.0"):
        claim_limits(tmp_path, EVALPLUS)
    assert not (tmp_path / LIMITS_FILE).exists()
    claim_limits(tmp_path, Limits())
    assert json.loads((tmp_path / LIMITS_FILE).read_text(encoding="utf-8"))["time_rule"] == "fixed"
    with pytest.raises(LimitsError):
        claim_limits(tmp_path, Limits(call_timeout=1.0))


def test_an_unreadable_limits_record_is_refused(tmp_path: Path) -> None:
    (tmp_path / LIMITS_FILE).write_text("[1, 2]", encoding="utf-8")
    with pytest.raises(LimitsError, match="not a limits record"):
        claim_limits(tmp_path, Limits())


def _timeout_record() -> dict[str, object]:
    ours = {
        "passed": False,
        "category": "timeout",
        "detail": "timeout: f(10) timed out",
        "failures": [],
        "n_inputs": 100,
        "decided_by": "runner",
    }
    return {"evalplus": ours, "typed": ours, "seconds": 1.2}


def test_the_classifier_names_the_limits_used() -> None:
    record, c0 = _timeout_record(), {"passed": True, "category": "none"}
    fixed = classify("m", "Mbpp/1", 1, True, record, "x", c0, 0.3, limits=Limits().text(0.3))
    assert fixed.cls == "timeout" and "our limits were 2 s per call and 30 s per check" in fixed.detail
    assert Limits().text(0.3) == LIMITS  # the default's text is the module's
    peer = classify("m", "Mbpp/1", 1, True, record, "x", c0, 0.8, limits=EVALPLUS.text(0.8))
    assert peer.cls == "timeout"
    assert "our limit was max(1 s, 2 x C0's time) = 1.60 s per call, 30 s per check" in peer.detail
    # a problem without C0's time falls back to --call-timeout, and says so
    assert "our limits were 2 s per call" in EVALPLUS.text(None)
    # they failed it, we passed it slowly: the detail names our limits too; the class is kept
    passed = {**record, "evalplus": {**record["evalplus"], "passed": True, "category": "none"}}  # type: ignore[dict-item]
    slow = classify("m", "Mbpp/1", 2, False, passed, "x", c0, 0.05, limits=EVALPLUS.text(0.05))
    assert slow.cls == "timeout" and "= 1.00 s per call" in slow.detail


def test_the_page_states_the_time_rule() -> None:
    totals = {"models": 0, "functions": 0, "distinct": 0, "reproduced": 0, "agree": 0, "agreement": 1.0}
    fixed = page([], {**totals, "classes": {}, "limits": Limits().record()})
    assert "fixed limits: 2 s per call, 30 s per check" in fixed
    peer = page([], {**totals, "classes": {}, "limits": EVALPLUS.record()})
    assert "EvalPlus&#x27;s time rule: max(1 s, 2 x C0&#x27;s measured time" in peer


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        ([], Limits()),
        (["--time-rule", "evalplus"], Limits(time_rule="evalplus")),
        (["--time-rule", "fixed", "--call-timeout", "3"], Limits(call_timeout=3.0)),
    ],
)
def test_the_command_line_passes_the_time_rule(
    argv: list[str], expected: Limits, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from roundtrip_eval import cli
    from roundtrip_eval.analysis.evalooop import run

    seen: list[Limits] = []

    def fake(data: Path, out: Path, **kwargs: Any) -> str:
        seen.append(kwargs["limits"])
        return "done"

    monkeypatch.setattr(run, "run_rescore_evalooop", fake)
    assert cli.main(["rescore-evalooop", "-o", str(tmp_path), "-q", "--no-c0-cache", *argv]) == 0
    assert seen == [expected]


def test_the_command_line_refuses_an_unknown_rule(capsys: pytest.CaptureFixture[str]) -> None:
    from roundtrip_eval import cli

    with pytest.raises(SystemExit):
        cli.main(["rescore-evalooop", "-o", "x", "--time-rule", "peer"])
    assert "invalid choice: 'peer'" in capsys.readouterr().err
