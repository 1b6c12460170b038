"""The trial's record: one `Cycle` per round trip, and the `Trial` the sample store holds.

Why one typed model: the solver writes it, and the scorers, the drift evidence, the peers'
metrics, the analysis rows and the rescoring of the original study read it; each used to read
a dict by string key, and the schema lived in a consumer. Now every reader reads these fields,
and the export's cycle columns derive from `Cycle` (analysis/columns.py).

How it is stored: as plain JSON under the store keys the logs have always used, `cycles` (the
list of cycle records) and `blame`. Not as an Inspect `StoreModel`: that would store each field
under a namespaced key (`Trial:cycles`), so the logs written so far would no longer load and the
viewer's store tab would change. `Trial.read` validates what a log or a live store holds (old
logs included: every field a record may lack has a default, and keys this model does not name are
kept, `extra="allow"`); `Trial.write_cycles` dumps only the fields the solver set
(`exclude_unset`), so a record in the log has exactly the keys it had before the model existed.

Words (the glossary's): a **cycle** is one round trip, spec(i) = g(C(i-1)), C(i) = f(spec(i)),
then the check of C(i). The **`cycles` setting** (`-T cycles`) is N, the cycles a trial is asked
to run. **`Trial.cycles`** (the store's `cycles`) is the list of cycle records the trial
completed, at most N (fewer when it stopped at a failure, a limit or an error). The metrics
name what they count: `cycles_survived` (the largest k such that cycles 1..k all passed) and
`cycles_consistent` (the same for behaving like the cycle before); none is called `cycles`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from inspect_ai.util import Store
from pydantic import BaseModel, ConfigDict, Field

CYCLES_KEY = "cycles"
"""The store key of the cycle records (`Trial.cycles`), as every log so far has it."""

BLAME_KEY = "blame"
"""The store key of the blame result (`Trial.blame`), set only with `-T blame=k`."""


class _Stored(BaseModel):
    """A stored part of the record: unknown keys are kept (old or newer logs), never refused."""

    model_config = ConfigDict(extra="allow")

    def stored(self) -> dict[str, Any]:
        """The JSON the store holds: only the fields that were set, so logs keep their keys."""
        return self.model_dump(exclude_unset=True)


class TokenUsage(_Stored):
    """The tokens of one generation step (empty when the provider reported none)."""

    input_tokens: int | None = None
    output_tokens: int | None = None


class CheckRecord(_Stored):
    """A check's verdict as stored in a cycle: the fields of `check.host.CheckResult`."""

    passed: bool
    category: str
    detail: str
    n_inputs: int = 0
    n_failed: int = 0
    failures: list[dict[str, Any]] = Field(default_factory=list)  # smallest first, at most 5
    failed_classes: dict[str, int] = Field(default_factory=dict)
    behaviour: str = ""  # hash of every outcome: equal hashes = identical behaviour
    output_head: str = ""
    seconds: float = 0.0
    sandbox_note: str = ""  # set when the check ran in a fresh sandbox, and why
    decided_by: str = "runner"  # "screen": the host's static screen decided, nothing was run


class Evidence(_Stored):
    """What backs a failing cycle's drift category (eval/drift.py `evidence`)."""

    changed_classes: list[str] = Field(default_factory=list)
    spec_diff: dict[str, Any] = Field(default_factory=dict)
    input: Any = None
    expected: Any = None
    actual: Any = None


class Cycle(_Stored):
    """One cycle of one trial: g's spec, f's code, the check's verdict and the change measures.

    `passed` is the verdict of this cycle alone; whether the trial *survived* it is whether
    every cycle up to it passed. `category` is `none` for a pass, else the drift category;
    `consistent` is whether the code behaved exactly like the previous cycle's (C0 for cycle 1)
    on every input, right or wrong. Fields that a cycle does not reach stay unset (None): no
    code without a spec, no check without code.
    """

    cycle: int
    spec: str | None = None
    spec_rule: str | None = None
    spec_leak: bool = False
    code: str | None = None
    extraction_rule: str | None = None
    passed: bool = False
    category: str | None = None
    detail: str | None = None
    seeds: dict[str, int] = Field(default_factory=dict)  # step ("g", "f") -> its derived seed
    spec_reply: str | None = None
    code_reply: str | None = None
    usage: dict[str, TokenUsage] = Field(default_factory=dict)  # step -> tokens
    check: CheckRecord | None = None
    fixed_point: bool | None = None  # code identical to the previous cycle's (normalised AST)
    similarity_to_c0: float | None = None
    spec_similarity: float | None = None  # to the previous cycle's spec
    behaviour: str | None = None
    consistent: bool | None = None
    evidence: Evidence | None = None
    seconds: float | None = None

    def extra(self) -> dict[str, Any]:
        """Keys this model does not name (an older or newer log's): kept as they were."""
        return dict(self.model_extra or {})


class Attempt(_Stored):
    """One blame regeneration: f on a spec, then a check (`brief` form: no replies)."""

    passed: bool = False
    category: str | None = None
    detail: str | None = None
    extraction_rule: str | None = None
    code: str | None = None
    spec: str | None = None  # set on a fresh g->f try: the spec g wrote (None: g gave none)
    headline: str | None = None  # how it failed, comparable across tries (eval/blame.py)


class Blame(_Stored):
    """Who broke the chain at its first failing cycle (`-T blame=k`, `roundtrip-eval blame`).

    `verdict` is f/g/both/unclear, decided by `rule` (eval/blame.py, docs/blame_rule.md) for the
    `reason` it gives. Probes: F (`from_spec`, f on the failing spec), E (`earlier`, f on the spec
    before it; None at cycle 1) and G (`fresh`, g->f from the last passing code; None where F and
    E decided). Records written before that rule have no `rule`, `reason` or `earlier`, and always
    a `fresh` list: they load as they are.
    """

    cycle: int
    k: int
    model: str
    from_spec_pass_rate: float
    fresh_pass_rate: float | None = None
    verdict: str
    rule: str | None = None
    reason: str | None = None
    failing_headline: str | None = None
    earlier_pass_rate: float | None = None
    reused_tries: int = 0
    from_spec: list[Attempt] = Field(default_factory=list)
    earlier: list[Attempt] | None = None
    fresh: list[Attempt] | None = None


class Trial(BaseModel):
    """What one trial (sample x epoch) stores: its cycle records and, with blame, the blame."""

    cycles: list[Cycle] = Field(default_factory=list)
    blame: Blame | None = None

    @classmethod
    def read(cls, store: Store | Mapping[str, Any] | None) -> Trial:
        """The trial a store holds (a live `store()`, or a log sample's `store` dict)."""
        store = store if store is not None else {}
        blame = store.get(BLAME_KEY)
        return cls(
            cycles=[Cycle.model_validate(r) for r in store.get(CYCLES_KEY) or []],
            blame=Blame.model_validate(blame) if blame else None,
        )

    @staticmethod
    def stored_cycles(cycles: list[Cycle]) -> list[dict[str, Any]]:
        """The JSON list the store keeps under `cycles`."""
        return [c.stored() for c in cycles]

    def first_failure(self) -> Cycle | None:
        """The first cycle that did not pass (None when every recorded cycle passed)."""
        return next((c for c in self.cycles if not c.passed), None)

    def cycles_survived(self) -> int:
        """The largest k such that cycles 1..k all passed."""
        return leading_run(self.cycles, "passed")


def leading_run(cycles: Sequence[Cycle], *fields: str) -> int:
    """The largest k such that cycles 1..k all have every one of `fields` true."""
    k = 0
    for record in cycles:
        if not all(getattr(record, f) for f in fields):
            break
        k += 1
    return k
