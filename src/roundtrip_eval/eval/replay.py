"""`replay/<file>`: an offline model that answers from a file of recorded replies.

Why: unit and integration tests need a model that is deterministic, needs no network and
fills `usage` (Inspect's mockllm counts tokens with a download otherwise). Users can also
replay recorded replies, e.g. to rescore old trials with a new checker.

File format (JSON Lines; `#` lines are comments). Each line scripts one trial:

    {"sample": "fizzbuzz", "epoch": 1, "replies": ["<g reply>", "<f reply>", ...]}

`sample` is the sample id (the problem name) and `epoch` the epoch (1, 2, ...), either one
`"*"` (or left out) for any; one line per (sample, epoch). Other fields (e.g. `upstream_run`,
provenance written by `roundtrip-eval rescore-upstream`) are ignored, except a near-miss of
`sample`, `epoch` or `replies` (a typo would otherwise widen the line to any epoch). Replies
are consumed in order, one per generate call of that trial (g, f, g, f, ...). A reply is a
string, or an object: `{"text": "..."}`, `{"empty": true}` (a transport-level empty response)
or `{"error": "message"}` (the transport fails and raises). A trial that asks for more replies
than its line holds is an error, never a silent default. The whole file is checked when the
model is created: a malformed line is one `ReplayError` naming `file:line` and the field, and
no trial runs.

A line may end with `{"stop": "reason"}`: a recorded trial that ends there (e.g. an upstream
trial rescored by `roundtrip-eval rescore-upstream`, whose next cycle was never generated).
Reaching it raises `ReplayExhausted`, a sample limit: the trial stops cleanly, is scored on the
cycles it completed and reads as *censored* in the analysis, neither an infrastructure error
nor a model failure.
"""

from __future__ import annotations

import difflib
import json
import threading
from pathlib import Path
from typing import Any

from inspect_ai.model import (
    ChatMessage,
    GenerateConfig,
    ModelAPI,
    ModelOutput,
    ModelUsage,
    modelapi,
)
from inspect_ai.tool import ToolChoice, ToolInfo
from inspect_ai.util import LimitExceededError

from roundtrip_eval._inspect_private import OneLineError, active_sample_key

ANY = "*"


class ReplayTransportError(ConnectionError):
    """A scripted transport failure: it must surface as a sample error, never as a score."""


class ReplayExhausted(LimitExceededError):
    """The replayed record ends here (`{"stop": ...}`): a clean stop, recorded as a sample limit.

    Why a limit: Inspect ends a sample that hits a limit without an error and still scores it,
    and `sample.limit` says why it stopped, so the trial is censored, not failed or errored.
    """

    def __init__(self, where: str, reason: str, replies_used: int) -> None:
        super().__init__(
            "custom",
            value=replies_used,
            limit=replies_used,
            message=f"replay {where}: the recorded trial ends here ({reason})",
        )


class ReplayError(OneLineError):
    """A malformed replay file: one line naming `file:line` and the field, before any trial."""


FIELDS = ("sample", "epoch", "replies")
REPLY_KINDS = ("text", "empty", "error", "stop")
SHAPE = '{"sample": "<id>", "epoch": 1, "replies": ["<reply>", ...]}'
REPLY_SHAPE = 'a string, {"text": "..."}, {"empty": true}, {"error": "..."} or {"stop": "..."}'


def _kind(value: Any) -> str:
    """`string "abc"`, `number 7`, `null`: the JSON type first, then the value, shortened."""
    text = json.dumps(value, ensure_ascii=False)
    shown = text if len(text) <= 40 else text[:37] + "..."
    if value is None or isinstance(value, bool):
        return shown
    names: dict[type, str] = {dict: "object", list: "list", str: "string"}
    name = names.get(type(value), "number")
    return f"{name} {shown}"


def check_reply(reply: Any, where: str, last: bool) -> str | None:
    """What is wrong with one reply (None if nothing)."""
    if isinstance(reply, str):
        return None
    if not isinstance(reply, dict):
        return f"{where} must be {REPLY_SHAPE}; got {_kind(reply)}"
    keys = sorted(reply)
    if len(keys) != 1 or keys[0] not in REPLY_KINDS:
        return f"{where} must be {REPLY_SHAPE}; got an object with keys {keys}"
    kind, value = keys[0], reply[keys[0]]
    if kind == "empty" and value is not True:
        return f"{where}: \"empty\" must be true; got {_kind(value)}"
    if kind != "empty" and not isinstance(value, str):
        return f"{where}: \"{kind}\" must be a string; got {_kind(value)}"
    if kind == "stop" and not last:
        return f"{where}: a {{\"stop\"}} reply ends the recorded trial, so it must be the last one"
    return None


def check_line(entry: Any) -> str | None:
    """What is wrong with one parsed line (None if nothing), naming the field."""
    if not isinstance(entry, dict):
        return f"a replay line is a JSON object {SHAPE}; got {_kind(entry)}"
    for key in entry:
        near = difflib.get_close_matches(str(key), FIELDS, n=1, cutoff=0.65)
        if key not in FIELDS and near:
            return f"field {key!r} is not a replay field; did you mean {near[0]!r}?"
    sample = entry.get("sample", ANY)
    if not isinstance(sample, str) or not sample:
        return f"field 'sample' must be a sample id (a string) or \"*\"; got {_kind(sample)}"
    epoch = entry.get("epoch", ANY)
    if epoch != ANY and not (type(epoch) is int and epoch >= 1):
        return f"field 'epoch' must be an epoch number (1, 2, ...) or \"*\"; got {_kind(epoch)}"
    if "replies" not in entry:
        return "field 'replies' is missing (the list of the trial's recorded replies)"
    replies = entry["replies"]
    if not isinstance(replies, list):
        return f"field 'replies' must be a list of replies ({REPLY_SHAPE}); got {_kind(replies)}"
    for i, reply in enumerate(replies, start=1):
        if found := check_reply(reply, f"field 'replies' item {i}", i == len(replies)):
            return found
    return None


def load_script(path: Path) -> dict[tuple[str, str], list[Any]]:
    """Parse a replay file into {(sample, epoch): replies}; a malformed line is a ReplayError."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ReplayError(f"replay file not found: {path}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ReplayError(f"replay file {path} cannot be read: {exc}") from None
    script: dict[tuple[str, str], list[Any]] = {}
    first: dict[tuple[str, str], int] = {}
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        try:
            entry = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ReplayError(f"{path}:{n}: not JSON ({exc.msg} at column {exc.colno})") from None
        if problem := check_line(entry):
            raise ReplayError(f"{path}:{n}: {problem}")
        key = (str(entry.get("sample", ANY)), str(entry.get("epoch", ANY)))
        if key in first:
            raise ReplayError(
                f"{path}:{n}: a second line for sample {key[0]} epoch {key[1]} "
                f"(the first is line {first[key]})"
            )
        first[key] = n
        script[key] = entry["replies"]
    if not script:
        raise ReplayError(f"{path}: no replay lines (one JSON object per line: {SHAPE})")
    return script


class ReplayModel(ModelAPI):
    def __init__(
        self,
        model_name: str,
        base_url: str | None = None,
        api_key: str | None = None,
        config: GenerateConfig = GenerateConfig(),  # noqa: B008 - Inspect's signature
        file: str | None = None,
        **model_args: Any,
    ) -> None:
        super().__init__(model_name, base_url, api_key, [], config)
        self.path = Path(file or model_name).expanduser()
        self.script = load_script(self.path)
        self.calls: dict[tuple[str, str], int] = {}
        self.lock = threading.Lock()

    def _next_reply(self) -> tuple[Any, str]:
        sample, epoch = active_sample_key() or (ANY, ANY)
        for key in ((sample, epoch), (sample, ANY), (ANY, epoch), (ANY, ANY)):
            if key in self.script:
                break
        else:
            raise ValueError(f"replay file {self.path} has no line for sample {sample} epoch {epoch}")
        with self.lock:
            counter = (sample, epoch)
            index = self.calls.get(counter, 0)
            self.calls[counter] = index + 1
        replies = self.script[key]
        if index >= len(replies):
            raise ValueError(
                f"replay file {self.path}: sample {sample} epoch {epoch} asked for reply "
                f"{index + 1} but its line holds {len(replies)}"
            )
        return replies[index], f"{sample}/{epoch}#{index + 1}"

    async def generate(
        self,
        input: list[ChatMessage],
        tools: list[ToolInfo],
        tool_choice: ToolChoice,
        config: GenerateConfig,
    ) -> ModelOutput:
        reply, where = self._next_reply()
        if isinstance(reply, dict) and "stop" in reply:
            raise ReplayExhausted(where, str(reply["stop"]), int(where.rsplit("#", 1)[1]) - 1)
        if isinstance(reply, dict) and "error" in reply:
            raise ReplayTransportError(f"replay {where}: {reply['error']}")
        if isinstance(reply, dict) and reply.get("empty"):
            return ModelOutput(model=self.model_name, choices=[], usage=ModelUsage())
        text = reply["text"] if isinstance(reply, dict) else reply
        prompt_chars = sum(len(m.text) for m in input)
        output = ModelOutput.from_content(model=self.model_name, content=text)
        input_tokens, output_tokens = prompt_chars // 4 + 1, len(text) // 4 + 1
        output.usage = ModelUsage(
            input_tokens=input_tokens,
            output_tokens=output_tokens,
            total_tokens=input_tokens + output_tokens,
        )
        return output


@modelapi(name="replay")
def replay() -> type[ModelAPI]:
    return ReplayModel
