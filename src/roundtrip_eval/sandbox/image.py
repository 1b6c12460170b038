"""The sandbox image `roundtrip-eval-sandbox:<version>`: Debian bookworm with python3, no more.

Two builds give the same contents (Debian's python3 3.11 on a minimal bookworm):

- `docker build` from `sandbox/Dockerfile`. It needs a registry for the `debian:bookworm-slim`
  base image.
- Offline: debootstrap a minimal bookworm (variant minbase, plus python3) from a Debian package
  mirror, trim it, tar it and `docker import` it. It needs root and debootstrap, but no registry.
  The mirror comes from `--mirror`, else `$ROUNDTRIP_EVAL_DEBIAN_MIRROR`, else the host's apt
  sources, else debootstrap's default.

`ensure_image` tries them in that order (`roundtrip-eval sandbox build`, see `cli.py`). Like
`engine.py`, this module imports `docker` only inside functions.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from roundtrip_eval import __version__

if TYPE_CHECKING:
    from docker import DockerClient

IMAGE_REPOSITORY = "roundtrip-eval-sandbox"
IMAGE = f"{IMAGE_REPOSITORY}:{__version__}"
"""The image our provider and `sandbox/compose.yaml` run (one tag per package version)."""

SUITE = "bookworm"
MIRROR_ENV = "ROUNDTRIP_EVAL_DEBIAN_MIRROR"

# Dockerfile instructions applied by `docker import`; keep in step with sandbox/Dockerfile.
IMAGE_CHANGES = [
    "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
    "ENV LANG=C.UTF-8",
    "ENV PYTHONDONTWRITEBYTECODE=1",
    "ENV HOME=/work",
    "WORKDIR /work",
    "USER 65534:65534",
    'CMD ["sleep", "infinity"]',
    f"LABEL roundtrip-eval.image={__version__}",
]

# Debian suites we accept from apt sources as a mirror for debootstrap (an Ubuntu or a
# third-party repository in the same file would not serve bookworm).
_DEBIAN_SUITES = {
    "buster", "bullseye", "bookworm", "trixie", "forky", "sid",
    "oldstable", "stable", "testing", "unstable",
}  # fmt: skip


class SandboxImageError(RuntimeError):
    """The image is missing and cannot be built; the message says what to do, in one line."""


def image_exists(client: DockerClient, image: str = IMAGE) -> bool:
    from docker.errors import ImageNotFound

    try:
        client.images.get(image)
    except ImageNotFound:
        return False
    return True


def _say(message: str) -> None:
    print(f"roundtrip-eval: {message}", file=sys.stderr, flush=True)


def ensure_image(
    client: DockerClient,
    offline: bool | None = None,
    *,
    image: str = IMAGE,
    force: bool = False,
    mirror: str | None = None,
    log: Callable[[str], None] = _say,
) -> str:
    """Make sure `image` exists; return how: "present", "dockerfile" or "offline".

    `offline=None` tries `docker build` first and falls back to the offline build when the base
    image cannot be pulled; `True` goes straight to the offline build; `False` never uses it.
    Raises `SandboxImageError` (one line) when neither works.
    """
    if not force and image_exists(client, image):
        return "present"
    dockerfile_error = ""
    if offline is not True:
        try:
            build_with_dockerfile(client, image, log=log)
            return "dockerfile"
        except SandboxImageError as exc:
            if offline is False:
                raise
            dockerfile_error = str(exc)
            log(f"{dockerfile_error}; trying the offline build (debootstrap + docker import)")
    try:
        build_offline(client, image, mirror=mirror, log=log)
    except SandboxImageError as exc:
        also = f" (docker build failed too: {dockerfile_error})" if dockerfile_error else ""
        raise SandboxImageError(f"{exc}{also}") from exc
    return "offline"


def require_image(client: DockerClient, image: str = IMAGE, build: bool = True) -> None:
    """What a task needs before its first trial: `image` present, our own built if missing."""
    if image_exists(client, image):
        return
    if image != IMAGE or not build:
        raise SandboxImageError(
            f"sandbox image {image} is missing: build or pull it first"
            + (" (roundtrip-eval sandbox build)" if image == IMAGE else "")
        )
    ensure_image(client)


def build_with_dockerfile(
    client: DockerClient, image: str = IMAGE, *, log: Callable[[str], None] = _say
) -> None:
    """`docker build` from sandbox/Dockerfile (pulls the base image if it is not present)."""
    from docker.errors import APIError, BuildError

    from roundtrip_eval.resources import data_dir

    context = data_dir("sandbox")
    log(f"building {image} from {context / 'Dockerfile'}")
    started = time.monotonic()
    try:
        client.images.build(path=str(context), dockerfile="Dockerfile", tag=image, rm=True, forcerm=True)
    except BuildError as exc:
        lines = [str(c.get("stream") or c.get("error") or "").strip() for c in exc.build_log]
        last = next((line for line in reversed(lines) if line), str(exc))
        raise SandboxImageError(f"docker build of {image} failed: {last}") from exc
    except APIError as exc:
        raise SandboxImageError(f"docker build of {image} failed: {exc.explanation}") from exc
    log(f"built {image} in {time.monotonic() - started:.0f}s")


def _debootstrap() -> str | None:
    return shutil.which("debootstrap") or next(
        (p for p in ("/usr/sbin/debootstrap", "/sbin/debootstrap") if os.access(p, os.X_OK)),
        None,
    )


def offline_build_problem() -> str | None:
    """Why the offline build cannot run on this machine, or None if it can."""
    if not sys.platform.startswith("linux"):
        return "the offline sandbox image build needs Linux (debootstrap)"
    if _debootstrap() is None:
        return "the offline sandbox image build needs debootstrap: apt-get install debootstrap"
    if os.geteuid() != 0:
        return (
            "the offline sandbox image build needs root for debootstrap: "
            "run `sudo roundtrip-eval sandbox build --offline`"
        )
    return None


def _apt_source_entries() -> Iterator[tuple[str, list[str]]]:
    """(URI, suites) of every enabled `deb` source in the host's apt configuration."""
    root = Path("/etc/apt")
    one_line = [root / "sources.list", *sorted((root / "sources.list.d").glob("*.list"))]
    for path in one_line:
        with contextlib.suppress(OSError):
            for raw in path.read_text(encoding="utf-8", errors="replace").splitlines():
                words = raw.split("#", 1)[0].split()
                if not words or words[0] != "deb":
                    continue
                words = words[1:]
                if words and words[0].startswith("["):  # [arch=amd64 signed-by=...]
                    while words and not words[0].endswith("]"):
                        words.pop(0)
                    words = words[1:]
                if len(words) >= 2:
                    yield words[0], [words[1]]
    for path in sorted((root / "sources.list.d").glob("*.sources")):
        with contextlib.suppress(OSError):
            text = path.read_text(encoding="utf-8", errors="replace")
            for stanza in text.split("\n\n"):
                fields: dict[str, str] = {}
                for line in stanza.splitlines():
                    if line.startswith("#") or ":" not in line or line[:1].isspace():
                        continue
                    key, value = line.split(":", 1)
                    fields[key.strip().lower()] = value.strip()
                if "deb" not in fields.get("types", "").split():
                    continue
                if fields.get("enabled", "yes").lower() == "no":
                    continue
                suites = fields.get("suites", "").split()
                for uri in fields.get("uris", "").split():
                    yield uri, suites


def apt_mirror() -> str | None:
    """The Debian mirror the host's apt uses (not its security archive), or None."""
    for uri, suites in _apt_source_entries():
        if not uri.startswith(("http://", "https://", "ftp://", "file:/")):
            continue
        if "security" in uri:
            continue
        if any(suite in _DEBIAN_SUITES for suite in suites):
            return uri.rstrip("/")
    return None


def resolve_mirror(explicit: str | None = None) -> str | None:
    return explicit or os.environ.get(MIRROR_ENV) or apt_mirror()


def _apt_proxy_env() -> dict[str, str]:
    """http_proxy for debootstrap (wget) from apt's own Acquire::http::Proxy, if set there."""
    if os.environ.get("http_proxy") or not shutil.which("apt-config"):
        return {}
    try:
        out = subprocess.run(
            ["apt-config", "shell", "PROXY", "Acquire::http::Proxy"],
            capture_output=True, text=True, timeout=10, check=False,
        ).stdout  # fmt: skip
    except (OSError, subprocess.SubprocessError):
        return {}
    value = out.strip().partition("=")[2].strip("'\"")
    return {"http_proxy": value} if value else {}


def _trim_rootfs(rootfs: Path) -> None:
    """Drop what a sandbox never needs: apt lists and caches, docs (but copyrights), manuals."""
    for rel in ("var/cache/apt", "var/lib/apt/lists", "usr/share/locale"):
        folder = rootfs / rel
        if folder.is_dir() and not folder.is_symlink():
            for child in folder.iterdir():
                if child.is_dir() and not child.is_symlink():
                    shutil.rmtree(child, ignore_errors=True)
                elif child.name != "lock":
                    child.unlink(missing_ok=True)
    for rel in ("usr/share/man", "usr/share/info"):
        shutil.rmtree(rootfs / rel, ignore_errors=True)
    doc = rootfs / "usr/share/doc"
    if doc.is_dir():
        for dirpath, _dirs, files in os.walk(doc):
            for name in files:
                if name != "copyright":
                    Path(dirpath, name).unlink(missing_ok=True)
    work = rootfs / "work"
    work.mkdir(exist_ok=True)
    work.chmod(0o1777)


def _unmount_under(path: Path) -> None:
    """Unmount anything a failed debootstrap left mounted inside `path` (proc, sys)."""
    try:
        mounts = Path("/proc/mounts").read_text().splitlines()
    except OSError:
        return
    prefix = str(path.resolve()) + "/"
    targets = [m.split()[1] for m in mounts if len(m.split()) > 1]
    for target in sorted((t for t in targets if t.startswith(prefix)), reverse=True):
        subprocess.run(["umount", "-l", target], check=False, capture_output=True)


def build_offline(
    client: DockerClient,
    image: str = IMAGE,
    *,
    mirror: str | None = None,
    log: Callable[[str], None] = _say,
) -> None:
    """debootstrap bookworm (minbase + python3), trim it and `docker import` it as `image`."""
    problem = offline_build_problem()
    if problem is not None:
        raise SandboxImageError(problem)
    debootstrap = _debootstrap()
    assert debootstrap is not None
    source = resolve_mirror(mirror)
    started = time.monotonic()
    workdir = Path(tempfile.mkdtemp(prefix="roundtrip-eval-rootfs-"))
    rootfs = workdir / "rootfs"
    try:
        cmd = [debootstrap, "--variant=minbase", "--include=python3", SUITE, str(rootfs)]
        if source:
            cmd.append(source)
        log(f"debootstrap {SUITE} (minbase + python3) from {source or 'the default mirror'}")
        env = {**os.environ, **_apt_proxy_env()}
        with open(workdir / "debootstrap.log", "w+b") as out:
            proc = subprocess.run(cmd, stdout=out, stderr=subprocess.STDOUT, env=env, check=False)
            if proc.returncode != 0:
                out.seek(0)
                lines = out.read().decode("utf-8", "replace").strip().splitlines()
                last = lines[-1] if lines else "no output"
                raise SandboxImageError(
                    f"debootstrap failed (exit {proc.returncode}): {last}; check that the "
                    f"mirror {source or '(default)'} is reachable or pass --mirror URL"
                )
        if not (rootfs / "usr/bin/python3").exists():
            raise SandboxImageError("debootstrap finished but installed no python3")
        _trim_rootfs(rootfs)
        log(f"debootstrap done in {time.monotonic() - started:.0f}s; importing as {image}")
        _import_rootfs(client, rootfs, image)
    finally:
        _unmount_under(rootfs)
        shutil.rmtree(workdir, ignore_errors=True)
    log(f"built {image} offline in {time.monotonic() - started:.0f}s")


def _import_rootfs(client: DockerClient, rootfs: Path, image: str) -> None:
    from docker.errors import APIError

    repository, _, tag = image.rpartition(":")
    if not repository or "/" in tag:
        repository, tag = image, "latest"
    tar = subprocess.Popen(
        ["tar", "--numeric-owner", "-C", str(rootfs), "-c", "."],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    assert tar.stdout is not None
    try:
        client.api.import_image_from_stream(tar.stdout, repository=repository, tag=tag, changes=IMAGE_CHANGES)
    except APIError as exc:
        raise SandboxImageError(f"docker import of {image} failed: {exc.explanation}") from exc
    finally:
        tar.stdout.close()
        _, err = tar.communicate()
    if tar.returncode != 0:
        raise SandboxImageError(f"tar of the rootfs failed: {err.decode(errors='replace')}")
    if not image_exists(client, image):
        raise SandboxImageError(f"docker import reported success but {image} is missing")


def smoke_test(client: DockerClient, image: str = IMAGE) -> str:
    """Run python3 in a locked-down container of `image`; return what it printed."""
    from docker.errors import DockerException

    try:
        out = client.containers.run(
            image,
            ["python3", "-I", "-c", "import sys, os; print(sys.version.split()[0], os.getuid())"],
            remove=True, network_disabled=True, read_only=True, cap_drop=["ALL"],
            security_opt=["no-new-privileges"], user="65534:65534",
        )  # fmt: skip
    except DockerException as exc:
        raise SandboxImageError(f"the image {image} does not run python3: {exc}") from exc
    return bytes(out).decode().strip()
