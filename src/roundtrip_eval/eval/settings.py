"""Every trial setting in one typed, frozen model: its default, allowed values and meaning.

The tasks build one `TrialSettings` from their `-T` arguments (`TrialSettings.from_task_args`),
the log metadata is its dump and the solver reads it. A bad value is refused with one line
naming the parameter, the value and what is allowed (a `SettingError`, which `inspect eval`
prints without a traceback). The README's parameter table and the tasks' Args docstrings are
rendered from the fields, so adding a setting is one field here (plus its use).
"""

from __future__ import annotations

import json
import typing
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator
from pydantic.config import JsonDict

from roundtrip_eval._inspect_private import OneLineError, sandbox_providers
from roundtrip_eval.check.host import CALL_TIMEOUT, CHECK_TIMEOUT
from roundtrip_eval.eval.prompts import STYLES
from roundtrip_eval.problems.names import closest

Language = Literal["en", "ja"]
"""The prompt languages (`roundtrip_eval.eval.prompts.LANGUAGES`; a test keeps the two equal)."""

SpecFormat = Literal["pseudocode", "prose", "s_expression", "minilang"]
"""What g writes (`roundtrip_eval.eval.prompts.SPEC_FORMATS`)."""

Extraction = Literal["tolerant", "strict", "first_fence"]
"""How code is taken from f's reply (`roundtrip_eval.eval.extract.MODES`)."""

Compare = Literal["typed", "evalplus"]
"""How outputs are held against C0's (`roundtrip_eval.check.compare.MODES`)."""

Start = Literal["code", "prompt"]
"""Where a chain starts: C0 -> spec (ours), or the problem's natural-language prompt -> code."""

PRESETS: dict[str, dict[str, Any]] = {
    "evalooop": {
        "start": "prompt",
        "attach_assert": True,
        "compare": "evalplus",
        "extraction": "first_fence",
        "temperature": 0.0,
        "epochs": 1,
        "cycles": 10,
        "prompt_style": "evalooop",
        "spec_gate": False,
    },
}
"""Named sets of settings (`-T preset=`); a setting given explicitly wins over its preset.
`evalooop`: EvaLooop's generation-summarisation loop (arXiv 2505.12185) as its code runs it: the
chain starts from the MBPP+ prompt, the prompt's `assert` line is re-attached to every spec,
EvalPlus's comparison, its first-fence extraction, greedy decoding, one chain per task, 10 loops.
Their two prompt texts are not shipped: they come from `-T prompts=DIR` as the `evalooop` style."""

MODEL_NAME: JsonDict = {"allowed": "a model name"}


class SettingError(OneLineError):
    """A task argument that cannot be used: one line naming it, its value and what is allowed.

    `inspect eval` prints it alone, without a traceback (it is a `PrerequisiteError`); Python
    callers catch it as the `ValueError` it also is.
    """


class TrialSettings(BaseModel):
    """The settings of one run: every trial in it uses the same ones.

    Numbers are strict (no bools, no numeric strings): `-T` values arrive YAML-parsed, so
    `-T cycles=3` is already an int while `-T cycles=yes` (a bool) or `cycles=2.5` is a mistake.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    cycles: int = Field(
        10, ge=1, strict=True, description="round trips per trial (N); survival@N is the headline metric"
    )
    language: Language = Field("en", description="prompt language")
    spec_format: SpecFormat = Field("pseudocode", description="what g writes")
    prompts: str | None = Field(
        None,
        description="a directory of user g/f templates, `<problem>/<language>/<spec_format>/"
        "{code_to_spec,spec_to_code}_<style>.prompt` (the original study's layout; docs/prompts.md); "
        "sent unchecked, so they may leak answers; none means our own templates",
        json_schema_extra={"allowed": "a directory"},
    )
    prompt_style: str = Field(
        "zero_shot",
        description="`zero_shot`, `fewshot` (one worked example of an unrelated function) or "
        "`guided` (problem-agnostic steps); with `prompts`, a style its file names provide, e.g. the "
        "study's `fewshot` or `hyper_guided`",
        json_schema_extra={"allowed": f"{', '.join(STYLES)}, or a style of the `prompts` directory"},
    )
    extraction: Extraction = Field(
        "tolerant",
        description="`tolerant` recovers code from chatty replies; "
        "`strict` takes the first complete fenced block only; `first_fence` is EvaLooop's rule "
        "(the first fenced block, else the whole reply)",
    )
    sandbox: str = Field(
        "roundtrip-docker",
        description="`roundtrip-docker` (ours, on the docker SDK, any engine ≥ 20.10), `docker` "
        "(Inspect's compose provider on the same image; Docker ≥ 24.0.6 + Compose ≥ 2.21), "
        "`local` (**unsandboxed**, warns loudly), or any registered provider",
        json_schema_extra={"allowed": "a registered sandbox provider"},
    )
    seed: int = Field(
        0, strict=True, description="base seed; each step's seed is derived from (seed, epoch, cycle, step)"
    )
    # 0 to 2 is the widest range the major APIs take (OpenAI, Gemini); a provider with a
    # narrower one (Anthropic: 0 to 1) refuses the rest itself, in its own words.
    temperature: float = Field(
        0.7,
        ge=0,
        le=2,
        strict=True,
        allow_inf_nan=False,
        description="for both g and f. 0 is greedy decoding (the peers' protocol); with one "
        "seed per epoch every epoch is then the same chain, so use it with `epochs=1`",
    )
    max_tokens: int = Field(1024, ge=1, strict=True, description="generation limit per step")
    epochs: int = Field(
        30, ge=1, strict=True, description="trials per problem, as in the original study (or `--epochs`)"
    )
    stop_on_failure: bool = Field(
        True,
        description="`false` keeps a chain going after a failure (recoveries, self-consistency); "
        "survival still counts from the first failure",
    )
    blame: int = Field(
        0,
        ge=0,
        strict=True,
        description="k > 0: probe the first failing cycle by the rule of docs/blame_rule.md (f k times "
        "from the failing spec and k times from the last spec whose code passed; g -> f k times where "
        "those cannot decide) and report the probes' pass rates (`unattributed`: the rule's `f` / `g` / "
        "`both` / `unclear` is recorded, not scored, until it is validated); `roundtrip-eval blame` "
        "does the same for a log run without it",
    )
    judge_model: str | None = Field(
        None,
        description="a model for the blame regenerations; none means the model under test",
        json_schema_extra=MODEL_NAME,
    )
    spec_model: str | None = Field(
        None,
        description="the model that writes the specs (g; Inspect model role `spec`); none means "
        "the model under test. With `code_model`: the g × f matrix",
        json_schema_extra=MODEL_NAME,
    )
    code_model: str | None = Field(
        None,
        description="the model that writes the code (f; Inspect model role `code`); none means "
        "the model under test",
        json_schema_extra=MODEL_NAME,
    )
    variant: str | None = Field(
        None,
        description="a variant the problem declares, e.g. `constants` (fizzbuzz with 4/7 and "
        "other words); expected outputs come from its reference",
        json_schema_extra={"allowed": "a variant the problems declare"},
    )
    mask_names: bool = Field(
        False, description="show the function as `func(arg0, ...)`, so a familiar name cannot cue recall"
    )
    compare: Compare = Field(
        "typed",
        description="`typed`: outputs must equal C0's with the same types (`1 != 1.0 != True`); "
        "`evalplus`: EvalPlus's rule (`==`, then `numpy.allclose` on the same type with the task's "
        "atol, its special oracles), to set results beside the peers' (docs/peers_mbpp.md)",
    )
    start: Start = Field(
        "code",
        description="`code`: cycle 1 is g on C0 then f; `prompt`: cycle 1 is f on the problem's "
        "natural-language prompt (EvaLooop's and IdentityChain's chain; problems with a prompt: "
        "mbpp_plus, humaneval_plus), later cycles g then f",
    )
    attach_assert: bool = Field(
        False,
        description="re-attach the prompt's `assert` line to every spec, as EvaLooop does: f "
        "gets the spec and that line wrapped in a docstring (MBPP+ problems)",
    )
    spec_gate: bool = Field(
        True,
        description="`true`: a spec that is the code itself (or empty) ends the chain as "
        "`spec_failure`, f is not asked; `false` sends it to f anyway, as EvaLooop does (the "
        "cycle still records `spec_leak`)",
    )
    preset: Literal["evalooop"] | None = Field(
        None,
        description="a named set of settings: `evalooop` = start=prompt, attach_assert=true, "
        "compare=evalplus, extraction=first_fence, temperature=0, epochs=1, cycles=10, "
        "prompt_style=evalooop, spec_gate=false (their prompt texts from `-T prompts=DIR`); "
        "explicit settings win",
        json_schema_extra={"allowed": "evalooop"},
    )
    call_timeout: float = Field(
        CALL_TIMEOUT,
        gt=0,
        strict=True,
        allow_inf_nan=False,
        description="seconds one call of the checked code may take before it counts as a timeout",
    )
    check_timeout: float = Field(
        CHECK_TIMEOUT,
        gt=0,
        strict=True,
        allow_inf_nan=False,
        description="seconds one whole check (every input, one exec) may take; "
        "the sandbox kills what is left",
    )
    static_screen: bool = Field(
        True,
        description="read each candidate's syntax tree on the host first: constructs that only "
        "serve to reach the trusted runner are `tampering` before anything runs "
        "(docs/static_screen.md); `false` leaves everything to the runner (to test it end to end)",
    )

    @field_validator("sandbox")
    @classmethod
    def _registered_sandbox(cls, name: str) -> str:
        known = sandbox_providers(name)
        if known is not None and name not in known:
            raise ValueError(f"must be a registered sandbox provider: {', '.join(known)}")
        return name

    @field_validator("prompts")
    @classmethod
    def _existing_directory(cls, directory: str | None) -> str | None:
        if directory is not None and not Path(directory).expanduser().is_dir():
            raise ValueError("no such directory (a relative path is read from the current directory)")
        return directory

    @field_validator("prompt_style")
    @classmethod
    def _known_style(cls, style: str, info: ValidationInfo) -> str:
        """Our styles, or any name when a `prompts` directory supplies it (checked at task build)."""
        if info.data.get("prompts") is None and "prompts" in info.data and style not in STYLES:
            raise ValueError(f"must be one of {', '.join(STYLES)} (other styles come with -T prompts=DIR)")
        return style

    @classmethod
    def from_task_args(
        cls, args: Mapping[str, Any], task: str = "roundtrip", selectors: Sequence[str] = ()
    ) -> TrialSettings:
        """Parse task arguments: YAML-parsed `-T` values from the CLI, or Python values.

        `selectors` are the task's own parameters (`problems`, `pairs`), named in the message
        for an unknown parameter.

        Raises:
            SettingError: one line naming the first bad parameter, its value and what is allowed.
        """
        preset = args.get("preset")
        if isinstance(preset, str) and preset in PRESETS:
            args = {**PRESETS[preset], **args}
            if args.get("prompts") is None:
                raise SettingError(
                    f"-T preset={preset} refused: it needs -T prompts=DIR holding EvaLooop's two "
                    "templates as DIR/en/pseudocode/spec_to_code_evalooop.prompt (their generation "
                    "prompt) and code_to_spec_evalooop.prompt (their summarisation prompt); "
                    "docs/peers_mbpp.md says how"
                )
        try:
            return cls(**args)
        except ValidationError as error:
            first = error.errors()[0]
            name = str(first["loc"][0]) if first["loc"] else "?"
            if first["type"] == "extra_forbidden":
                names = [*selectors, *cls.model_fields]
                near = closest(name, names)
                hint = f"did you mean {near}? " if near else ""
                reason = f"{task} has no such parameter ({hint}it takes {', '.join(names)})"
            elif first["type"] == "value_error":
                reason = str(first["ctx"]["error"])
            else:
                reason = f"must be {allowed(name)}"
            raise SettingError(f"-T {name}={shown(first['input'])} refused: {reason}") from None


def shown(value: Any) -> str:
    """A value as it was typed after `-T name=`: strings bare, anything else as JSON."""
    if isinstance(value, str) and value.strip():
        return value
    return json.dumps(value, default=str)


def allowed(name: str) -> str:
    """What a setting accepts, in words: `an integer >= 1`, `one of en, ja`, ..."""
    field = TrialSettings.model_fields[name]
    extra = field.json_schema_extra
    if isinstance(extra, dict) and "allowed" in extra:
        return str(extra["allowed"])
    annotation = field.annotation
    if typing.get_origin(annotation) is Literal:
        return "one of " + ", ".join(str(v) for v in typing.get_args(annotation))
    if annotation is bool:
        return "true or false"
    bounds: dict[str, Any] = {}
    for item in field.metadata:  # pydantic keeps `ge=1` as an annotated_types.Ge(ge=1), ...
        bounds.update({key: getattr(item, key) for key in ("ge", "gt", "le") if hasattr(item, key)})
    if annotation is int:
        return "an integer" + (f" >= {bounds['ge']}" if "ge" in bounds else "")
    if annotation is float and "ge" in bounds and "le" in bounds:
        return f"a number from {bounds['ge']} to {bounds['le']}"
    if annotation is float:
        return "a number" + (f" > {bounds['gt']}" if "gt" in bounds else "")
    return "a string"


def default_text(name: str) -> str:
    """A default as `-T` spells it: `10`, `en`, `true`, none."""
    value = TrialSettings.model_fields[name].default
    if value is None:
        return "none"
    return json.dumps(value) if isinstance(value, bool) else str(value)


def markdown_table() -> str:
    """The README's parameter table (between `<!-- parameters:start -->` and `:end -->`)."""
    lines = ["| parameter | default | allowed | meaning |", "|---|---|---|---|"]
    for name, field in TrialSettings.model_fields.items():
        default = default_text(name)
        lines.append(
            f"| `{name}` | {default if default == 'none' else f'`{default}`'} "
            f"| {allowed(name)} | {field.description} |"
        )
    return "\n".join(lines) + "\n"


def args_docstring(indent: str = "    ") -> str:
    """`name: description` lines for a `@task` docstring's Args section, one per setting."""
    return "\n".join(
        f"{indent}{name}: {field.description} (default {default_text(name)}; {allowed(name)})"
        for name, field in TrialSettings.model_fields.items()
    )
