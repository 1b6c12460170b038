"""Who broke a chain at its first failing cycle: g (the spec lost it), f, both, or unclear.

One rule, written down before it was scored (docs/blame_rule.md), used by `-T blame=k` inside an
eval and by `roundtrip-eval blame` on any log. Probes hold one step fixed: f is asked k times from
the failing spec (F) and k times from the last spec whose code passed (E); g -> f is redone from
the last passing code (G) only where F and E cannot decide (cycle 1, or F = 0 with E <= 1/2).
`decide` is the pure rule on the probes' outcomes; `run_probes` runs them with the caller's f and
g steps, so the eval's solver and the command share every line of it. Both read and write the
trial's typed record (eval/record.py): the history is `Cycle`s, each try an `Attempt`, the result
a `Blame`; `LOGGED_KEY`/`Logged` is the one form in which the command hands a logged trial over.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Protocol

from pydantic import BaseModel, Field

from roundtrip_eval.eval.record import Attempt, Blame, CheckRecord, Cycle

RULE = "docs/blame_rule.md (2026-12-07)"
"""Which rule a record was decided by; a changed rule gets a new date there and here."""

LOGGED_KEY = "blame_of"
"""Sample metadata of `roundtrip-eval blame`: a logged trial (`Logged`) to probe, not run."""

SPEC_HOLDS = Fraction(1, 3)
"""F at or above this: the failing spec carries what f needs (a full, type-exact pass)."""

WORKS = Fraction(1, 2)
"""A control (E or G) above this shows f succeeds when the information is in the spec."""

GAP = Fraction(1, 3)
"""F may trail the control by less than this and still count as working as well as it."""

ATTRIBUTES = False
"""Whether the blame score names a step. False: the rule missed its target (precision >= 85% at
coverage >= 50%) on the fresh blind set (docs/blame_rule.md, results), so the score reports the
probes' pass rates only (`unattributed`); the records keep the rule's verdict for a later
validation, for example with a stronger judge."""


class Checked(Protocol):
    """What a probe try or a cycle tells the rule: the solver's `FResult`, a `Cycle`, an `Attempt`."""

    @property
    def passed(self) -> bool: ...
    @property
    def category(self) -> str | None: ...
    @property
    def detail(self) -> str | None: ...
    @property
    def extraction_rule(self) -> str | None: ...
    @property
    def code(self) -> str | None: ...


FTry = Callable[[str, int], Awaitable[Checked]]
"""f on a spec with a seed, then a check (the solver's `FResult`, with `check` when code was found)."""

GWrite = Callable[[str, int], Awaitable[str | None]]
"""g on code with a seed: the spec, or None when it is empty or is the code itself."""


class Logged(BaseModel):
    """A logged trial `roundtrip-eval blame` hands the solver (metadata[LOGGED_KEY]): probed, not run."""

    sample_id: str
    epoch: int
    cycles: list[Cycle]
    known: dict[str, Attempt] = Field(default_factory=dict)  # tries already made (`known_tries`)

    def metadata(self) -> dict[str, Any]:
        """The JSON the sample metadata holds (cycles with only the keys their log had)."""
        return {"sample_id": self.sample_id, "epoch": self.epoch,
                "cycles": [c.stored() for c in self.cycles],
                "known": {step: a.stored() for step, a in self.known.items()}}  # fmt: skip


@dataclass(frozen=True)
class Outcome:
    """One probe try as the rule sees it: did it pass, and how did it fail."""

    passed: bool
    headline: str


_COUNT = re.compile(r"; \d+/\d+ inputs differ$")


def headline(record: Checked) -> str:
    """How a check failed, comparable across tries: the check's category and first detail,
    without the count of inputs that differ (the smallest failing input, expected and actual)."""
    check: CheckRecord | None = getattr(record, "check", None)
    if record.passed:
        return "passed"
    category = str((check.category if check else None) or record.category or "")
    if category in ("extraction", "spec_failure"):
        return category  # the detail only names the extraction rule that gave up
    detail = str((check.detail if check else None) or record.detail or "")
    return _COUNT.sub("", detail) or category


def _rate(tries: Sequence[Outcome] | None) -> Fraction | None:
    if not tries:
        return None
    return Fraction(sum(t.passed for t in tries), len(tries))


def _shown(tries: Sequence[Outcome]) -> str:
    return f"{sum(t.passed for t in tries)}/{len(tries)}"


def decide(
    failing: str,
    from_spec: Sequence[Outcome],
    earlier: Sequence[Outcome] | None,
    fresh: Sequence[Outcome] | None,
) -> tuple[str, str]:
    """The verdict (`f`, `g`, `both`, `unclear`) and its one-line reason, by docs/blame_rule.md.

    `failing` is the failing code's headline; `earlier` is None at cycle 1 (no spec before C0),
    `fresh` None where G was not run."""
    f_rate = _rate(from_spec)
    if f_rate is None:
        raise ValueError("blame needs at least one try from the failing spec")
    e_rate, g_rate = _rate(earlier), _rate(fresh)
    control: tuple[str, Sequence[Outcome], Fraction] | None = None
    if earlier and e_rate is not None and e_rate > WORKS:
        control = ("the earlier spec", earlier, e_rate)
    elif fresh and g_rate is not None:
        control = ("fresh g->f", fresh, g_rate)
    elif earlier and e_rate is not None:
        control = ("the earlier spec", earlier, e_rate)
    seen = f"f passed {_shown(from_spec)} from the failing spec"
    if control is not None:
        seen += f", {_shown(control[1])} from {control[0]}"
    if f_rate >= SPEC_HOLDS:
        if control is None or f_rate >= control[2] - GAP:
            return "f", f"{seen}: the spec carries what was needed and f departed from it"
        worse = f"the spec works, but markedly worse than {control[0]} (ambiguous, or misread)"
        return "unclear", f"{seen}: {worse}"
    if f_rate > 0:
        return "unclear", f"{seen}: too few passes to say the spec carries it"
    if control is None or control[2] <= WORKS:
        blind = "f fails even where the information is there, so this says nothing of the spec"
        return "unclear", f"{seen}: {blind}"
    common, count = Counter(t.headline for t in from_spec).most_common(1)[0]
    if count * 2 > len(from_spec) and common != failing:
        return "both", (
            f"{seen}; {count}/{len(from_spec)} tries from the failing spec fail alike ({common[:80]}) "
            "where the failing code failed otherwise: the spec is wrong and f departed from it too"
        )
    return "g", f"{seen}: the failing spec lost what f needed"


def probe_target(history: Sequence[Cycle]) -> tuple[int | None, str]:
    """The first failing cycle to probe, or None with why not (no failure; no spec to redo)."""
    failure = next((r for r in history if not r.passed), None)
    if failure is None:
        return None, "no failing cycle"
    if not failure.spec or failure.spec_leak:
        return None, "the first failure is a spec_failure (no spec to regenerate from): g's by definition"
    return failure.cycle, ""


def _kept(result: Checked, spec: str | None = None, with_spec: bool = False) -> Attempt:
    """A try as the log keeps it: the verdict and the code, not the replies."""
    kept = Attempt(passed=result.passed, category=result.category, detail=result.detail,
                   extraction_rule=result.extraction_rule, code=result.code,
                   headline=getattr(result, "headline", None) or headline(result))  # fmt: skip
    if with_spec:
        kept.spec = spec
    return kept


def known_tries(record: Blame | None, k: int) -> dict[str, Attempt]:
    """The tries a logged blame record already holds, by step name, for `run_probes` to reuse.

    Same names as the seeds (`blame_f{j}`, `blame_e{j}`, `blame_g{j}` with the spec g wrote,
    `blame_gf{j}`), so a reused try is the one this run would have made with the same model.
    Records of the rule before docs/blame_rule.md hold F and G (`fresh`), not E."""
    if record is None:
        return {}
    known: dict[str, Attempt] = {}
    for j, tried in enumerate(record.from_spec[:k]):
        known[f"blame_f{j}"] = tried.model_copy()
    for j, tried in enumerate((record.earlier or [])[:k]):
        known[f"blame_e{j}"] = tried.model_copy()
    for j, tried in enumerate((record.fresh or [])[:k]):
        known[f"blame_g{j}"] = Attempt(spec=tried.spec)
        if tried.category != "spec_failure":
            known[f"blame_gf{j}"] = tried.model_copy()
    return known


def _outcomes(tries: Sequence[Attempt] | None) -> list[Outcome] | None:
    return None if tries is None else [Outcome(t.passed, t.headline or headline(t)) for t in tries]


async def run_probes(
    history: Sequence[Cycle],
    cycle: int,
    reference: str,
    k: int,
    f_try: FTry,
    g_write: GWrite,
    seed: Callable[[str], int],
    model: str,
    known: Mapping[str, Attempt] | None = None,
) -> Blame:
    """Probe the failing `cycle` of `history` with k tries each (F, E, then G where needed)
    and decide. `seed(step)` gives each try's seed; `model` names who answered the probes;
    `known` holds tries already made by step name (`known_tries`), which are not made again."""
    if k < 1:
        raise ValueError(f"blame needs k >= 1 tries per probe, got {k}")
    known = known or {}
    reused = 0

    async def f_step(step: str, spec: str) -> Attempt:
        nonlocal reused
        if step in known:
            reused += 1
            return _kept(known[step])
        return _kept(await f_try(spec, seed(step)))

    async def g_step(step: str, code: str) -> str | None:
        if step in known:
            return known[step].spec
        return await g_write(code, seed(step))

    failing = history[cycle - 1]
    before = history[cycle - 2] if cycle >= 2 else None
    last_code = str(before.code) if before is not None else reference
    from_spec = [await f_step(f"blame_f{j}", str(failing.spec)) for j in range(k)]
    earlier = None
    if before is not None and before.spec:
        earlier = [await f_step(f"blame_e{j}", before.spec) for j in range(k)]
    fresh: list[Attempt] | None = None
    f_none = not any(t.passed for t in from_spec)
    if earlier is None or (f_none and Fraction(sum(t.passed for t in earlier), k) <= WORKS):
        fresh = []
        for j in range(k):
            spec = await g_step(f"blame_g{j}", last_code)
            if spec is None:  # empty, or the code itself: f is not asked
                gave_up = Attempt(passed=False, category="spec_failure", headline="spec_failure")
                fresh.append(_kept(gave_up, None, with_spec=True))
            else:
                fresh.append(_kept(await f_step(f"blame_gf{j}", spec), spec, with_spec=True))
    failing_headline = headline(failing)
    outcomes = _outcomes(from_spec) or []
    verdict, reason = decide(failing_headline, outcomes, _outcomes(earlier), _outcomes(fresh))

    def rate(tries: list[Attempt] | None) -> float | None:
        return None if tries is None else sum(t.passed for t in tries) / len(tries)

    return Blame(
        rule=RULE,
        cycle=cycle,
        k=k,
        model=model,
        verdict=verdict,
        reason=reason,
        failing_headline=failing_headline,
        from_spec_pass_rate=rate(from_spec) or 0.0,
        earlier_pass_rate=rate(earlier),
        fresh_pass_rate=rate(fresh),
        reused_tries=reused,
        from_spec=from_spec,
        earlier=earlier,
        fresh=fresh,
    )


def shown_verdict(verdict: str) -> str:
    """The verdict a score or a report shows: the rule's, or `unattributed` (see ATTRIBUTES)."""
    return verdict if ATTRIBUTES or verdict == "none" else "unattributed"


def describe(record: Blame) -> str:
    """The viewer's one line: the verdict and what the probes found."""
    if not ATTRIBUTES and record.verdict != "none":
        rates = ", ".join(f"{name} {rate:.0%}" for name, rate in (
            ("from the failing spec", record.from_spec_pass_rate),
            ("from the earlier spec", record.earlier_pass_rate),
            ("fresh g->f", record.fresh_pass_rate)) if rate is not None)  # fmt: skip
        return (f"cycle {record.cycle}: f passed {rates}; blame does not name a step "
                "(the rule missed its validation target, docs/blame_rule.md)")  # fmt: skip
    reason = record.reason
    if reason is None:  # a record of the rule before docs/blame_rule.md
        reason = (f"{record.from_spec_pass_rate} of tries from the failing spec passed, "
                  f"{record.fresh_pass_rate} of fresh g->f (old rule, not validated)")  # fmt: skip
    return f"cycle {record.cycle}: {record.verdict}: {reason}"
