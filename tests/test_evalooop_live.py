"""The live EvaLooop comparison (studies/evalooop_live.py): the pre-registered subset and the tables."""

from __future__ import annotations

import pytest
from peer_data import evalplus_dir

from studies.evalooop_live import HARNESS_LIMITED, SUBSET_SIZE, draw_subset, read_subset


def test_the_committed_subset_is_the_seeded_draw() -> None:
    committed = read_subset()
    assert len(committed) == len(set(committed)) == SUBSET_SIZE
    assert set(HARNESS_LIMITED) <= set(committed)
    assert committed == draw_subset(str(evalplus_dir()))


def test_the_draw_depends_on_the_seed() -> None:
    from roundtrip_eval.eval.dataset import select_problems

    other = select_problems("mbpp_plus", str(evalplus_dir()), None, SUBSET_SIZE, 31)
    assert other != read_subset()
    with pytest.raises(ValueError, match="count"):
        select_problems("mbpp_plus", str(evalplus_dir()), None, 0, 30)
