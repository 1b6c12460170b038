"""A real model through the whole loop: the embedded 0.5B model, the ollama provider, Docker.

Asserts that real replies flow through prompts, extraction, the checker and the scorers. It
never asserts a survival value: that is the model's.
"""

from pathlib import Path

import pytest
from conftest import skip_or_fail
from inspect_ai import eval as inspect_eval
from inspect_ai.log import resolve_sample_attachments

from roundtrip_eval import local_model
from roundtrip_eval.tasks import fizzbuzz

ALIAS = local_model.DEFAULT_ALIAS


@pytest.fixture(scope="module")
def model_url() -> str:
    """The local server's OpenAI-compatible URL (started here if it is not running)."""
    try:
        import llama_cpp  # noqa: F401
    except ImportError:
        skip_or_fail("model", "llama-cpp-python is not installed: pip install 'roundtrip-eval[local]'")
    if not local_model.model_path(ALIAS).is_file():
        skip_or_fail("model", f"{ALIAS} is not assembled: run `roundtrip-eval model assemble`")
    port = local_model.DEFAULT_PORT
    if not local_model.health(port).serves(ALIAS):
        local_model.serve(ALIAS, port=port)
    return f"http://127.0.0.1:{port}/v1"


@pytest.mark.realmodel
@pytest.mark.docker
@pytest.mark.slow
def test_fizzbuzz_round_trips_on_the_local_model(
    model_url: str, docker_client: object, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OLLAMA_BASE_URL", model_url)
    task = fizzbuzz(epochs=1, cycles=3, temperature=0.0)  # the default Docker sandbox
    [log] = inspect_eval(
        task, model=f"ollama/{ALIAS}", max_connections=1, log_dir=str(tmp_path), display="none"
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
    value = sample.scores["survival"].value
    assert set(value) >= {"survived", "cycles_survived", "survival@1", "survival@3"}
    assert log.results is not None and log.results.scores
