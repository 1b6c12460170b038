"""Replay files are validated when the model is created: each malformed line is one ReplayError
naming `file:line` and the field, and no trial runs (so nothing is scored)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from inspect_ai import eval as inspect_eval

from roundtrip_eval.eval.replay import ReplayError, load_script
from roundtrip_eval.eval.tasks import fizzbuzz

SHAPE = 'a string, {"text": "..."}, {"empty": true}, {"error": "..."} or {"stop": "..."}'
LINE = {"sample": "fizzbuzz", "epoch": 1}


def line(**fields: object) -> str:
    return json.dumps({**LINE, **fields})


# (case id, the file's text, the line it fails on, the message after "<file>:<line>: ")
CASES: list[tuple[str, str, int, str]] = [
    ("not_json", '# a comment\n{"sample": \n', 2, "not JSON (Expecting value at column 12)"),
    ("json_list", '["fizzbuzz", 1, ["a"]]\n', 1,
     'a replay line is a JSON object {"sample": "<id>", "epoch": 1, "replies": ["<reply>", ...]}; '
     'got list ["fizzbuzz", 1, ["a"]]'),
    ("replies_missing", json.dumps(LINE), 1,
     "field 'replies' is missing (the list of the trial's recorded replies)"),
    ("replies_not_a_list", line(replies="not a list"), 1,
     f"field 'replies' must be a list of replies ({SHAPE}); got string \"not a list\""),
    ("replies_number_and_null", line(replies=[7, None]), 1,
     f"field 'replies' item 1 must be {SHAPE}; got number 7"),
    ("replies_null", line(replies=["spec", None]), 1,
     f"field 'replies' item 2 must be {SHAPE}; got null"),
    ("reply_without_text", line(replies=[{"txt": "def f(): pass"}]), 1,
     f"field 'replies' item 1 must be {SHAPE}; got an object with keys ['txt']"),
    ("reply_two_kinds", line(replies=[{"text": "a", "empty": True}]), 1,
     f"field 'replies' item 1 must be {SHAPE}; got an object with keys ['empty', 'text']"),
    ("reply_text_not_str", line(replies=[{"text": 5}]), 1,
     "field 'replies' item 1: \"text\" must be a string; got number 5"),
    ("reply_empty_false", line(replies=[{"empty": False}]), 1,
     "field 'replies' item 1: \"empty\" must be true; got false"),
    ("stop_not_last", line(replies=[{"stop": "end"}, "spec"]), 1,
     "field 'replies' item 1: a {\"stop\"} reply ends the recorded trial, so it must be the last one"),
    ("epoch_string", line(epoch="1", replies=[]), 1,
     "field 'epoch' must be an epoch number (1, 2, ...) or \"*\"; got string \"1\""),
    ("epoch_zero", line(epoch=0, replies=[]), 1,
     "field 'epoch' must be an epoch number (1, 2, ...) or \"*\"; got number 0"),
    ("epoch_bool", line(epoch=True, replies=[]), 1,
     "field 'epoch' must be an epoch number (1, 2, ...) or \"*\"; got true"),
    ("sample_number", line(sample=3, replies=[]), 1,
     "field 'sample' must be a sample id (a string) or \"*\"; got number 3"),
    ("field_typo", json.dumps({"sample": "fizzbuzz", "epcoh": 2, "replies": []}), 1,
     "field 'epcoh' is not a replay field; did you mean 'epoch'?"),
    ("duplicate_line", line(replies=["a"]) + "\n\n" + line(replies=["b"]), 3,
     "a second line for sample fizzbuzz epoch 1 (the first is line 1)"),
]


@pytest.mark.parametrize(("case", "text", "lineno", "message"), CASES, ids=[c[0] for c in CASES])
def test_malformed_line_is_one_line_naming_file_line_and_field(
    tmp_path: Path, case: str, text: str, lineno: int, message: str
) -> None:
    path = tmp_path / f"{case}.jsonl"
    path.write_text(text + "\n", encoding="utf-8")
    with pytest.raises(ReplayError) as caught:
        load_script(path)
    assert str(caught.value) == f"{path}:{lineno}: {message}"


def test_files_that_hold_no_lines(tmp_path: Path) -> None:
    only_comments = tmp_path / "c.jsonl"
    only_comments.write_text("# nothing recorded\n\n", encoding="utf-8")
    with pytest.raises(ReplayError, match=r"c\.jsonl: no replay lines \(one JSON object per line"):
        load_script(only_comments)
    with pytest.raises(ReplayError, match=r"^replay file not found: .*absent\.jsonl$"):
        load_script(tmp_path / "absent.jsonl")
    latin = tmp_path / "latin.jsonl"
    latin.write_bytes(b'{"replies": ["caf\xe9"]}\n')
    with pytest.raises(ReplayError, match=r"latin\.jsonl cannot be read: 'utf-8' codec"):
        load_script(latin)


def test_every_documented_form_loads(tmp_path: Path) -> None:
    path = tmp_path / "ok.jsonl"
    replies = ["spec", {"text": "code"}, {"empty": True}, {"error": "reset"}, {"stop": "ends"}]
    path.write_text(
        "# provenance fields such as upstream_run are kept out of the way\n"
        + json.dumps({"sample": "fizzbuzz", "epoch": 2, "upstream_run": 7, "replies": replies})
        + "\n" + json.dumps({"epoch": "*", "replies": []}) + "\n"
        + json.dumps({"sample": "fizzbuzz", "replies": ["x"]}) + "\n",
        encoding="utf-8",
    )
    assert load_script(path) == {("fizzbuzz", "2"): replies, ("*", "*"): [], ("fizzbuzz", "*"): ["x"]}


def test_in_process_eval_refuses_before_any_trial(tmp_path: Path) -> None:
    path = tmp_path / "r.jsonl"
    path.write_text(line(replies="not a list") + "\n", encoding="utf-8")
    with pytest.raises(ReplayError, match=r"r\.jsonl:1: field 'replies' must be a list"):
        inspect_eval(fizzbuzz(sandbox="local", epochs=1), model=f"replay/{path}",
                     log_dir=str(tmp_path / "logs"), display="none")
    assert not (tmp_path / "logs").exists() or not any((tmp_path / "logs").iterdir())


# ---------------------------------------------------------------------------- command line

ISSUE_CASES = ["replies_not_a_list", "replies_number_and_null", "json_list", "reply_without_text"]


def inspect_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """`inspect ...` as a user runs it; a wide console so that rich does not hard-wrap a line."""
    exe = Path(sys.executable).parent / "inspect"
    env = {**os.environ, "COLUMNS": "1000"}
    return subprocess.run([str(exe), *args], capture_output=True, text=True, cwd=cwd, env=env, timeout=300)


@pytest.mark.slow
@pytest.mark.parametrize("case", ISSUE_CASES)
def test_inspect_eval_prints_one_line_and_scores_nothing(tmp_path: Path, case: str) -> None:
    _, text, lineno, message = next(c for c in CASES if c[0] == case)
    (tmp_path / "bad.jsonl").write_text(text + "\n", encoding="utf-8")
    run = inspect_cli(
        "eval", "roundtrip_eval/fizzbuzz", "--model", "replay/bad.jsonl", "-T", "sandbox=local",
        "--epochs", "1", "--log-dir", "logs", cwd=tmp_path,
    )
    printed = [x for x in (run.stdout + run.stderr).splitlines() if x.strip()]
    assert run.returncode == 1
    assert printed == [f"bad.jsonl:{lineno}: {message}"]
    assert not (tmp_path / "logs").exists()
