#!/usr/bin/env bash
# Reproduce the real-model tables of the README (issue 4 and issue 6 measurements).
# Resumable: every run is an `inspect eval-set` with its own log dir; rerun to finish what is
# missing. Needs the quick start's environment (.venv, Docker, sandbox image, local models).
#   bash scripts/results.sh [originals|originals-1.5b|gap|gap-masked|gap-1.5b|gap-1.5b-masked|gaps|all]
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
EPOCHS=${EPOCHS:-5}
OUT=${RESULTS_DIR:-logs/results}
# Generation threads of the model server (empty: llama.cpp's default, half the cores). Two on an
# otherwise idle 2-core machine roughly doubles tokens/s; the setting does not enter the logs'
# configuration, so the docs say which runs used it.
THREADS=${THREADS:-}
# The gap runs in the README use 7 of the 15 pairs (all 5 domains) to fit one session on 2 cores;
# PAIRS=all runs every pair.
PAIRS=${PAIRS:-fizzbuzz,vowels,leap_year,palindrome,brackets,two_sum,turnstile}
ORIGINALS="roundtrip_eval/fizzbuzz roundtrip_eval/get_magic_number roundtrip_eval/separate_vowels_and_consonants roundtrip_eval/process_user_list"

serve() {  # serve <alias> <port>
  $BIN/roundtrip-eval model serve --model "$1" --port "$2" ${THREADS:+--threads "$THREADS"} >/dev/null
  export OLLAMA_BASE_URL="http://127.0.0.1:$2/v1"
}

run_set() {  # run_set <log dir> <model alias> <tasks> [-T ...]
  local dir=$1 model=$2 tasks=$3; shift 3
  # shellcheck disable=SC2086
  $BIN/inspect eval-set $tasks --model "ollama/$model" --epochs "$EPOCHS" \
    -T cycles=10 -T temperature=0.7 --max-connections 1 --log-dir "$OUT/$dir" \
    --display plain --no-fail-on-error "$@"
}

what=${1:-all}
if [[ $what == gaps ]]; then
  "$0" gap && "$0" gap-masked && "$0" gap-1.5b && exec "$0" gap-1.5b-masked
fi
if [[ $what == originals || $what == all ]]; then
  serve qwen2.5-coder-0.5b 8765
  run_set qwen0.5b-en qwen2.5-coder-0.5b "$ORIGINALS" -T language=en
  run_set qwen0.5b-ja qwen2.5-coder-0.5b "$ORIGINALS" -T language=ja
fi
if [[ $what == originals-1.5b || $what == all ]]; then
  serve qwen2.5-coder-1.5b 8766
  run_set qwen1.5b-en qwen2.5-coder-1.5b \
    "roundtrip_eval/fizzbuzz roundtrip_eval/separate_vowels_and_consonants" -T language=en
fi
if [[ $what == gap || $what == all ]]; then
  serve qwen2.5-coder-0.5b 8767
  run_set gap-0.5b qwen2.5-coder-0.5b roundtrip_eval/generalization_gap -T pairs="$PAIRS"
fi
if [[ $what == gap-masked || $what == all ]]; then
  serve qwen2.5-coder-0.5b 8767
  run_set gap-0.5b-masked qwen2.5-coder-0.5b roundtrip_eval/generalization_gap \
    -T pairs="$PAIRS" -T mask_names=true
fi
if [[ $what == gap-1.5b || $what == all ]]; then
  serve qwen2.5-coder-1.5b 8768
  run_set gap-1.5b qwen2.5-coder-1.5b roundtrip_eval/generalization_gap -T pairs="$PAIRS"
fi
if [[ $what == gap-1.5b-masked || $what == all ]]; then
  serve qwen2.5-coder-1.5b 8768
  run_set gap-1.5b-masked qwen2.5-coder-1.5b roundtrip_eval/generalization_gap \
    -T pairs="$PAIRS" -T mask_names=true
fi
