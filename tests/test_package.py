"""The package as the inspect_evals register sees it: exported tasks and an eval.yaml that agrees.

Why: `eval.yaml` is what listings and the register read, and `__init__.py` is where a reader
(and the registry's linter) looks for the tasks. Both must stay true to the code: a task added,
renamed, or given more problems fails here.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from peer_data import peer_data

import roundtrip_eval
from roundtrip_eval.eval import tasks
from roundtrip_eval.problems.evalplus import SOURCES, task_ids

PEER_DATA = peer_data() / "evalplus"
EVAL_YAML = Path(roundtrip_eval.__file__).with_name("eval.yaml")


@pytest.fixture(scope="module")
def meta() -> dict:
    return yaml.safe_load(EVAL_YAML.read_text(encoding="utf-8"))


def test_eval_yaml_has_the_registers_fields(meta: dict) -> None:
    for field in ("title", "description", "group", "contributors", "version", "tasks", "metadata"):
        assert meta.get(field), field
    assert set(meta["metadata"]) >= {"sandbox", "fast", "requires_internet"}
    assert meta["metadata"]["requires_internet"] is False and meta["metadata"]["sandbox"] == ["solver"]
    assert "arxiv" not in meta  # the original study has none we could find: left out, not invented


def test_eval_yaml_lists_every_task_with_its_sample_count(meta: dict) -> None:
    listed = {t["name"]: t["dataset_samples"] for t in meta["tasks"]}
    assert list(listed) == list(roundtrip_eval.TASKS)
    for name, count in listed.items():
        if name in SOURCES:  # EvalPlus's data is not shipped: count the rows of the peers' copy
            if not PEER_DATA.is_dir():
                continue
            assert len(task_ids(name, str(PEER_DATA))) == count, name
            continue
        task = getattr(tasks, name)(sandbox="local")
        assert len(task.dataset) == count, f"{name}: eval.yaml says {count}, the task has {len(task.dataset)}"


def test_the_package_exports_the_registered_tasks() -> None:
    from inspect_ai._util.registry import registry_info

    for name in roundtrip_eval.TASKS:
        exported = getattr(roundtrip_eval, name)
        assert exported is getattr(tasks, name) and name in roundtrip_eval.__all__
        assert registry_info(exported).name == f"roundtrip_eval/{name}"
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        _ = roundtrip_eval.nope  # type: ignore[attr-defined]


def test_importing_the_package_does_not_import_inspect() -> None:
    code = (
        "import sys, roundtrip_eval, roundtrip_eval.cli; "
        "heavy = [m for m in ('inspect_ai', 'roundtrip_eval.eval.tasks') if m in sys.modules]; "
        "print(heavy); sys.exit(1 if heavy else 0)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
