"""`roundtrip-eval export LOGDIR -o OUT --format jsonl|csv|parquet`: the dataset.

Writes `trials.<ext>` (one row per trial), `cycles.<ext>` (one row per cycle),
`degradation.csv` (the original study's per-cycle survival shape) and `README.md`, a dataset
card in the Hugging Face datasets convention (card.py: schema, provenance, licence), so the
folder can be published as it is. The rows hold everything
needed to redo the analysis without Inspect: model and provider, every setting and the
generation options actually sent, seeds, prompt-set version and the rendered prompts, raw
replies, extracted spec and code, extraction rule, check verdict and evidence, timings and
token counts. `roundtrip-eval report OUT` reads them back and gives the same report as the logs.

Types survive every format: columns have declared types (columns.TRIAL_TYPES / CYCLE_TYPES),
nested values are JSON strings. One loss in CSV only: an empty string reads back as None.
Parquet needs pyarrow (the `analysis` extra); without it, one line says what to install.
"""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from roundtrip_eval.analysis.columns import CYCLE_TYPES, TRIAL_TYPES, Row
from roundtrip_eval.analysis.extra import require

FORMATS = ("jsonl", "csv", "parquet")


def columns_of(rows: Sequence[Row], types: dict[str, str]) -> list[str]:
    """Declared columns first (in order), then any others sorted by name."""
    extra = sorted({k for r in rows for k in r} - set(types))
    return [*types, *extra]


def _type(column: str, types: dict[str, str]) -> str:
    return types.get(column, "json")


def _encode_cell(value: Any, kind: str) -> str:
    if value is None:
        return ""
    if kind == "json":
        return json.dumps(value, ensure_ascii=False)
    if kind == "bool":
        return "true" if value else "false"
    if kind == "float":
        return repr(float(value))
    return str(value)


def _decode_cell(text: str, kind: str) -> Any:
    if text == "":
        return None
    if kind == "json":
        return json.loads(text)
    if kind == "bool":
        return text == "true"
    if kind == "int":
        return int(text)
    if kind == "float":
        return float(text)
    return text


def write_rows(rows: Sequence[Row], path: Path, fmt: str, types: dict[str, str]) -> Path:
    """Write rows as `fmt` to `path` (parent folders are created)."""
    if fmt not in FORMATS:
        raise ValueError(f"--format must be one of {', '.join(FORMATS)}; got {fmt!r}")
    path.parent.mkdir(parents=True, exist_ok=True)
    columns = columns_of(rows, types)
    if fmt == "jsonl":
        with path.open("w", encoding="utf-8") as fh:
            for row in rows:
                fh.write(json.dumps({c: row.get(c) for c in columns}, ensure_ascii=False) + "\n")
    elif fmt == "csv":
        with path.open("w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(columns)
            for row in rows:
                writer.writerow([_encode_cell(row.get(c), _type(c, types)) for c in columns])
    else:
        _write_parquet(rows, path, columns, types)
    return path


def _write_parquet(rows: Sequence[Row], path: Path, columns: list[str], types: dict[str, str]) -> None:
    require("pyarrow", "writing Parquet (--format parquet)")
    import pyarrow as pa
    import pyarrow.parquet as pq

    arrow = {"str": pa.string(), "int": pa.int64(), "float": pa.float64(), "bool": pa.bool_()}
    fields, data = [], {}
    for c in columns:
        kind = _type(c, types)
        values = [row.get(c) for row in rows]
        if kind == "json":
            values = [None if v is None else json.dumps(v, ensure_ascii=False) for v in values]
        fields.append(pa.field(c, arrow.get(kind, pa.string())))
        data[c] = values
    schema = pa.schema(fields)
    pq.write_table(pa.table(data, schema=schema), path)


def read_rows_file(path: Path, types: dict[str, str]) -> list[Row]:
    """Read rows written by `write_rows` (the format is taken from the extension)."""
    fmt = path.suffix.lstrip(".")
    if fmt == "jsonl":
        with path.open(encoding="utf-8") as fh:
            return [json.loads(line) for line in fh if line.strip()]
    if fmt == "csv":
        csv.field_size_limit(sys.maxsize)
        with path.open(encoding="utf-8", newline="") as fh:
            reader = csv.reader(fh)
            header = next(reader, [])
            return [
                {c: _decode_cell(v, _type(c, types)) for c, v in zip(header, line, strict=True)}
                for line in reader
            ]
    if fmt == "parquet":
        require("pyarrow", f"reading {path.name}")
        import pyarrow.parquet as pq

        table = pq.read_table(path).to_pylist()
        return [
            {c: (json.loads(v) if v is not None and _type(c, types) == "json" else v) for c, v in row.items()}
            for row in table
        ]
    raise ValueError(f"{path}: unknown row format (expected .jsonl, .csv or .parquet)")


def find_export(folder: Path) -> tuple[Path, Path] | None:
    """(trials, cycles) files of an export folder, or None when it is not one."""
    for fmt in FORMATS:
        trials, cycles = folder / f"trials.{fmt}", folder / f"cycles.{fmt}"
        if trials.is_file() and cycles.is_file():
            return trials, cycles
    return None


def load_export(folder: Path) -> tuple[list[Row], list[Row]]:
    """Trial and cycle rows of an export folder."""
    found = find_export(folder)
    if found is None:
        raise FileNotFoundError(f"{folder}: no trials.<ext> and cycles.<ext> export files")
    return read_rows_file(found[0], TRIAL_TYPES), read_rows_file(found[1], CYCLE_TYPES)


def write_degradation(rows: Sequence[Row], path: Path) -> Path:
    """`model,task,language,cycle,survival_rate` (a fraction in [0, 1]), the study's columns."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["model", "task", "language", "cycle", "survival_rate"])
        for row in rows:
            rate = row["survival_rate"]
            writer.writerow(
                [row["model"], row["task"], row["language"], row["cycle"], "" if rate is None else rate]
            )
    return path


def export(trials: Sequence[Row], cycles: Sequence[Row], out: Path, fmt: str) -> dict[str, Path]:
    """Write the dataset files and their card; returns {name: path}."""
    from roundtrip_eval.analysis.aggregate import degradation_rows
    from roundtrip_eval.analysis.card import dataset_card

    files = {
        "trials": write_rows(trials, out / f"trials.{fmt}", fmt, TRIAL_TYPES),
        "cycles": write_rows(cycles, out / f"cycles.{fmt}", fmt, CYCLE_TYPES),
        "degradation": write_degradation(degradation_rows(trials), out / "degradation.csv"),
    }
    card = dataset_card(
        trials,
        cycles,
        {"trials": files["trials"].name, "cycles": files["cycles"].name},
        columns_of(trials, TRIAL_TYPES),
        columns_of(cycles, CYCLE_TYPES),
    )
    files["card"] = out / "README.md"
    files["card"].write_text(card, encoding="utf-8")
    return files
