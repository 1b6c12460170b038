"""EvaLooop's ASL as they define it, and their chain (start from the prompt, the assert line
re-attached) on a scripted run whose answer is known in advance."""

from __future__ import annotations

import gzip
import json
import math
from pathlib import Path
from typing import Any

import pytest
from inspect_ai import eval as inspect_eval
from inspect_ai.event import ModelEvent
from inspect_ai.log import EvalLog, resolve_sample_attachments
from peer_data import peer_data

from roundtrip_eval.eval import peers
from roundtrip_eval.eval.tasks import mbpp_plus

PROMPT = '"""\nWrite a function to add one.\nassert add_one(1) == 2\n"""\n'
GOOD = "def add_one(x):\n    return x + 1"
WRONG = "def add_one(x):\n    return x + 2"


def fenced(code: str) -> str:
    return f"```python\n{code}\n```"


def test_asl_pow_and_the_judge_weighted_asl() -> None:
    # EvaLooop's published histogram for Qwen2.5-Coder-0.5B-Instruct (n_0..n_10, 378 tasks)
    counts = [228, 12, 9, 0, 0, 0, 0, 0, 0, 0, 129]
    loops = [i for i, n in enumerate(counts) for _ in range(n)]
    assert peers.loop_histogram(loops, 10) == counts
    assert peers.evalooop_asl(loops, 10) == pytest.approx(12948 / 3780)  # 3.425; published 3.424
    assert peers.evalooop_asl(loops, 10) == pytest.approx(peers.average_sustainable_loops(loops, 10))
    assert peers.pass_at_loop(loops, 1) == pytest.approx(150 / 378)  # their 39.68%
    assert peers.pass_at_loop(loops, 10) == pytest.approx(129 / 378)  # their 34.13%
    # judge scores of the failure boundary: s_1 = m_1, s_2 = (m_2 + 1) / 2
    weighted = peers.evalooop_asl(loops, 10, {1: [0.5, 0.0], 2: [1.0]})
    assert weighted == pytest.approx((12 * 1 * 0.25 + 9 * 4 * 1.0 + 129 * 100) / 3780)
    with pytest.raises(ValueError, match="buckets 1..9"):
        peers.bucket_weights({10: [0.5]}, 10)
    with pytest.raises(ValueError, match="outside 0..10"):
        peers.loop_histogram([11], 10)
    assert math.isnan(peers.evalooop_asl([], 10))


def test_published_asl_pow_from_evalooops_own_trace() -> None:
    details = peer_data() / "evalooop" / "details" / "qwen2.5-coder-0.5b-instruct.json"
    if not details.is_file():
        pytest.skip("../shared/peer-data/evalooop is absent")
    data = json.loads(details.read_text(encoding="utf-8"))
    loops = [int(k) for k, tasks in data.items() for _ in tasks]
    assert len(loops) == 378
    assert peers.evalooop_asl(loops, 10) == pytest.approx(3.424, abs=0.002)


def _data(tmp_path: Path) -> str:
    rows = [
        {"task_id": f"Mbpp/{n}", "prompt": PROMPT, "entry_point": "add_one",
         "canonical_solution": f"\n{GOOD}\n", "base_input": [[1], [2]],
         "plus_input": [[i] for i in range(-30, 30)], "atol": 0}
        for n in (8, 9)
    ]  # fmt: skip
    path = tmp_path / "MbppPlus.jsonl.gz"
    with gzip.open(path, "wt", encoding="utf-8") as stream:
        stream.write("".join(json.dumps(r) + "\n" for r in rows))
    return str(path)


def _replay(tmp_path: Path, second_summary: str = "adds one") -> str:
    script: dict[str, list[Any]] = {
        "Mbpp/8": [fenced(GOOD), "adds one", fenced(GOOD), second_summary, fenced(GOOD)],  # sustains 3
        "Mbpp/9": [fenced(GOOD), "adds two", fenced(WRONG)],  # sustains 1
    }
    path = tmp_path / "replies.jsonl"
    lines = [json.dumps({"sample": s, "epoch": 1, "replies": r}) + "\n" for s, r in script.items()]
    path.write_text("".join(lines))
    return str(path)


def test_a_scripted_evalooop_chain_gives_the_asl_known_in_advance(tmp_path: Path) -> None:
    task = mbpp_plus(dataset=_data(tmp_path), sandbox="local", cycles=3, epochs=1, temperature=0.0,
                     start="prompt", attach_assert=True, compare="evalplus")  # fmt: skip
    [log] = inspect_eval(task, model=f"replay/{_replay(tmp_path)}", log_dir=str(tmp_path / "logs"),
                         display="none")  # fmt: skip
    assert isinstance(log, EvalLog) and log.status == "success" and log.results is not None
    metrics = {(s.name, k): m.value for s in log.results.scores for k, m in s.metrics.items()}
    assert metrics[("peers", "asl")] == pytest.approx((3**2 + 1**2) / (2 * 3))  # ASL_pow = 1.667
    assert metrics[("curves", "survival@1")] == 1.0  # pass@1 at loop 1
    assert metrics[("curves", "survival@2")] == 0.5 and metrics[("curves", "survival@3")] == 0.5
    assert log.eval.metadata is not None and log.eval.metadata["compare"] == "evalplus"
    assert log.samples is not None
    sample = resolve_sample_attachments(next(s for s in log.samples if s.id == "Mbpp/9"))
    history = sample.store["cycles"]
    assert history[0]["spec_rule"] == "prompt" and history[0]["spec"] == PROMPT
    assert [r["passed"] for r in history] == [True, False]
    prompts = [e.input[0].text for e in sample.events if isinstance(e, ModelEvent)]
    assert len(prompts) == 3 and PROMPT.strip("\n") in prompts[0]  # f first, on the prompt
    assert "adds two\nassert add_one(1) == 2\n" in prompts[2]  # the assert line re-attached


def test_first_fence_extraction_is_evalooops_rule() -> None:
    from roundtrip_eval.eval.extract import extract_code

    two = "text\n```python\ndef a():\n    return 1\n```\nmore\n```\ndef b(): pass\n```"
    assert extract_code(two, "b", "first_fence").code == "def a():\n    return 1"
    bare = "def add_one(x):\n    return x + 1\n"
    found = extract_code(bare, "add_one", "first_fence")
    assert found.code == bare.strip() and found.rule == "first_fence:whole_reply"
    assert extract_code("   ", "f", "first_fence").code is None


def test_evalooops_generation_placeholder_is_filled_verbatim(tmp_path: Path) -> None:
    from roundtrip_eval.eval.prompts.user import load_user_templates

    folder = tmp_path / "en" / "pseudocode"
    folder.mkdir(parents=True)
    (folder / "spec_to_code_evalooop.prompt").write_text("Task: \n{description}\nCode only.")
    (folder / "code_to_spec_evalooop.prompt").write_text("Summarise:\n{code}\n")
    templates = load_user_templates(tmp_path)
    kw = {"problem": "Mbpp/2", "language": "en", "spec_format": "pseudocode", "style": "evalooop"}
    assert templates.render("f", PROMPT, **kw) == f"Task: \n{PROMPT}\nCode only."
    assert templates.render("g", "\ndef f(): pass\n", **kw) == "Summarise:\ndef f(): pass\n"


def test_the_preset_runs_their_protocol_with_their_templates(tmp_path: Path) -> None:
    folder = tmp_path / "prompts" / "en" / "pseudocode"
    folder.mkdir(parents=True)
    (folder / "spec_to_code_evalooop.prompt").write_text("Generate: \n{description}\nCode only.")
    (folder / "code_to_spec_evalooop.prompt").write_text("Summarise:\n\n```\n{code}\n```\n")
    task = mbpp_plus(dataset=_data(tmp_path), sandbox="local", preset="evalooop", cycles=3,
                     prompts=str(tmp_path / "prompts"))  # fmt: skip
    replies = _replay(tmp_path, second_summary=fenced(GOOD))  # a "summary" that is the code
    [log] = inspect_eval(task, model=f"replay/{replies}", log_dir=str(tmp_path / "logs"), display="none")
    assert log.status == "success" and log.results is not None and log.samples is not None
    meta = log.eval.metadata or {}
    chosen = (meta["preset"], meta["compare"], meta["start"], meta["temperature"])
    assert chosen == ("evalooop", "evalplus", "prompt", 0.0)
    assert log.plan.config.temperature == 0.0
    sample = resolve_sample_attachments(next(s for s in log.samples if s.id == "Mbpp/8"))
    prompts = [e.input[0].text for e in sample.events if isinstance(e, ModelEvent)]
    assert prompts[0] == f"Generate: \n{PROMPT}\nCode only."
    assert prompts[1] == f"Summarise:\n\n```\n{GOOD}\n```\n"
    assert prompts[2] == 'Generate: \n"""\nadds one\nassert add_one(1) == 2\n"""\n\nCode only.'
    history = sample.store["cycles"]
    assert [r["extraction_rule"] for r in history] == ["first_fence"] * 3
    # their loop sends a summary that is the code on to f (no spec gate): recorded, not stopped
    assert [r["spec_leak"] for r in history] == [False, False, True]
    assert [r["passed"] for r in history] == [True, True, True]
