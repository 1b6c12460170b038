"""`replay/<file>`: an offline model that answers from a file of recorded replies.

Why: unit and integration tests need a model that is deterministic, needs no network and
fills `usage` (Inspect's mockllm counts tokens with a download otherwise). Users can also
replay recorded replies, e.g. to rescore old trials with a new checker.

File format (JSON Lines; `#` lines are comments). Each line scripts one trial:

    {"sample": "fizzbuzz", "epoch": 1, "replies": ["<g reply>", "<f reply>", ...]}

`sample` is the sample id (the problem name) and `epoch` the epoch, or `"*"` for any. Replies
are consumed in order, one per generate call of that trial (g, f, g, f, ...). A reply is a
string, or an object: `{"text": "..."}`, `{"empty": true}` (a transport-level empty response)
or `{"error": "message"}` (the transport fails and raises). A trial that asks for more replies
than its line holds is an error, never a silent default.

A line may end with `{"stop": "reason"}`: a recorded trial that ends there (e.g. an upstream
trial rescored by `roundtrip-eval rescore-upstream`, whose next cycle was never generated).
Reaching it raises `ReplayExhausted`, a sample limit: the trial stops cleanly, is scored on the
cycles it completed and reads as *censored* in the analysis, neither an infrastructure error
nor a model failure.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

from inspect_ai.log._samples import sample_active
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


def load_script(path: Path) -> dict[tuple[str, str], list[Any]]:
    """Parse a replay file into {(sample, epoch): replies}."""
    if not path.is_file():
        raise FileNotFoundError(f"replay file not found: {path}")
    script: dict[tuple[str, str], list[Any]] = {}
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        try:
            entry = json.loads(line)
            key = (str(entry.get("sample", ANY)), str(entry.get("epoch", ANY)))
            script[key] = list(entry["replies"])
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            raise ValueError(f"{path}:{n}: not a replay line ({exc})") from exc
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
        active = sample_active()
        sample = str(active.sample.id) if active else ANY
        epoch = str(active.epoch) if active else ANY
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
        text = reply["text"] if isinstance(reply, dict) else str(reply)
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
