#!/usr/bin/env bash
# Runs every peer benchmark (PyTorch, CTranslate2) once, sequentially, and collects the JSON
# lines in one file (default $TMPDIR or /tmp: lt-peers-<UTC date>.jsonl; one line per measurement).
#
#   bash scripts/bench/run_peers.sh [--quick] [--limit N] [--threads N] [--out FILE]
#
#   --quick   short runs (fewer updates, first 400 test sentences) for a smoke test;
#             the full run decodes all 6,750 sentences and measures 15 updates per model.
#   --limit N decode only the first N test sentences.
# Needs: bash scripts/setup.sh && bash scripts/setup-bench.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
PY=.venv/bin/python
THREADS=2
QUICK=0
LIMIT=0
OUT=""
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) QUICK=1 ;;
    --threads) THREADS="$2"; shift ;;
    --limit) LIMIT="$2"; shift ;;
    --out) OUT="$2"; shift ;;
    -h|--help) sed -n 2,10p "$0"; exit 0 ;;
    *) echo "run_peers.sh: unknown argument '$1' (--quick, --limit N, --threads N, --out FILE)" >&2; exit 2 ;;
  esac
  shift
done
[ -x "$PY" ] || { echo "run_peers.sh: $PY missing; run scripts/setup.sh and scripts/setup-bench.sh" >&2; exit 1; }
if [ -z "$OUT" ]; then
  OUT="${TMPDIR:-/tmp}/lt-peers-$(date -u +%Y%m%dT%H%M%SZ).jsonl"
fi
: > "$OUT"

TRAIN_ARGS=(--threads "$THREADS")
DECODE_ARGS=(--threads "$THREADS" --beam 4 --batch-size 64)
if [ "$QUICK" = 1 ]; then
  TRAIN_ARGS+=(--warmup 2 --updates 5)
  LIMIT=400
fi
DECODE_ARGS+=(--limit "$LIMIT")

run() { echo "+ $*" >&2; "$@" | tee -a "$OUT"; }

run $PY scripts/bench/torch_matmul_check.py --threads "$THREADS"
run $PY scripts/bench/torch_train_bench.py "${TRAIN_ARGS[@]}"
run $PY scripts/bench/ct2_decode_bench.py "${DECODE_ARGS[@]}"
run $PY scripts/bench/torch_decode_bench.py "${DECODE_ARGS[@]}"
echo "run_peers.sh: results in $OUT" >&2
