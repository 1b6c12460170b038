"""The blame rule of docs/blame_rule.md (eval/blame.py): each branch, the probes' order and cost."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from roundtrip_eval.eval.blame import Outcome, decide, describe, headline, probe_target, run_probes
from roundtrip_eval.eval.record import Attempt, Blame, CheckRecord, Cycle

FAIL = "semantic: fizzbuzz(0) expected 'FizzBuzz' (str), got 0 (int)"
OTHER = "signature: no function fizzbuzz() (defined: FizzBuzz)"


def tries(passes: int, k: int = 3, failing: str = FAIL) -> list[Outcome]:
    return [Outcome(True, "passed")] * passes + [Outcome(False, failing)] * (k - passes)


@pytest.mark.parametrize(
    ("f", "e", "g", "verdict"),
    [
        (tries(1), tries(2), None, "f"),  # one pass in three: the spec carries it
        (tries(3), tries(3), None, "f"),
        (tries(1), tries(0), tries(0), "f"),  # a bad control does not stop an f verdict
        (tries(1), tries(3), None, "unclear"),  # works, but 1/3 against 3/3: ambiguous or misread
        (tries(2), tries(3), None, "f"),
        (tries(0), tries(2), None, "g"),  # E works, F never: the spec is the difference
        (tries(0), None, tries(3), "g"),  # cycle 1: G is the control
        (tries(0), tries(1), tries(2), "g"),  # E too weak, G decides
        (tries(0), tries(1), tries(1), "unclear"),  # no working control
        (tries(0), None, tries(0), "unclear"),
        (tries(0, failing=OTHER), tries(3), None, "both"),  # F fails alike, not as C(i) did
        (tries(1, k=5), tries(5, k=5), None, "unclear"),  # 1/5 < 1/3: too few passes
    ],
)
def test_decide_follows_the_written_rule(
    f: list[Outcome], e: list[Outcome] | None, g: list[Outcome] | None, verdict: str
) -> None:
    got, reason = decide(FAIL, f, e, g)
    assert got == verdict, reason
    assert reason.startswith(f"f passed {sum(t.passed for t in f)}/{len(f)} from the failing spec")


def test_both_needs_a_majority_of_one_other_failure() -> None:
    scattered = [Outcome(False, OTHER), Outcome(False, "crash: x"), Outcome(False, FAIL)]
    assert decide(FAIL, scattered, tries(3), None)[0] == "g"  # a spec that omits: each try guesses
    alike = [Outcome(False, OTHER), Outcome(False, OTHER), Outcome(False, FAIL)]
    assert decide(FAIL, alike, tries(3), None)[0] == "both"
    with pytest.raises(ValueError, match="at least one try"):
        decide(FAIL, [], None, None)


def test_headline_drops_the_count_and_keeps_the_first_failure() -> None:
    check = CheckRecord(passed=False, category="semantic", detail=FAIL + "; 9/150 inputs differ")
    record = Cycle(cycle=1, passed=False, category="boundary", detail="boundary: rewritten by drift",
                   check=check)  # fmt: skip
    assert headline(record) == FAIL
    extraction = Attempt(passed=False, category="extraction", detail="extraction: x (rule)")
    assert headline(extraction) == "extraction"
    passed = CheckRecord(passed=True, category="none", detail="")
    assert headline(Cycle(cycle=1, passed=True, check=passed)) == "passed"


def test_probe_target_is_the_first_failure_with_a_spec() -> None:
    ok = Cycle(cycle=1, passed=True, spec="s")
    assert probe_target([ok]) == (None, "no failing cycle")
    assert probe_target([ok, Cycle(cycle=2, passed=False, spec="t", spec_leak=False)])[0] == 2
    leak = Cycle(cycle=2, passed=False, spec="def f(): ...", spec_leak=True)
    cycle, why = probe_target([ok, leak, Cycle(cycle=3, passed=False, spec="u")])
    assert cycle is None and "spec_failure" in why


def _script(f_results: dict[str, list[bool]]) -> tuple[Any, Any, list[str]]:
    calls: list[str] = []

    async def f_try(spec: str, seed: int) -> Attempt:
        calls.append(f"f:{spec}")
        passed = f_results[spec].pop(0)
        category = "none" if passed else "semantic"
        return Attempt(passed=passed, category=category, detail="x" if passed else FAIL, code="c")

    async def g_write(code: str, seed: int) -> str | None:
        calls.append(f"g:{code}")
        return "fresh"

    return f_try, g_write, calls


def test_run_probes_skips_g_where_f_and_e_decide(monkeypatch: pytest.MonkeyPatch) -> None:
    import roundtrip_eval.eval.blame as blame

    monkeypatch.setattr(blame, "ATTRIBUTES", True)  # the rule's own line, as a record keeps it
    failing = Cycle(cycle=2, passed=False, spec="s2", code="c2", category="semantic", detail=FAIL)
    history = [Cycle(cycle=1, passed=True, spec="s1", code="c1"), failing]
    f_try, g_write, calls = _script({"s2": [False] * 3, "s1": [True, True, False]})
    record = asyncio.run(run_probes(history, 2, "c0", 3, f_try, g_write, lambda s: 0, "m"))
    assert record.verdict == "g" and record.fresh is None
    assert calls == ["f:s2"] * 3 + ["f:s1"] * 3  # 6 generations, no g
    assert record.earlier_pass_rate == pytest.approx(2 / 3) and record.from_spec_pass_rate == 0
    assert record.from_spec[0].headline == FAIL and record.rule is not None
    stored = record.stored()  # the log's form: E and F kept, G absent as null, replies never
    assert stored["fresh"] is None and "spec" not in stored["from_spec"][0]
    assert Blame.model_validate(stored) == record
    shown = "cycle 2: g: f passed 0/3 from the failing spec, 2/3 from the earlier spec"
    assert describe(record).startswith(shown)


def test_run_probes_runs_g_at_cycle_one_from_c0() -> None:
    history = [Cycle(cycle=1, passed=False, spec="s1", code="c1", category="semantic", detail=FAIL)]
    f_try, g_write, calls = _script({"s1": [False] * 2, "fresh": [False, False]})
    seeds: list[str] = []
    record = asyncio.run(run_probes(history, 1, "c0", 2, f_try, g_write, lambda s: seeds.append(s) or 0, "m"))
    assert calls == ["f:s1", "f:s1", "g:c0", "f:fresh", "g:c0", "f:fresh"]
    assert seeds == ["blame_f0", "blame_f1", "blame_g0", "blame_gf0", "blame_g1", "blame_gf1"]
    assert record.verdict == "unclear" and record.earlier is None
    assert record.fresh is not None and record.fresh[0].spec == "fresh"


def test_the_fallback_stops_naming_a_step(monkeypatch: pytest.MonkeyPatch) -> None:
    import roundtrip_eval.eval.blame as blame

    assert blame.ATTRIBUTES is False  # the rule missed its target on the fresh set: no step named
    record = Blame(cycle=2, k=3, model="m", verdict="g", reason="r", from_spec_pass_rate=0.0,
                   earlier_pass_rate=1.0, fresh_pass_rate=None)  # fmt: skip
    monkeypatch.setattr(blame, "ATTRIBUTES", True)
    assert blame.shown_verdict(record.verdict) == "g" and blame.describe(record) == "cycle 2: g: r"
    monkeypatch.setattr(blame, "ATTRIBUTES", False)
    assert blame.shown_verdict(record.verdict) == "unattributed"
    assert blame.shown_verdict("none") == "none"
    assert blame.describe(record) == (
        "cycle 2: f passed from the failing spec 0%, from the earlier spec 100%; blame does not "
        "name a step (the rule missed its validation target, docs/blame_rule.md)")
