"""The real model: the embedded 0.5B model through Inspect's ollama provider, and through the
whole loop (prompts, extraction, the checker in Docker, the scorers).

Asserts that real replies flow through; never a survival value: that is the model's. Skips go
through `skip_or_fail`, so CI (`ROUNDTRIP_REQUIRE_MODEL=1`) fails instead of skipping.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from conftest import skip_or_fail
from inspect_ai import eval as inspect_eval
from inspect_ai.log import resolve_sample_attachments

from roundtrip_eval import local_model
from roundtrip_eval.eval.tasks import fizzbuzz

from .fakes import free_port

ALIAS = local_model.DEFAULT_ALIAS
INSTALL_SERVER = f"llama-cpp-python is not installed: {local_model.get_spec(ALIAS).install_hint}"
ASSEMBLE = f"{ALIAS} is not assembled: run `roundtrip-eval model assemble`"


@pytest.fixture(scope="module")
def model_url() -> str:
    """The local server's OpenAI-compatible URL (started here if it is not running)."""
    try:
        import llama_cpp  # noqa: F401
    except ImportError:
        skip_or_fail("model", INSTALL_SERVER)
    if not local_model.model_path(ALIAS).is_file():
        skip_or_fail("model", ASSEMBLE)
    port = local_model.DEFAULT_PORT
    if not local_model.health(port).serves(ALIAS):
        local_model.serve(ALIAS, port=port)
    return f"http://127.0.0.1:{port}/v1"


@pytest.mark.realmodel
@pytest.mark.slow
async def test_real_model_answers_through_inspects_ollama_provider() -> None:
    if importlib.util.find_spec("llama_cpp") is None:
        skip_or_fail("model", INSTALL_SERVER)
    info = next(i for i in local_model.list_models() if i.alias == ALIAS)
    if not info.assembled:
        skip_or_fail("model", ASSEMBLE)

    from inspect_ai.model import GenerateConfig, get_model

    port = free_port()
    try:
        result = local_model.serve(ALIAS, port=port)
        assert not result.reused and local_model.health(port).serves(ALIAS)
        model = get_model(f"ollama/{ALIAS}", base_url=result.base_url)
        # Few retries: a server that crashed on the request fails the test, not hangs it.
        config = GenerateConfig(temperature=0, seed=1, max_tokens=96, max_retries=2)
        prompt = "Write a python function add(a, b) that returns the sum."
        first = await model.generate(prompt, config=config)
        second = await model.generate(prompt, config=config)
        assert first.completion.strip()
        assert "def add" in first.completion
        assert first.usage is not None and first.usage.output_tokens > 0
        # The same prompt right after itself is where llama.cpp's prefix reuse used to change
        # the reply; with it off, a seeded request reproduces.
        assert second.completion == first.completion
    finally:
        local_model.stop(port)
    assert not local_model.health(port).reachable


@pytest.mark.realmodel
@pytest.mark.docker
@pytest.mark.slow
def test_fizzbuzz_round_trips_on_the_local_model(
    model_url: str, docker_client: object, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OLLAMA_BASE_URL", model_url)
    task = fizzbuzz(epochs=1, cycles=3, temperature=0.0)  # the default Docker sandbox
    [log] = inspect_eval(
        task, model=f"ollama/{ALIAS}", max_connections=1, log_dir=str(tmp_path), display="none",
        max_retries=2,
    )
    assert log.status == "success", log.error
    assert log.eval.metadata and log.eval.metadata["sandbox"] == "roundtrip-docker"
    [sample] = log.samples or []
    sample = resolve_sample_attachments(sample)
    events = [e for e in sample.events if e.event == "model"]
    assert events and all(e.model == f"ollama/{ALIAS}" for e in events)
    assert all(e.output.completion.strip() for e in events)
    assert all(e.output.usage and e.output.usage.output_tokens > 0 for e in events)
    history = sample.store["cycles"]
    assert 1 <= len(history) <= 3
    for record in history:
        assert record["spec"] and record["spec_rule"].endswith("spec")
        assert record["extraction_rule"]
        if record is not history[-1]:
            assert record["code"] and record["passed"]
    if history[-1]["code"] is None:
        assert history[-1]["category"] == "extraction"
    for name in ("survival", "drift", "stability", "consistency"):
        assert name in sample.scores
    assert set(sample.scores["survival"].value) == {"survived", "cycles_survived"}  # type: ignore[arg-type]
    assert set(sample.scores["curves"].value) >= {"survival@1", "survival@3"}  # type: ignore[arg-type]
    assert log.results is not None and log.results.scores
