"""`roundtrip-eval export`: the rows hold what a re-analysis needs, and the report computed from
the exported files equals the report computed from the logs, in every format."""

from __future__ import annotations

import csv
import json
from dataclasses import asdict
from pathlib import Path

import pytest

from roundtrip_eval.analysis.aggregate import build_report
from roundtrip_eval.analysis.export import load_export
from roundtrip_eval.analysis.read import load_rows
from roundtrip_eval.analysis.report import write_report
from roundtrip_eval.cli import main
from roundtrip_eval.problems.load import load_problem

from .scripted_logs import EXTRA_REASON, FB, SV


@pytest.fixture(scope="module")
def rows(logdir: Path) -> tuple[list[dict], list[dict]]:
    trials, cycles, _ = load_rows(logdir, progress=False)
    return trials, cycles


def key(row: dict) -> tuple:
    return (row["eval_id"], row["sample_id"], row["epoch"], row.get("cycle", 0))


def test_trial_rows_carry_model_settings_and_outcome(rows: tuple[list[dict], list[dict]]) -> None:
    trials, _ = rows
    assert len(trials) == 10
    t = next(t for t in trials if t["problem"] == FB and t["epoch"] == 5)
    assert t["provider"] == "replay" and t["model"].startswith("replay/")
    assert (t["language"], t["spec_format"], t["extraction"], t["cycles"]) == (
        "en",
        "pseudocode",
        "tolerant",
        3,
    )
    assert t["temperature"] == 0.7 and t["base_seed"] == 0
    assert json.loads(t["generation_json"]) == {"temperature": 0.7, "max_tokens": 1024}
    assert json.loads(t["settings_json"])["prompt_set_version"] == t["prompt_set_version"]
    assert (t["status"], t["censored"], t["cycles_survived"]) == ("censored", True, 1)
    assert t["limit"].startswith("custom:")
    errored = next(t for t in trials if t["problem"] == SV and t["epoch"] == 4)
    assert errored["status"] == "error" and "connection reset" in errored["error"]
    assert errored["drift"] is None


def test_cycle_rows_carry_prompts_replies_checks_and_tokens(
    rows: tuple[list[dict], list[dict]],
) -> None:
    _, cycles = rows
    first = next(c for c in cycles if c["problem"] == FB and c["epoch"] == 2 and c["cycle"] == 1)
    reference = load_problem(FB).reference.strip()
    assert reference in first["g_prompt"]  # g of cycle 1 sees C0
    assert first["spec"] in first["f_prompt"] and "def fizzbuzz" not in first["f_prompt"]
    assert first["code_reply"].startswith("Here is the implementation")
    assert first["extraction_rule"] == "fence" and first["passed"] is True
    assert first["seed_g"] != first["seed_f"] and (first["g_attempts"], first["f_attempts"]) == (1, 1)
    assert first["g_input_tokens"] > 0 and first["f_output_tokens"] > 0
    second = next(c for c in cycles if c["problem"] == FB and c["epoch"] == 2 and c["cycle"] == 2)
    assert second["category"] == "return_type" and not second["passed"]
    assert second["check_n_failed"] > 0
    failures = json.loads(second["check_failures_json"])
    assert failures[0]["expected"] == "1 (int)" and failures[0]["actual"] == "'1' (str)"
    assert first["code"].strip() in second["g_prompt"]  # g of cycle 2 sees C1


def _export(logdir: Path, out: Path, fmt: str) -> None:
    if fmt == "parquet":
        pytest.importorskip("pyarrow", reason=EXTRA_REASON)
    assert main(["export", str(logdir), "-o", str(out), "--format", fmt, "-q"]) == 0


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "parquet"])
def test_export_round_trip_gives_the_same_report(
    fmt: str, logdir: Path, rows: tuple[list[dict], list[dict]], tmp_path: Path
) -> None:
    out = tmp_path / "export"
    if fmt == "parquet":
        pytest.importorskip("pyarrow", reason=EXTRA_REASON)
    assert main(["export", str(logdir), "-o", str(out), "--format", fmt, "-q"]) == 0
    trials, cycles = rows
    back_trials, back_cycles = load_export(out)
    if fmt == "csv":  # the one documented loss: empty strings read back as None
        trials = [{k: (None if v == "" else v) for k, v in t.items()} for t in trials]
        cycles = [{k: (None if v == "" else v) for k, v in c.items()} for c in cycles]
    assert sorted(back_trials, key=key) == sorted(trials, key=key)
    assert sorted(back_cycles, key=key) == sorted(cycles, key=key)

    from_logs = build_report(*rows, n_boot=500)
    from_rows = build_report(back_trials, back_cycles, n_boot=500)
    assert asdict(from_rows) == asdict(from_logs)
    # ... and the written report files are identical, byte for byte.
    a = write_report(from_logs, tmp_path / "a", "src", figures=False)
    b = write_report(from_rows, tmp_path / "b", "src", figures=False)
    for name in a:
        assert a[name].read_bytes() == b[name].read_bytes(), name


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "parquet"])
def test_report_command_reads_an_export_folder(
    fmt: str, logdir: Path, rows: tuple[list[dict], list[dict]], tmp_path: Path
) -> None:
    pytest.importorskip("matplotlib", reason=EXTRA_REASON)
    _export(logdir, tmp_path / "export", fmt)
    a = write_report(build_report(*rows, n_boot=500), tmp_path / "a", "src", figures=False)
    # The CLI report also reads an export folder directly.
    assert main(["report", str(tmp_path / "export"), "-o", str(tmp_path / "c"), "-q"]) == 0
    assert (tmp_path / "c" / "survival.csv").read_bytes() == a["survival.csv"].read_bytes()


def test_degradation_csv_has_the_study_shape(logdir: Path, tmp_path: Path) -> None:
    assert main(["export", str(logdir), "-o", str(tmp_path), "-q"]) == 0
    with (tmp_path / "degradation.csv").open() as fh:
        table = list(csv.reader(fh))
    assert table[0] == ["model", "task", "language", "cycle", "survival_rate"]
    got = {(r[1], int(r[3])): float(r[4]) for r in table[1:]}
    assert got == {
        (FB, 1): 0.8,
        (FB, 2): 0.4,
        (FB, 3): 0.4,
        (SV, 1): 0.75,
        (SV, 2): 0.75,
        (SV, 3): 0.5,
    }
    assert all(r[2] == "en" for r in table[1:])


def test_export_of_an_empty_folder_fails(tmp_path: Path) -> None:
    assert main(["export", str(tmp_path), "-o", str(tmp_path / "o"), "-q"]) != 0


def test_json_logs_read_like_eval_logs(
    logdir: Path, rows: tuple[list[dict], list[dict]], tmp_path: Path
) -> None:
    from inspect_ai.log import read_eval_log, write_eval_log

    for path in logdir.glob("*.eval"):
        write_eval_log(read_eval_log(str(path)), str(tmp_path / "nested" / f"{path.stem}.json"))
    (tmp_path / "notes.json").write_text("{}")  # not a log: skipped with a warning
    trials, cycles, warnings = load_rows(tmp_path, progress=False)
    assert len(warnings) == 1 and "notes.json" in warnings[0]

    def strip(items: list[dict]) -> list[dict]:
        return sorted(({k: v for k, v in r.items() if k != "source"} for r in items), key=key)

    assert strip(trials) == strip(rows[0])
    assert strip(cycles) == strip(rows[1])


# --- the dataset card (card.py) -----------------------------------------------------------


def card_of(folder: Path) -> tuple[dict, str]:
    """(YAML front matter, Markdown body) of the folder's README.md."""
    import yaml

    text = (folder / "README.md").read_text(encoding="utf-8")
    assert text.startswith("---\n")
    head, body = text[4:].split("\n---\n", 1)
    return yaml.safe_load(head), body


def schema_rows(body: str, heading: str) -> dict[str, tuple[str, str]]:
    """{column: (type, meaning)} of the schema table under `### heading`."""
    section = body.split(f"### `{heading}`", 1)[1].split("\n### ", 1)[0].split("\n## ", 1)[0]
    rows = {}
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split(" | ")]
        if len(cells) == 3 and cells[0].startswith("`"):
            rows[cells[0].strip("`")] = (cells[1], cells[2])
    return rows


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "parquet"])
def test_export_writes_a_dataset_card(fmt: str, logdir: Path, tmp_path: Path) -> None:
    _export(logdir, tmp_path, fmt)
    meta, body = card_of(tmp_path)
    assert meta["license"] == "apache-2.0" and meta["task_categories"] == ["text-generation"]
    assert meta["language"] == ["en"] and meta["size_categories"] == ["n<1K"]
    assert meta["pretty_name"].startswith("roundtrip-eval: 1 model(s) x 2 problem(s)")
    configs = {c["config_name"]: c for c in meta["configs"]}
    assert set(configs) == {"trials", "cycles"} and configs["trials"].get("default") is True
    for name, config in configs.items():
        [split] = config["data_files"]
        assert split["split"] == "train" and split["path"] == f"{name}.{fmt}"
        assert (tmp_path / split["path"]).is_file()
    # every column of the written files is in the schema, with its type and a meaning
    trials, cycles = load_export(tmp_path)
    for rows, heading in ((trials, f"trials.{fmt}"), (cycles, f"cycles.{fmt}")):
        documented = schema_rows(body, heading)
        assert list(documented) == list(dict.fromkeys(k for r in rows for k in r))
        assert all(kind in {"string", "int64", "float64", "bool", "json"} for kind, _ in documented.values())
        assert not [c for c, (_, meaning) in documented.items() if "not documented" in meaning or not meaning]
    assert schema_rows(body, f"trials.{fmt}")["epoch"][0] == "int64"
    assert schema_rows(body, f"trials.{fmt}")["language"][0] == "string"  # a plain value, not JSON
    assert "survival_rate" in schema_rows(body, "degradation.csv")


def test_dataset_card_provenance_and_license(
    logdir: Path, rows: tuple[list[dict], list[dict]], tmp_path: Path
) -> None:
    import hashlib
    import re

    from inspect_ai import __version__ as inspect_version

    from roundtrip_eval import __version__
    from roundtrip_eval.analysis.columns import dumps

    _export(logdir, tmp_path, "jsonl")
    _, body = card_of(tmp_path)
    trials, cycles = rows
    provenance = body.split("## Provenance", 1)[1].split("## License", 1)[0]
    [log] = list(logdir.glob("*.eval"))
    assert f"- `{log.name}`" in provenance
    assert "1 file(s), 1 eval(s)" in provenance
    assert f"Exported with roundtrip-eval {__version__} and inspect-ai {inspect_version}" in provenance
    assert (
        f"Written by roundtrip-eval {__version__}; prompt sets {trials[0]['prompt_set_version']}"
        in provenance
    )
    assert f"`{trials[0]['model']}`" in provenance
    # the configuration's settings are listed, and they hash to its config_key
    [(key, settings)] = re.findall(r"- `([0-9a-f]{10})`: .*\n\n  ```json\n  (\{.*\})\n", provenance)
    assert key == trials[0]["config_key"]
    assert hashlib.sha256(dumps(json.loads(settings)).encode()).hexdigest()[:10] == key
    assert (
        f"{len(trials)} trial(s) (censored: 1, error: 1, failed: 4, survived: 4), {len(cycles)} cycle(s)"
        in body
    )
    license_text = body.split("## License", 1)[1]
    assert "apache-2.0" in license_text and "terms of use" in license_text


def test_every_column_has_a_meaning() -> None:
    from roundtrip_eval.analysis.card import CYCLE_MEANING, TRIAL_MEANING
    from roundtrip_eval.analysis.columns import CYCLE_TYPES, TRIAL_TYPES

    assert set(TRIAL_MEANING) == set(TRIAL_TYPES)
    assert set(CYCLE_MEANING) == set(CYCLE_TYPES)


def test_settings_are_plain_values_in_csv(logdir: Path, tmp_path: Path) -> None:
    """`en`, `3`, `false` in the cells, not the JSON text `"en"` (issue 31: tidy data)."""
    assert main(["export", str(logdir), "-o", str(tmp_path), "--format", "csv", "-q"]) == 0
    with (tmp_path / "trials.csv").open() as fh:
        first = next(csv.DictReader(fh))
    assert (first["language"], first["spec_format"], first["cycles"]) == ("en", "pseudocode", "3")
    assert (first["temperature"], first["mask_names"], first["variant"]) == ("0.7", "false", "")
