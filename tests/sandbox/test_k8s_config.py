"""The Kubernetes route: `sandbox/k8s-values.yaml` for inspect-k8s-sandbox's `k8s` provider.

No cluster is available here, so this checks everything short of one:
- the file fits the values schema of the provider's built-in `agent-env` chart, merged over the
  chart's defaults the way Helm merges them (and a broken value is refused, so the check can
  fail);
- it runs the same sandbox as `compose.yaml` and `RoundtripDockerConfig`: the same image, user,
  read-only root, dropped capabilities, memory and CPU, in-memory work dir and /tmp, no network;
- the provider itself accepts it: `config_deserialize`, then its own `task_init` and
  `sample_init`, which go as far as running `helm install` of the built-in chart with this file
  as `--values`. `helm` is a stand-in here that records its arguments and reports that there is
  no cluster.

Needs the `k8s` extra (`pip install 'roundtrip-eval[k8s]'`).
"""

from __future__ import annotations

import json
import os
import re
import stat
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import skip_or_fail

from roundtrip_eval.resources import data_dir
from roundtrip_eval.sandbox import IMAGE, RoundtripDockerConfig

VALUES = data_dir("sandbox") / "k8s-values.yaml"


def k8s_sandbox() -> Any:
    try:
        import k8s_sandbox
    except ImportError:
        skip_or_fail("k8s", "inspect-k8s-sandbox is not installed: pip install 'roundtrip-eval[k8s]'")
    return k8s_sandbox


def values() -> dict[str, Any]:
    loaded = yaml.safe_load(VALUES.read_text(encoding="utf-8"))
    assert isinstance(loaded, dict)
    return loaded


def helm_merge(base: Any, override: Any) -> Any:
    """Helm's values merge: maps merge key by key, anything else (lists too) is replaced."""
    if isinstance(base, dict) and isinstance(override, dict):
        merged = dict(base)
        for key, value in override.items():
            merged[key] = helm_merge(base.get(key), value) if key in base else value
        return merged
    return override


def chart_check(user_values: dict[str, Any]) -> list[str]:
    """Schema errors of `user_values` merged over the built-in chart's defaults."""
    import jsonschema

    chart = Path(k8s_sandbox().__file__).parent / "resources" / "helm" / "agent-env"
    defaults = yaml.safe_load((chart / "values.yaml").read_text(encoding="utf-8"))
    schema = json.loads((chart / "values.schema.json").read_text(encoding="utf-8"))
    validator = jsonschema.Draft7Validator(schema)
    return [e.message for e in validator.iter_errors(helm_merge(defaults, user_values))]


def test_values_fit_the_chart_schema() -> None:
    assert chart_check(values()) == []
    broken = values()
    broken["services"]["default"]["image"] = 512
    broken["services"]["default"]["workingDir"] = ["/work"]
    assert len(chart_check(broken)) == 2
    assert chart_check({"services": {"Not_A_Name": {"image": IMAGE}}})  # service names are DNS labels


def _size(text: str) -> int:
    """MiB in `512m` (compose) or `512Mi` (Kubernetes)."""
    found = re.fullmatch(r"(\d+)(m|Mi)", text)
    assert found, text
    return int(found.group(1))


def test_values_run_the_same_sandbox_as_compose() -> None:
    compose = yaml.safe_load((data_dir("sandbox") / "compose.yaml").read_text(encoding="utf-8"))
    service = compose["services"]["default"]
    cfg = RoundtripDockerConfig()
    [name] = values()["services"]
    default = values()["services"][name]
    assert name == "default"
    assert default["image"] == IMAGE == service["image"] == cfg.image
    assert default["command"] == service["command"] and default["workingDir"] == cfg.workdir
    security = default["securityContext"]
    user, group = (int(x) for x in cfg.user.split(":"))
    assert (security["runAsUser"], security["runAsGroup"]) == (user, group)
    assert security["readOnlyRootFilesystem"] is True and security["allowPrivilegeEscalation"] is False
    assert security["capabilities"]["drop"] == service["cap_drop"] == ["ALL"]
    limits, requests = default["resources"]["limits"], default["resources"]["requests"]
    assert limits == requests  # Guaranteed QoS
    assert _size(limits["memory"]) == _size(cfg.memory) == _size(service["mem_limit"])
    assert float(limits["cpu"]) == cfg.cpus == float(service["cpus"])
    mounts = {m["name"]: m["mountPath"] for m in default["volumeMounts"]}
    for volume in default["volumes"]:
        assert volume["emptyDir"]["medium"] == "Memory"
        assert _size(volume["emptyDir"]["sizeLimit"]) == _size(cfg.tmpfs_size)
    assert sorted(mounts.values()) == sorted(t.split(":")[0] for t in service["tmpfs"]) == ["/tmp", "/work"]
    assert values()["allowDomains"] == values()["allowCIDR"] == values()["allowEntities"] == []
    assert service["network_mode"] == "none"


FAKE_HELM = """#!{python}
import json, sys
with open({record!r}, "a") as fh:
    fh.write(json.dumps(sys.argv[1:]) + "\\n")
if sys.argv[1:3] == ["version", "--short"]:
    print("v3.15.3+g3bb50bb")
elif sys.argv[1] == "install":
    sys.stderr.write("Error: INSTALLATION FAILED: no cluster here (a test stand-in for helm)\\n")
    sys.exit(1)
"""


async def test_the_provider_accepts_the_values_and_installs_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from inspect_ai.util import SandboxEnvironmentSpec

    k8s = k8s_sandbox()
    from k8s_sandbox import K8sSandboxEnvironment, K8sSandboxEnvironmentConfig

    config = K8sSandboxEnvironment.config_deserialize({"values": str(VALUES)})
    assert isinstance(config, K8sSandboxEnvironmentConfig) and config.values == VALUES
    spec = SandboxEnvironmentSpec("k8s", config)  # what `--sandbox k8s:<file>` becomes
    assert SandboxEnvironmentSpec.model_validate(spec.model_dump()).config == config

    record = tmp_path / "helm-calls.jsonl"
    helm = tmp_path / "bin" / "helm"
    helm.parent.mkdir()
    helm.write_text(FAKE_HELM.format(python=sys.executable, record=str(record)))
    helm.chmod(helm.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{helm.parent}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("INSPECT_K8S_DEFAULT_NAMESPACE", "roundtrip-test")
    monkeypatch.setenv("KUBECONFIG", str(tmp_path / "no-kubeconfig"))

    await K8sSandboxEnvironment.task_init("roundtrip", config)  # checks helm's version
    with pytest.raises(Exception, match="Helm install failed") as failure:
        await K8sSandboxEnvironment.sample_init("roundtrip", config, {})
    assert "no cluster here" in str(failure.value)

    calls = [json.loads(line) for line in record.read_text().splitlines()]
    [install] = [c for c in calls if c[0] == "install"]
    chart = Path(k8s.__file__).parent / "resources" / "helm" / "agent-env"
    assert Path(install[2]) == chart  # the built-in agent-env chart
    assert install[install.index("--values") + 1] == str(VALUES)
    assert "--namespace=roundtrip-test" in install
    assert any(c[0] == "uninstall" for c in calls)  # the provider cleans up a failed install
