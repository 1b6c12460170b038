"""Which request format reproduces EvaLooop's recorded code and summaries? (not pre-registered)

Why: the live comparison (docs/evalooop_live.md) found loop-1 verdicts agreeing on 89% of tasks but
the same loop-1 program on few, and summaries unlike theirs in kind (ours carry fenced code, theirs
are prose). The weights differ (their bf16 on vLLM, our Q4_K_M on llama.cpp), and so may the
request: their framework sends a vLLM model either the bare prompt or a plain-text
System/User/Assistant transcript with its default system line, never the model's chat template,
at most 512 new tokens; our run sends one user message through the GGUF's chat template. This
study sends their loop-1 prompts (and their loop-1 code for summarising) to our served model in
each format, greedy and capped at 512 tokens, and counts how often the reply matches theirs.

    python -m studies.evalooop_format ask --base-url http://127.0.0.1:8775/v1 \\
        --formats chat,transcript -o logs/evalooop-format.jsonl            # appends; resumes
    python -m studies.evalooop_format ask --stage summary --tasks 0:20 ... -o logs/evalooop-format.jsonl
    python -m studies.evalooop_format report logs/evalooop-format.jsonl \\
        --run-logs logs/results/evalooop-live-0.5b      # the run's loop-1 replies as the chat row

Their prompts and trace are read from the peer data; the replies (which quote the prompts) stay in
the output file under the ignored logs/.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import urllib.request
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from studies.evalooop_live import MODEL_ID, read_subset, same_code
from studies.evalooop_trace import details_file

MAX_TOKENS = 512
"""Their framework's default new-token cap (ours in the run: 1,024)."""
SYSTEM_LINE = "You are a helpful assistant."
"""The generic system line their framework (and Qwen's own template) defaults to."""
FORMATS = ("chat", "chat_system", "transcript", "bare")
"""chat: one user message, the served model's chat template (our run); chat_system: the same
with the system line first (their transformers path); transcript: the plain-text
System/User/Assistant transcript sent as a completion (their vLLM path for chat models); bare: the
prompt alone as a completion (their default when a model is not marked as chat)."""


class FormatError(ValueError):
    """Bad arguments or input, in one line."""


def request(fmt: str, prompt: str, model: str) -> tuple[str, dict[str, Any]]:
    """The endpoint path and JSON body for `prompt` sent in format `fmt`, greedy, 512 tokens."""
    common: dict[str, Any] = {"model": model, "temperature": 0.0, "max_tokens": MAX_TOKENS}
    if fmt == "chat":
        return "/chat/completions", {"messages": [{"role": "user", "content": prompt}], **common}
    if fmt == "chat_system":
        messages = [{"role": "system", "content": SYSTEM_LINE}, {"role": "user", "content": prompt}]
        return "/chat/completions", {"messages": messages, **common}
    if fmt == "transcript":
        return "/completions", {"prompt": f"System: {SYSTEM_LINE}\n\nUser: {prompt}\n\nAssistant:", **common}
    if fmt == "bare":
        return "/completions", {"prompt": prompt, **common}
    raise FormatError(f"unknown format {fmt!r}; choose from {', '.join(FORMATS)}")


def reply_text(answer: dict[str, Any]) -> str:
    """The reply of a chat or completion answer (OpenAI shapes)."""
    choice = answer["choices"][0]
    return str(choice["message"]["content"] if "message" in choice else choice["text"])


def _post(base_url: str, path: str, body: dict[str, Any]) -> dict[str, Any]:
    req = urllib.request.Request(
        base_url.rstrip("/") + path, json.dumps(body).encode(), {"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(req, timeout=900) as answer:  # noqa: S310 (a local server)
        return dict(json.loads(answer.read()))


def _their_items(peer_data: Path, model_id: str) -> dict[str, dict[str, Any]]:
    data = json.loads(details_file(peer_data, model_id).read_text(encoding="utf-8"))
    return {item["task_id"]: item for bucket in data.values() for item in bucket}


def _span(text: str, n: int) -> slice:
    try:
        start, stop = (int(x) if x else None for x in text.split(":"))
    except ValueError:
        raise FormatError(f"--tasks {text!r}: expected START:STOP over the subset's {n} tasks") from None
    return slice(start, stop)


def ask(args: argparse.Namespace) -> None:
    """Send each subset task's prompt in each format; append one JSON line per reply (resumes)."""
    formats = args.formats.split(",")
    for fmt in formats:
        request(fmt, "", "")  # refuses an unknown format before any request
    prompts = args.peer_data / "evalooop" / "prompts"
    template = (
        prompts / ("generation.prompt" if args.stage == "code" else "summarization.prompt")
    ).read_text()
    items = _their_items(args.peer_data, args.model_id)
    subset = read_subset()
    done = set()
    if args.output.is_file():
        done = {
            (r["stage"], r["task"], r["fmt"]) for r in map(json.loads, args.output.open(encoding="utf-8"))
        }
    with args.output.open("a", encoding="utf-8") as out:
        for task in subset[_span(args.tasks, len(subset))]:
            item = items[task]
            if args.stage == "code":
                prompt = template.format(description=item["initial_prompt"])
            else:
                prompt = template.format(code=item["cycles"][0]["code_output"])
            for fmt in formats:
                if (args.stage, task, fmt) in done:
                    continue
                start = time.monotonic()
                text = reply_text(_post(args.base_url, *request(fmt, prompt, args.model)))
                record = {"stage": args.stage, "task": task, "fmt": fmt, "reply": text,
                          "seconds": round(time.monotonic() - start, 1)}  # fmt: skip
                out.write(json.dumps(record) + "\n")
                out.flush()
                print(f"{args.stage} {task} {fmt} {record['seconds']} s", file=sys.stderr, flush=True)


def report(records: Sequence[dict[str, Any]], items: dict[str, dict[str, Any]], entry: dict[str, str]) -> str:
    """Per stage and format: loop-1 code the same program as theirs (equal AST) and the same text;
    summaries holding a fenced block or carrying the code (our spec_leak), beside theirs.
    `entry` maps a task to its function's name."""
    from roundtrip_eval.eval.extract import extract_code, spec_leak
    from studies.evalooop_trace import unwrap_summary

    def leaks(summary: str, task: str) -> bool:
        return spec_leak(summary, entry[task], items[task]["cycles"][0]["code_output"]) is not None

    lines = ["| stage | format | tasks | same as theirs: program (AST) | same text | "
             "reply holds a fence | reply carries the code |", "|---|---|---|---|---|---|---|"]  # fmt: skip
    latest = {(r["stage"], r["task"], r["fmt"]): r for r in records}
    groups: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for (stage, _task, fmt), record in sorted(latest.items()):
        groups.setdefault((stage, fmt), []).append(record)
    for (stage, fmt), group in sorted(groups.items(), key=lambda g: (g[0][0], FORMATS.index(g[0][1]))):
        n, fence = len(group), sum("```" in r["reply"] for r in group)
        if stage == "code":
            codes = [(extract_code(r["reply"], entry[r["task"]], "first_fence").code or "",
                      items[r["task"]]["cycles"][0]["code_output"]) for r in group]  # fmt: skip
            program = sum(same_code(ours, theirs) for ours, theirs in codes)
            text = sum(ours.strip() == theirs.strip() for ours, theirs in codes)
            lines.append(f"| loop-1 code | {fmt} | {n} | {program} | {text} | {fence} | |")
        else:
            leak = sum(leaks(r["reply"], r["task"]) for r in group)
            lines.append(f"| summary of their loop-1 code | {fmt} | {n} | | | {fence} | {leak} |")
    summarised = sorted({r["task"] for r in latest.values() if r["stage"] == "summary"})
    if summarised:
        theirs = {t: unwrap_summary(items[t]["cycles"][0]["summary_output"]) for t in summarised}
        fence = sum("```" in s for s in theirs.values())
        leak = sum(leaks(s, t) for t, s in theirs.items())
        lines.append(
            f"| summary of their loop-1 code | theirs (trace) | {len(theirs)} | | | {fence} | {leak} |"
        )
    return "\n".join(lines) + "\n"


def run_replies(log_dir: Path) -> list[dict[str, Any]]:
    """The live run's loop-1 replies as `chat` records (the run's format, its 1,024-token cap)."""
    from roundtrip_eval.analysis.read import load_rows

    _trials, cycles, _warnings = load_rows(log_dir, progress=False)
    return [{"stage": "code", "task": str(row["problem"]), "fmt": "chat", "reply": row["code_reply"] or ""}
            for row in cycles if row["cycle"] == 1]  # fmt: skip


def entry_points(peer_data: Path) -> dict[str, str]:
    """Each MBPP+ task's function name, from EvalPlus's release."""
    from roundtrip_eval.problems.evalplus import read_rows

    return {
        str(row["task_id"]): str(row["entry_point"])
        for row in read_rows("mbpp_plus", str(peer_data / "evalplus"))
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m studies.evalooop_format", description=__doc__)
    parser.add_argument("--peer-data", type=Path, default=Path("../shared/peer-data"))
    parser.add_argument("--model-id", default=MODEL_ID, help="their details/<model_id>.json")
    commands = parser.add_subparsers(dest="command", required=True)
    asking = commands.add_parser("ask", help="send the prompts to a served model")
    asking.add_argument("--base-url", required=True, help="an OpenAI-compatible server, e.g. .../v1")
    asking.add_argument("--model", default="qwen2.5-coder-0.5b", help="the served model's name")
    asking.add_argument("--formats", default="chat,transcript", help=f"comma-separated of {FORMATS}")
    asking.add_argument("--stage", choices=("code", "summary"), default="code")
    asking.add_argument("--tasks", default=":", help="START:STOP over the pre-registered subset")
    asking.add_argument("-o", "--output", type=Path, required=True, help="JSON lines, appended")
    reporting = commands.add_parser("report", help="the table from the replies")
    reporting.add_argument("replies", type=Path)
    reporting.add_argument("--run-logs", type=Path, help="the live run's log folder: its loop-1 replies "
                           "stand as the chat format's code (they replace any asked)")  # fmt: skip
    args = parser.parse_args(argv)
    try:
        if args.command == "ask":
            ask(args)
            return 0
        items = _their_items(args.peer_data, args.model_id)
        records = [json.loads(line) for line in args.replies.open(encoding="utf-8") if line.strip()]
        if args.run_logs:
            records += run_replies(args.run_logs)
        print(report(records, items, entry_points(args.peer_data)), end="")
    except (FormatError, OSError, json.JSONDecodeError) as error:
        print(f"evalooop_format: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
