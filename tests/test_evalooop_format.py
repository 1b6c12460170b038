"""studies/evalooop_format.py: the request formats and the report (no model needed)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_evalooop_live import WRONG, fenced, scripted_logs  # noqa: F401 (a fixture)

from studies.evalooop_format import (
    FORMATS,
    MAX_TOKENS,
    FormatError,
    main,
    reply_text,
    report,
    request,
    run_replies,
)

GOOD = "def add_one(x):\n    return x + 1"
ITEMS = {
    "Mbpp/1": {
        "cycles": [
            {"code_output": GOOD, "summary_output": '"""\nAdds one to x.\nassert add_one(1) == 2\n"""'}
        ]
    },
    "Mbpp/2": {"cycles": [{"code_output": GOOD, "summary_output": '"""\n```\nreturn x + 1\n```\n"""'}]},
}
ENTRY = {"Mbpp/1": "add_one", "Mbpp/2": "add_one"}


def test_each_format_is_its_own_request_greedy_and_capped() -> None:
    bodies = {fmt: request(fmt, "P", "m") for fmt in FORMATS}
    assert bodies["chat"] == (
        "/chat/completions",
        {"messages": [{"role": "user", "content": "P"}], "model": "m", "temperature": 0.0, "max_tokens": 512},
    )
    assert [m["role"] for m in bodies["chat_system"][1]["messages"]] == ["system", "user"]
    path, body = bodies["transcript"]
    assert path == "/completions" and body["prompt"].startswith("System: ")
    assert body["prompt"].endswith("\n\nUser: P\n\nAssistant:")  # no chat template: plain text
    assert bodies["bare"] == ("/completions", {"prompt": "P", "model": "m", "temperature": 0.0,
                                               "max_tokens": MAX_TOKENS})  # fmt: skip
    with pytest.raises(FormatError, match="unknown format 'json'"):
        request("json", "P", "m")


def test_a_reply_is_read_from_either_answer_shape() -> None:
    assert reply_text({"choices": [{"message": {"content": "a"}}]}) == "a"
    assert reply_text({"choices": [{"text": " b"}]}) == " b"


def test_the_report_counts_same_programs_fences_and_leaks() -> None:
    records = [
        {"stage": "code", "task": "Mbpp/1", "fmt": "chat", "reply": f"Here:\n```python\n{GOOD}  # one\n```"},
        {"stage": "code", "task": "Mbpp/2", "fmt": "chat", "reply": "def add_one(x):\n    return x + 2"},
        {"stage": "code", "task": "Mbpp/1", "fmt": "transcript", "reply": f" {GOOD}\n"},
        {"stage": "summary", "task": "Mbpp/1", "fmt": "chat", "reply": f"```python\n{GOOD}\n```"},
        {"stage": "summary", "task": "Mbpp/1", "fmt": "transcript", "reply": " Adds one to x."},
    ]
    rows = report(records, ITEMS, ENTRY).splitlines()[2:]
    assert rows[0] == "| loop-1 code | chat | 2 | 1 | 0 | 1 | |"  # same program, a comment apart
    assert rows[1] == "| loop-1 code | transcript | 1 | 1 | 1 | 0 | |"
    assert rows[2] == "| summary of their loop-1 code | chat | 1 | | | 1 | 1 |"
    assert rows[3] == "| summary of their loop-1 code | transcript | 1 | | | 0 | 0 |"
    assert rows[4] == "| summary of their loop-1 code | theirs (trace) | 1 | | | 0 | 0 |"


def test_the_command_refuses_bad_input_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = tmp_path / "replies.jsonl"
    broken.write_text("{not json\n")
    trace = tmp_path / "evalooop" / "details" / "m.json"
    trace.parent.mkdir(parents=True)
    trace.write_text(json.dumps({"0": []}))
    assert main(["--peer-data", str(tmp_path), "--model-id", "m", "report", str(broken)]) == 2
    assert capsys.readouterr().err.startswith("evalooop_format: ")
    assert main(["--peer-data", str(tmp_path), "--model-id", "m", "ask", "--base-url", "http://127.0.0.1:9",
                 "--formats", "json", "-o", str(tmp_path / "o.jsonl")]) == 2  # fmt: skip
    assert "unknown format 'json'" in capsys.readouterr().err


def test_the_runs_loop_1_replies_stand_as_the_chat_row(scripted_logs: Path) -> None:  # noqa: F811
    records = sorted(run_replies(scripted_logs), key=lambda r: r["task"])
    assert [(r["task"], r["fmt"], r["stage"]) for r in records] == [
        ("Mbpp/10", "chat", "code"), ("Mbpp/8", "chat", "code"), ("Mbpp/9", "chat", "code")
    ]  # fmt: skip
    assert records[0]["reply"] == fenced(WRONG) and records[1]["reply"] == fenced(GOOD)
