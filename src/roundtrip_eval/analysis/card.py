"""The dataset card `export` writes beside the rows: README.md in the Hugging Face datasets convention.

Why: a folder of `trials.*` and `cycles.*` is publishable only if a reader can tell what each
column means, where the rows came from and under which licence. The card says so in the form
the Hugging Face Hub reads (YAML front matter with `license`, `task_categories`, `configs` /
`data_files`, `pretty_name`, ...; see the Hub's "Dataset Cards" and "Manual Configuration"
pages), then in prose: the files, every column with its type and meaning, the provenance (logs,
versions, configurations) and the licence.

Every column in columns.py must have a meaning here (the tests check it), so a new column
cannot be exported undocumented.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from importlib import metadata
from typing import Any

from roundtrip_eval.analysis.columns import CYCLE_TYPES, TRIAL_TYPES, Row
from roundtrip_eval.analysis.rows import config_of

LICENSE = "apache-2.0"
"""The package's licence, which covers what it wrote: prompts, problems, checks, verdicts."""

TYPE_NAMES = {
    "str": "string",
    "int": "int64",
    "float": "float64",
    "bool": "bool",
    "json": "json",
}

_CONFIG_MEANING = {
    "language": "prompt language (`en`, `ja`)",
    "spec_format": "what g writes: prose, pseudocode, s_expression, minilang",
    "extraction": "code extraction: `tolerant` (recovers code from chatty replies) or `strict`",
    "cycles": "N, the number of code -> spec -> code cycles a trial may survive",
    "temperature": "the task's sampling temperature",
    "max_tokens": "the task's output token limit per generation",
    "prompt_set_version": "version of the prompt set (the prompts' content hash is part of it)",
    "sandbox": "sandbox provider the checks ran in (`roundtrip-docker`, `docker`, `local`, ...)",
    "stop_on_failure": "whether a trial stopped at its first failing cycle",
    "mask_names": "whether identifiers were masked in what g sees",
    "variant": "problem variant, if any",
    "compare": "how outputs were compared with C0's: `typed` (type-exact) or `evalplus` (EvalPlus's rule)",
    "start": "where a chain started: `code` (C0 -> spec) or `prompt` (the problem's prompt -> code)",
    "attach_assert": "whether the prompt's assert line was re-attached to every spec (EvaLooop)",
}

TRIAL_MEANING: dict[str, str] = {
    "source": "the log file the row was read from, relative to the folder exported",
    "eval_id": "Inspect's id of the eval (one log)",
    "run_id": "Inspect's id of the eval run (several evals can share one)",
    "task_id": "Inspect's id of the task: an eval-set retry keeps it, so a retried trial counts once",
    "task": "the Inspect task (`roundtrip_eval/fizzbuzz`, `roundtrip_eval/roundtrip`, ...)",
    "task_version": "the task's version",
    "created": "when the eval was created (ISO 8601)",
    "model": "the model under test, as Inspect names it (`provider/name`)",
    "provider": "the model provider (the part of `model` before the first `/`)",
    "g_model": "model(s) that wrote the specs (g); differs from `model` only in cross-model runs",
    "f_model": "model(s) that wrote the code (f)",
    "problem": "the benchmark problem (a folder of tasks/)",
    "function": "the function's name in C0",
    "domain": "the problem's domain",
    "familiarity": "`known` (likely seen in training) or `novel` (built to be unseen)",
    "twin": "the problem's twin (a known/novel pair), if any",
    "pair": "the known/novel pair the problem belongs to, if any (the known-vs-novel gap's unit)",
    "suite_sha": "hash of the problem's inputs, so runs on different inputs are told apart",
    "sample_id": "Inspect's sample id",
    "epoch": "the epoch: trials of one problem are its epochs",
    "config_key": "hash of every setting that defines the configuration (see Provenance)",
    "config": "short human label of the configuration",
    **{c: f"setting: {m}" for c, m in _CONFIG_MEANING.items()},
    "base_seed": "the run's base seed; each step's seed is derived from it",
    "settings_json": "every setting of the run, as JSON",
    "generation_json": "generation options actually sent with the first model call, as JSON",
    "status": "`survived` (all N cycles passed), `failed`, `censored` (stopped early, no "
    "failure), or `error` (infrastructure; never counted in survival)",
    "n_cycles": "N for this trial",
    "cycles_recorded": "cycles that were recorded",
    "cycles_survived": "cycles passed before the first failure (or all recorded ones)",
    "failed": "a cycle failed",
    "censored": "fewer than N cycles were recorded and none failed",
    "survived": "every one of the N cycles passed",
    "first_failure_cycle": "the first failing cycle (1-based), if any",
    "drift": "category of the first failing cycle (`none` when none failed; empty on error)",
    "drift_detail": "one line of evidence for that category",
    "blame": "who broke the chain (g, f, both, unclear), when a blame run was made",
    "error": "the infrastructure error that ended the trial, if any",
    "limit": "the sample limit that stopped the trial (`type: reason`), if any",
    "scores_json": "every Inspect score of the sample, as JSON",
    "total_time": "seconds the sample took (wall clock)",
    "working_time": "seconds the sample worked (Inspect's working time)",
    "input_tokens": "input tokens of every generation of the trial",
    "output_tokens": "output tokens of every generation of the trial",
}

CYCLE_MEANING: dict[str, str] = {
    "source": "the log file the row was read from",
    "eval_id": "Inspect's id of the eval (join key to trials)",
    "sample_id": "Inspect's sample id (join key to trials)",
    "epoch": "the epoch (join key to trials)",
    "model": "the model under test",
    "problem": "the benchmark problem",
    "config_key": "the configuration (as in trials)",
    "cycle": "the cycle, 1..N",
    "g_model": "the model that wrote this cycle's spec",
    "f_model": "the model that wrote this cycle's code",
    "seed_g": "seed sent with the spec request",
    "seed_f": "seed sent with the code request",
    "g_prompt": "the rendered prompt g saw (holds the previous code)",
    "f_prompt": "the rendered prompt f saw (holds the spec, never C0)",
    "g_attempts": "requests g needed (empty replies are retried)",
    "f_attempts": "requests f needed",
    "spec_reply": "g's raw reply",
    "spec": "the spec taken from it",
    "spec_rule": "how the spec was taken (`spec`, `spec:empty`, `think+` when reasoning was cut)",
    "spec_leak": "the spec is itself the function's code or quotes the previous code",
    "code_reply": "f's raw reply",
    "code": "the code extracted from it",
    "extraction_rule": "the extraction rule that fired (`fence`, ..., `none`)",
    "passed": "the code matched C0 on every input, type-exactly",
    "category": "drift category of this cycle (`none` when it passed)",
    "detail": "one line of evidence for the category",
    "check_n_inputs": "inputs the check ran",
    "check_n_failed": "inputs on which the code differed from C0",
    "check_failures_json": "the first failing inputs: input, expected, actual, as JSON",
    "check_failed_classes_json": "failing inputs per probe class (edge, case, unicode, ...), as JSON",
    "check_behaviour": "hash of every outcome of the check: equal hashes mean identical behaviour",
    "check_output_head": "the first bytes the code printed during the check",
    "check_seconds": "seconds the check took",
    "check_sandbox_note": "set when the check ran in a fresh sandbox, and why",
    "check_decided_by": "who decided the verdict: `runner` (the check ran) or `screen` (nothing ran)",
    "g_input_tokens": "g's input tokens",
    "g_output_tokens": "g's output tokens",
    "f_input_tokens": "f's input tokens",
    "f_output_tokens": "f's output tokens",
    "fixed_point": "the code is the previous cycle's, up to formatting (normalised AST)",
    "similarity_to_c0": "AST similarity of the code to C0 (1 = identical)",
    "spec_similarity": "text similarity of the spec to the previous cycle's spec",
    "behaviour": "hash of the check's outcomes, the same as `check_behaviour` (empty when the "
    "check ran no input)",
    "consistent": "the code behaved exactly like the previous cycle's (C0 for cycle 1) on every "
    "input, right or wrong",
    "evidence_json": "what backs a failing cycle's drift category (changed probe classes, spec "
    "diff, a failing input), as JSON",
    "seconds": "seconds the cycle took",
    "extra_json": "any other key of the cycle record, as JSON",
}

DEGRADATION_COLUMNS = [
    ("model", "string", "the model (the configuration appended when one model ran several)"),
    ("task", "string", "the problem"),
    ("language", "string", "prompt language"),
    ("cycle", "int64", "the cycle, 1..N"),
    ("survival_rate", "float64", "fraction (0-1) of scored trials known to pass cycles 1..cycle"),
]


def _yaml(value: Any) -> str:
    """A YAML scalar: JSON's double-quoted strings are valid YAML, and so are its numbers."""
    return json.dumps(value, ensure_ascii=False)


def size_category(n: int) -> str:
    """The Hub's `size_categories` bucket for `n` rows."""
    for limit, name in ((1_000, "n<1K"), (10_000, "1K<n<10K"), (100_000, "10K<n<100K")):
        if n < limit:
            return name
    return "100K<n<1M" if n < 1_000_000 else "n>1M"


def _distinct(rows: Sequence[Row], key: str) -> list[str]:
    return sorted({str(r[key]) for r in rows if r.get(key) not in (None, "")})


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "unknown"


def _settings(trial: Row, column: str = "settings_json") -> dict[str, Any]:
    try:
        value = json.loads(trial.get(column) or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def front_matter(trials: Sequence[Row], cycles: Sequence[Row], files: dict[str, str]) -> str:
    """The YAML block the Hub reads: licence, task, languages, size and the two configs."""
    models = _distinct(trials, "model")
    problems = _distinct(trials, "problem")
    pretty = f"roundtrip-eval: {len(models)} model(s) x {len(problems)} problem(s), round-trip survival"
    languages = _distinct(trials, "language") or ["en"]
    lines = [
        "---",
        f"pretty_name: {_yaml(pretty)}",
        f"license: {LICENSE}",
        "task_categories:",
        "- text-generation",
        "language:",
        *[f"- {_yaml(lang)}" for lang in languages],
        "tags:",
        *[f"- {t}" for t in ("code", "evaluation", "inspect-ai", "round-trip", "code-generation")],
        "size_categories:",
        f"- {_yaml(size_category(max(len(trials), len(cycles))))}",
        "configs:",
    ]
    for i, (name, path) in enumerate(files.items()):
        lines += [f"- config_name: {name}"]
        if i == 0:
            lines.append("  default: true")
        lines += ["  data_files:", "  - split: train", f"    path: {_yaml(path)}"]
    lines.append("---")
    return "\n".join(lines) + "\n"


def _schema(meanings: dict[str, str], types: dict[str, str], present: Sequence[str]) -> list[str]:
    lines = ["| column | type | meaning |", "|---|---|---|"]
    for column in present:
        kind = TYPE_NAMES[types.get(column, "json")]
        meaning = meanings.get(column, "(not documented: a key added after this card was written)")
        lines.append(f"| `{column}` | {kind} | {meaning.replace('|', '/')} |")
    return lines


def dataset_card(
    trials: Sequence[Row],
    cycles: Sequence[Row],
    files: dict[str, str],
    trial_columns: Sequence[str],
    cycle_columns: Sequence[str],
) -> str:
    """README.md for an export folder. `files`: {"trials": "trials.jsonl", "cycles": ...}."""
    models = _distinct(trials, "model")
    sources = _distinct(trials, "source")
    evals = _distinct(trials, "eval_id")
    created = sorted(str(t["created"]) for t in trials if t.get("created"))
    statuses = {s: sum(1 for t in trials if t.get("status") == s) for s in _distinct(trials, "status")}
    settings_seen = [_settings(t) for t in trials]
    made_with = sorted({str(s.get("roundtrip_eval_version")) for s in settings_seen if s})
    configs: dict[str, Row] = {}
    for t in trials:
        configs.setdefault(str(t["config_key"]), t)
    replayed = [t for t in configs.values() if " replay of " in f" {t.get('config', '')}"]
    out = [
        front_matter(trials, cycles, files),
        "# roundtrip-eval trials",
        "",
        "Every trial of a roundtrip-eval run (a round-trip stability benchmark for Inspect), flattened "
        "from its Inspect logs. A trial starts from a reference function C0. Each cycle, a model g describes "
        "the current code as a spec, a model f writes the code back from that spec alone, and the "
        "code is checked against C0 on every input in a sandbox, type-exactly. A trial survives "
        "the cycles it passes; survival@N is the share of trials that pass all N cycles.",
        "",
        f"This folder: {len(trials)} trial(s) ({', '.join(f'{k}: {v}' for k, v in statuses.items())}), "
        f"{len(cycles)} cycle(s), {len(models)} model(s), {len(configs)} configuration(s).",
        "",
        "## Files",
        "",
        "| file | config | rows |",
        "|---|---|---|",
        f"| `{files['trials']}` | `trials` | one per trial ({len(trials)}) |",
        f"| `{files['cycles']}` | `cycles` | one per cycle ({len(cycles)}) |",
        "| `degradation.csv` | | per model, problem, language and cycle: survival as a fraction, "
        "in the original study's published columns (its own file is in percent) |",
        "",
        "Join cycles to trials on (`eval_id`, `sample_id`, `epoch`). Trials with status `error` "
        "failed for infrastructure reasons and must not count in survival; `censored` trials "
        "count only for the cycles they were observed in.",
        "",
        "To reproduce the report (tables, curves, the report page) from this folder, with "
        "roundtrip-eval installed:",
        "",
        "```",
        "roundtrip-eval report . -o report",
        "```",
        "",
        'With the `datasets` library: `load_dataset("<this folder or repo>", "trials")` (or `"cycles"`).',
        "",
        "## Schema",
        "",
        "Types: `string`, `int64`, `float64`, `bool`; `json` is any JSON value (the value itself in "
        "jsonl, its JSON text in csv and parquet). Columns ending in `_json` hold JSON text in "
        "every format. Settings are plain values (`en`, `3`, `true`), never JSON text. One scale "
        "everywhere: every rate and every survival is a fraction in [0, 1], never a percent.",
        "",
        "As pandas dataframes, with column names that do not change with N (`survival_at_n`, "
        "curves in long format with the cycle as a value): `roundtrip_eval.analysis.frames` "
        "(`runs_df` over the logs, `trials_df`, `cycles_df`, `curves_df` over this folder).",
        "",
        f"### `{files['trials']}`",
        "",
        *_schema(TRIAL_MEANING, TRIAL_TYPES, trial_columns),
        "",
        f"### `{files['cycles']}`",
        "",
        *_schema(CYCLE_MEANING, CYCLE_TYPES, cycle_columns),
        "",
        "### `degradation.csv`",
        "",
        "| column | type | meaning |",
        "|---|---|---|",
        *[f"| `{c}` | {k} | {m} |" for c, k, m in DEGRADATION_COLUMNS],
        "",
        "Missing values are empty (null in jsonl and parquet, an empty cell in csv; in csv an empty "
        "string also reads back as empty).",
        "",
        "## Provenance",
        "",
        f"- Logs read: {len(sources)} file(s), {len(evals)} eval(s)"
        + (f", created {created[0]} to {created[-1]}." if created else "."),
        f"- Tasks: {', '.join(_distinct(trials, 'task')) or '(none)'}; task versions: "
        f"{', '.join(_distinct(trials, 'task_version')) or '(none)'}.",
        f"- Models: {', '.join(f'`{m}`' for m in models) or '(none)'}.",
        f"- Written by roundtrip-eval {', '.join(made_with) or '(version not recorded)'}; prompt sets "
        f"{', '.join(_distinct(trials, 'prompt_set_version')) or '(not recorded)'}.",
        f"- Exported with roundtrip-eval {_version('roundtrip-eval')} and inspect-ai "
        f"{_version('inspect-ai')}.",
        "",
        "Log files:",
        "",
        *[f"- `{s}`" for s in sources[:50]],
        *([f"- ... and {len(sources) - 50} more"] if len(sources) > 50 else []),
        "",
        "### Configurations",
        "",
        "A configuration is every setting except the base seed, the set of problems and the number "
        "of epochs, plus the generation options actually sent (`gen_*`); `config_key` hashes "
        "exactly what is listed. Runs under different configurations are never pooled.",
        "",
    ]
    for key, t in sorted(configs.items()):
        settings = config_of(_settings(t), _settings(t, "generation_json"))
        out += [
            f"- `{key}`: {t.get('config')} ({sum(1 for x in trials if x['config_key'] == t['config_key'])} "
            "trial(s))",
            "",
            "  ```json",
            "  " + json.dumps(settings, sort_keys=True, ensure_ascii=False),
            "  ```",
            "",
        ]
    out += [
        "## License",
        "",
        f"`{LICENSE}`, the licence of roundtrip-eval, which wrote the prompts, the problems (C0 and "
        "their inputs), the checks and the verdicts in these rows. The model replies (`spec_reply`, "
        "`code_reply` and what was extracted from them) were written by the models named above and "
        "may also be subject to their providers' terms of use: check them before you redistribute.",
    ]
    if replayed:
        out += [
            "",
            "Some configurations replay replies recorded by another study (their label says "
            "`replay of ...`): those replies are that study's data, under its licence.",
        ]
    return "\n".join(out) + "\n"
