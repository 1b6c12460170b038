"""The `roundtrip-docker` sandbox: one hardened Docker container per trial, and its image.

Laid out like Inspect's own docker provider (`inspect_ai/util/_sandbox/docker/`): the provider
class in `provider.py` hands its work to one module per concern.

| module | job |
|---|---|
| `provider.py` | the `@sandboxenv("roundtrip-docker")` class: the `SandboxEnvironment` contract only |
| `config.py` | `RoundtripDockerConfig` and how a task's sandbox config becomes one |
| `engine.py` | connecting to the Docker engine; the one-line errors when it cannot be used |
| `image.py` | the image `roundtrip-eval-sandbox:<version>`: docker build, or offline (debootstrap) |
| `containers.py` | trial containers: labels, create, remove, what one eval run created |
| `pid1.py` | the init script every container runs as PID 1, and the signal that makes it kill |
| `exec.py` | `exec` semantics: timeout, output cap, kill, exit codes |
| `warm.py` | the trial's warm runner: one long-lived checker runner, one job per check |
| `spares.py` | the next trials' containers, started while the current trials run |
| `stream.py` | one docker exec on a hijacked socket (stdin in, demultiplexed output out) |
| `files.py` | `write_file` and `read_file` through exec |
| `cli.py` | the `roundtrip-eval sandbox build` and `sandbox cleanup` subcommands |

The Dockerfile, `compose.yaml` (for Inspect's own `docker` provider) and the offline build's
notes are in the repository's top-level `sandbox/` folder.
"""

from roundtrip_eval.sandbox.config import RoundtripDockerConfig
from roundtrip_eval.sandbox.containers import LABEL, LABEL_RUN, remove_containers
from roundtrip_eval.sandbox.engine import SandboxEngineError, SandboxSetupError, connect
from roundtrip_eval.sandbox.image import IMAGE, SandboxImageError, ensure_image, image_exists
from roundtrip_eval.sandbox.provider import RoundtripDockerSandbox
from roundtrip_eval.sandbox.warm import RunnerLost

__all__ = [
    "IMAGE",
    "LABEL",
    "LABEL_RUN",
    "RoundtripDockerConfig",
    "RoundtripDockerSandbox",
    "RunnerLost",
    "SandboxEngineError",
    "SandboxImageError",
    "SandboxSetupError",
    "connect",
    "ensure_image",
    "image_exists",
    "remove_containers",
]
