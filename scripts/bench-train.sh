#!/usr/bin/env bash
# Training throughput, lt vs PyTorch, in ONE run (issue 3 targets).
#
#   scripts/bench-train.sh [--threads 2] [--rounds 3] [--updates 15] [--warmup 3]
#                          [--models lite160,transformer160,transformer512-ffn1024]
#                          [--build DIR] [--wait-policy PASSIVE|default|ACTIVE] [--no-append] [--quick]
#
# For every round and model, runs `lt-bench train` and scripts/bench/torch_train_bench.py
# back to back (alternating which goes first), same threads, same batch shapes (the peer's
# --dump-batches file is fed to lt-bench --batches), the same OMP_WAIT_POLICY on both sides
# (--wait-policy; by default it is left unset, each runtime's own spin-then-sleep, where both
# lt and PyTorch train fastest: 2026-12-05 00:56/00:58 runs in docs/performance.md; PASSIVE,
# the setting of runs before 2026-12-05, slowed PyTorch more than lt).
# The peer cleans its own environment (unsets OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE, sets
# OMP/MKL threads, torch.set_num_threads). Prints a table of the medians over rounds of each
# side's median tokens/s and the ratio lt/PyTorch, and appends it with the command, date and
# load average to docs/performance.md ("Training throughput"). Raw JSON lines: $OUT.
set -euo pipefail
cd "$(dirname "$0")/.."
THREADS=2 ROUNDS=3 UPDATES=15 WARMUP=3 APPEND=1 WAIT=default
MODELS=lite160,transformer160,transformer512-ffn1024
BUILD=${LT_BUILD:-build}
CMD="${LT_BUILD:+LT_BUILD=$LT_BUILD }scripts/bench-train.sh $*"
while [ $# -gt 0 ]; do
  case "$1" in
    --threads) THREADS="$2"; shift ;;
    --rounds) ROUNDS="$2"; shift ;;
    --updates) UPDATES="$2"; shift ;;
    --warmup) WARMUP="$2"; shift ;;
    --models) MODELS="$2"; shift ;;
    --build) BUILD="$2"; shift ;;
    --wait-policy) WAIT="$2"; shift ;;
    --no-append) APPEND=0 ;;
    --quick) ROUNDS=1; UPDATES=4; WARMUP=1 ;;
    -h|--help) sed -n 2,19p "$0"; exit 0 ;;
    *) echo "bench-train.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
  shift
done
PY=.venv/bin/python
LTB="$BUILD/bin/lt-bench"
[ -x "$LTB" ] || { echo "bench-train.sh: $LTB missing; build it: ninja -C $BUILD lt-bench (or --build DIR)" >&2; exit 1; }
[ -x "$PY" ] || { echo "bench-train.sh: $PY missing; run scripts/setup.sh" >&2; exit 1; }
"$PY" -c "import torch" 2>/dev/null || bash scripts/setup-bench.sh
OUT="${TMPDIR:-/tmp}/lt-bench-train-$(date -u +%Y%m%dT%H%M%SZ).jsonl"
: > "$OUT"
BATCHES="${OUT%.jsonl}.batches.jsonl"
"$PY" scripts/bench/torch_train_bench.py --dump-batches "$BATCHES"
case "$WAIT" in
  default) unset OMP_WAIT_POLICY; WAIT_TEXT="OMP_WAIT_POLICY unset (runtime defaults) both sides" ;;
  PASSIVE|ACTIVE) export OMP_WAIT_POLICY="$WAIT"; WAIT_TEXT="OMP_WAIT_POLICY=$WAIT both sides" ;;
  *) echo "bench-train.sh: --wait-policy must be PASSIVE, default or ACTIVE, got '$WAIT'" >&2; exit 2 ;;
esac
export WAIT_TEXT
peer_name() { case "$1" in lite160) echo lite-160 ;; transformer160) echo transformer-160 ;;
  transformer512-ffn1024) echo transformer-512-ffn1024 ;; transformer512) echo transformer-512 ;; *) echo "$1" ;; esac; }
run_lt() {
  echo "+ $LTB train --model $1 --threads $THREADS --updates $UPDATES --warmup $WARMUP" >&2
  OMP_NUM_THREADS=$THREADS "$LTB" train --model "$1" --threads "$THREADS" --updates "$UPDATES" \
    --warmup "$WARMUP" --batches "$BATCHES" | tee -a "$OUT"
}
run_peer() {
  local flops=()
  [ "$2" = 1 ] || flops=(--no-flops)
  echo "+ $PY scripts/bench/torch_train_bench.py --models $(peer_name "$1") --threads $THREADS ..." >&2
  "$PY" scripts/bench/torch_train_bench.py --models "$(peer_name "$1")" --threads "$THREADS" \
    --updates "$UPDATES" --warmup "$WARMUP" "${flops[@]}" | tee -a "$OUT"
}
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
START=$(date -u '+%Y-%m-%d %H:%M UTC')
for r in $(seq 1 "$ROUNDS"); do
  for m in ${MODELS//,/ }; do
    if [ $((r % 2)) = 1 ]; then run_lt "$m"; run_peer "$m" "$r"; else run_peer "$m" "$r"; run_lt "$m"; fi
  done
done
LOAD_END=$(cut -d' ' -f1-3 /proc/loadavg)
python3 - "$OUT" "$APPEND" "$CMD" "$START" "$LOAD_START" "$LOAD_END" "$THREADS" <<'PYEOF'
import json, os, statistics, sys, subprocess
out, append, cmd, start, la0, la1, threads = sys.argv[1:8]
recs = [json.loads(l) for l in open(out) if l.startswith("{")]
peer = {"lite160": "lite-160", "transformer160": "transformer-160",
        "transformer512-ffn1024": "transformer-512-ffn1024", "transformer512": "transformer-512"}
targets = {"lite160": 3.0, "transformer160": 3.0, "transformer512-ffn1024": 1.3}
models = []
for r in recs:
    if r["system"] == "lt" and r["model"] not in models:
        models.append(r["model"])
med = statistics.median
lines = ["| model | lt tok/s | PyTorch tok/s | lt/PyTorch | target | lt ms/update | PyTorch ms/update "
         "| lt GFLOP/s | PyTorch GFLOP/s | lt peak RSS MB | PyTorch peak RSS MB | rounds |",
         "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
for m in models:
    L = [r for r in recs if r["system"] == "lt" and r["model"] == m]
    P = [r for r in recs if r["system"] == "pytorch" and r["model"] == peer[m]]
    if not L or not P:
        continue
    lt, pt = med([r["tokens_per_s"] for r in L]), med([r["tokens_per_s"] for r in P])
    ratios = [a["tokens_per_s"] / b["tokens_per_s"] for a, b in zip(L, P)]
    pflops = [r["gflop_per_s_est"] for r in P if "gflop_per_s_est" in r]
    tgt = targets.get(m)
    lines.append(f"| {m} | {lt:,.0f} | {pt:,.0f} | **{lt / pt:.2f}×** (rounds: {', '.join(f'{x:.2f}' for x in ratios)}) "
                 f"| {'≥ %.1f× %s' % (tgt, 'met' if lt / pt >= tgt else 'NOT met') if tgt else '—'} "
                 f"| {med([r['ms_per_update'] for r in L]):.0f} | {med([r['ms_per_update'] for r in P]):.0f} "
                 f"| {med([r['gflop_per_s_est'] for r in L]):.1f} | {med(pflops) if pflops else float('nan'):.1f} "
                 f"| {max(r['peak_rss_mb'] for r in L):.0f} | {max(r['peak_rss_mb'] for r in P):.0f} | {len(L)} |")
ex = next((r for r in recs if r["system"] == "lt"), {})
torchv = next((r.get("torch") for r in recs if r["system"] == "pytorch"), "?")
head = (f"Command: `{cmd}`, {start}, {threads} threads, {os.environ['WAIT_TEXT']}, "
        f"torch {torchv}. Load average (1/5/15 min) {la0} at the start, {la1} at the end. "
        f"Figures: median over rounds of each run's median per-update target tokens/s; ratio "
        f"= lt/PyTorch of those medians (per-round ratios in brackets). Raw: `{out}`.")
table = "\n".join(lines)
print("\n" + head + "\n\n" + table)
if append == "1":
    path = "docs/performance.md"
    text = open(path).read()
    title = "## Training throughput"
    block = f"\n### Run {start}\n\n{head}\n\n{table}\n"
    if title not in text:
        text = text.rstrip("\n") + "\n\n" + title + "\n"
    i = text.index(title)
    j = text.find("\n## ", i + len(title))
    j = len(text) if j < 0 else j
    text = text[:j].rstrip("\n") + "\n" + block + text[j:]
    open(path, "w").write(text)
    print(f"appended to {path}", file=sys.stderr)
PYEOF
