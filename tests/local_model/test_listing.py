"""roundtrip_eval.local_model.listing: cache and chunk-package state per model."""

from __future__ import annotations

from roundtrip_eval import local_model as lm

from .fakes import FakeModel


def test_list_models_reports_chunks_and_cache(fake_model: FakeModel) -> None:
    def info() -> lm.ModelInfo:
        return next(i for i in lm.list_models() if i.alias == fake_model.spec.alias)

    assert (info().chunks_installed, info().chunks_total, info().assembled) == (3, 3, False)
    lm.assemble(fake_model.spec.alias)
    assert (info().assembled, info().verified) == (True, True)
    aliases = [i.alias for i in lm.list_models()]
    assert aliases[:2] == ["qwen2.5-coder-0.5b", "qwen2.5-coder-1.5b"]
