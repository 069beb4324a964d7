#!/usr/bin/env bash
# Decoding throughput, lt vs PyTorch vs CTranslate2, in ONE run (issue 4 targets).
#
#   scripts/bench-decode.sh [--threads 2] [--rounds 3] [--limit N] [--batch-size 64]
#                           [--beam 4] [--models transformer512,lite160] [--build DIR]
#                           [--tgt-len ref|N] [--wait-policy default|PASSIVE|ACTIVE]
#                           [--workers W] [--int8] [--no-append] [--quick]
#
# Beam search, random weights, IWSLT'14 test source (6,750 lines; --limit N: the first N),
# output lengths forced to the reference length + 1 on every system (bench_common.py; --tgt-len N
# forces N steps for every sentence instead, so all batches are full). Per
# round and model runs `lt-bench decode`, scripts/bench/torch_decode_bench.py and (Transformer
# d=512 only) scripts/bench/ct2_decode_bench.py, rotating the order, same threads, same batch
# size, the same OMP_WAIT_POLICY everywhere (default: the runtimes' own, i.e. unset). PASSIVE
# made every system several times slower here: decoding runs hundreds of small parallel regions
# per step and each one wakes the sleeping threads (lite160, 448 lines, 2026-12-03: lt 163 vs
# 1,002 tok/s, PyTorch 114 vs 334; docs/performance.md). Prints the medians over rounds (sentences/s,
# target tokens/s) and the ratios lt/PyTorch and lt/CTranslate2, and appends them with the
# command, date and load average to docs/performance.md ("Decoding throughput").
# --workers W: every system decodes W batches at once with threads/W threads each (lt-bench
# and lt-translate --workers, W PyTorch processes, CTranslate2 inter_threads = W); the memory
# column is then lt's one process against the sum of PyTorch's W processes.
# --int8: lt decodes with int8 linears (lt-bench decode --precision int8, as lt-translate), against
# PyTorch fp32 (the issue's reference), PyTorch's dynamic int8 quantization (quantize_dynamic,
# per-channel weights) and CTranslate2 compute_type=int8: every peer's own CPU int8 path.
set -euo pipefail
cd "$(dirname "$0")/.."
THREADS=2 ROUNDS=3 LIMIT=0 BATCH=64 BEAM=4 APPEND=1 TGTLEN=ref WAIT=default WORKERS=1 INT8=0
MODELS=transformer512,lite160
BUILD=${LT_BUILD:-build}
CMD="${LT_BUILD:+LT_BUILD=$LT_BUILD }scripts/bench-decode.sh $*"
while [ $# -gt 0 ]; do
  case "$1" in
    --threads) THREADS="$2"; shift ;;
    --rounds) ROUNDS="$2"; shift ;;
    --limit) LIMIT="$2"; shift ;;
    --batch-size) BATCH="$2"; shift ;;
    --beam) BEAM="$2"; shift ;;
    --tgt-len) TGTLEN="$2"; shift ;;
    --models) MODELS="$2"; shift ;;
    --build) BUILD="$2"; shift ;;
    --wait-policy) WAIT="$2"; shift ;;
    --workers) WORKERS="$2"; shift ;;
    --int8) INT8=1 ;;
    --no-append) APPEND=0 ;;
    --quick) ROUNDS=1; LIMIT=200 ;;
    -h|--help) sed -n 2,25p "$0"; exit 0 ;;
    *) echo "bench-decode.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
  shift
done
PY=.venv/bin/python
LTB="$BUILD/bin/lt-bench"
[ -x "$LTB" ] || { echo "bench-decode.sh: $LTB missing; build it: ninja -C $BUILD lt-bench (or --build DIR)" >&2; exit 1; }
[ -x "$PY" ] || { echo "bench-decode.sh: $PY missing; run scripts/setup.sh" >&2; exit 1; }
"$PY" -c "import torch, ctranslate2" 2>/dev/null || bash scripts/setup-bench.sh
OUT="${TMPDIR:-/tmp}/lt-bench-decode-$(date -u +%Y%m%dT%H%M%SZ).jsonl"
: > "$OUT"
case "$WAIT" in
  default) unset OMP_WAIT_POLICY ;;
  PASSIVE|ACTIVE) export OMP_WAIT_POLICY="$WAIT" ;;
  *) echo "bench-decode.sh: --wait-policy must be default, PASSIVE or ACTIVE, got '$WAIT'" >&2; exit 2 ;;
esac
export LT_BENCH_WAIT="$WAIT"
COMMON=(--threads "$THREADS" --workers "$WORKERS" --beam "$BEAM" --batch-size "$BATCH" --tgt-len "$TGTLEN")
peer_name() { case "$1" in lite160) echo lite-160 ;; transformer512) echo transformer-512 ;; *) echo "$1" ;; esac; }
LTQ=(); [ "$INT8" = 1 ] && LTQ=(--precision int8)
run_lt() {
  echo "+ $LTB decode --model $1 ${COMMON[*]} --max-sentences $LIMIT ${LTQ[*]}" >&2
  OMP_NUM_THREADS=$THREADS "$LTB" decode --model "$1" "${COMMON[@]}" --max-sentences "$LIMIT" "${LTQ[@]}" | tee -a "$OUT"
}
run_torch_int8() { run_torch "$1" --int8; }
run_ct2_int8() { run_ct2 "$1" --compute-type int8; }
run_torch() {  # MODEL [extra flags]
  local m=$1; shift
  echo "+ $PY scripts/bench/torch_decode_bench.py --models $(peer_name "$m") ${COMMON[*]} --limit $LIMIT $*" >&2
  "$PY" scripts/bench/torch_decode_bench.py --models "$(peer_name "$m")" "${COMMON[@]}" --limit "$LIMIT" "$@" | tee -a "$OUT"
}
run_ct2() {  # MODEL [extra flags]
  shift
  echo "+ $PY scripts/bench/ct2_decode_bench.py ${COMMON[*]} --limit $LIMIT $*" >&2
  "$PY" scripts/bench/ct2_decode_bench.py "${COMMON[@]}" --limit "$LIMIT" "$@" | tee -a "$OUT"
}
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
START=$(date -u '+%Y-%m-%d %H:%M UTC')
for r in $(seq 1 "$ROUNDS"); do
  for m in ${MODELS//,/ }; do
    runs=(run_lt run_torch)
    if [ "$INT8" = 1 ]; then
      runs+=(run_torch_int8)
      [ "$m" = transformer512 ] && runs+=(run_ct2_int8)
    else
      [ "$m" = transformer512 ] && runs+=(run_ct2)
    fi
    n=${#runs[@]}
    for i in $(seq 0 $((n - 1))); do "${runs[$(((i + r - 1) % n))]}" "$m"; done
  done
done
LOAD_END=$(cut -d' ' -f1-3 /proc/loadavg)
python3 - "$OUT" "$APPEND" "$CMD" "$START" "$LOAD_START" "$LOAD_END" "$THREADS" "$WORKERS" "$INT8" <<'PYEOF'
import json, os, statistics, sys
out, append, cmd, start, la0, la1, threads, workers, int8 = sys.argv[1:10]
recs = [json.loads(l) for l in open(out) if l.startswith("{")]
med = statistics.median
def key(r):
    if r["system"].startswith("ctranslate2"):
        return ("transformer512", r["system"])
    m = {"transformer-512": "transformer512", "lite-160": "lite160"}.get(r["model"], r["model"])
    return (m, r["system"])
groups = {}
for r in recs:
    groups.setdefault(key(r), []).append(r)
models = []
for (m, s) in groups:
    if m not in models:
        models.append(m)
lines = ["| model | system | sentences/s | target tok/s | lt ÷ system | peak RSS MB | sentences | tgt tokens | rounds |",
         "|---|---|---:|---:|---:|---:|---:|---:|---:|"]
notes = []
for m in models:
    lt = groups.get((m, "lt"))
    for s in ("lt", "pytorch", "pytorch-int8", "ctranslate2", "ctranslate2-int8"):
        g = groups.get((m, s))
        if not g:
            continue
        sps, tps = med([r["sentences_per_s"] for r in g]), med([r["tokens_per_s"] for r in g])
        ratio = "—"
        if s != "lt" and lt:
            lt_tps = med([r["tokens_per_s"] for r in lt])
            per = [a["tokens_per_s"] / b["tokens_per_s"] for a, b in zip(lt, g)]
            tgt = {"pytorch": " (target ≥ 3×: %s)", "pytorch-int8": " (both int8%s)",
                   "ctranslate2": " (goal parity: %s)", "ctranslate2-int8": " (goal parity: %s)"}[s]
            goal = 3.0 if s == "pytorch" else 1.0
            verdict = "" if s == "pytorch-int8" else ("met" if lt_tps / tps >= goal else "NOT met")
            ratio = f"**{lt_tps / tps:.2f}×**" + tgt % verdict + \
                    f" rounds: {', '.join(f'{x:.2f}' for x in per)}"
        label = "lt (int8)" if s == "lt" and int8 == "1" else s
        lines.append(f"| {m} | {label} | {sps:.2f} | {tps:,.0f} | {ratio} | {max(r['peak_rss_mb'] for r in g):.0f} "
                     f"| {g[0]['sentences']} | {g[0]['tgt_tokens']} | {len(g)} |")
    if lt and lt[-1].get("model_step_allocs"):
        a = lt[-1]
        ms = a["model_step_allocs"]
        notes.append(f"- {m}, lt allocation check (last round): {ms['steps']} steady-state decoder steps, "
                     f"{ms['heap_calls_per_step']:.1f} heap calls and {ms['heap_bytes_per_step']:.0f} bytes per step "
                     f"inside the model step, {ms['big_allocs']} allocations ≥ 128 KiB (mmap-sized) in those steps; "
                     f"decoder state set-up {a['state_setup_allocs_per_batch']['heap_calls']:.0f} heap calls / "
                     f"{a['state_setup_allocs_per_batch']['heap_mb']:.1f} MB per batch; all heap calls incl. beam "
                     f"search bookkeeping {a['all_heap_calls_per_decoder_step']:.1f} per decoder step; memory the allocator "
                     f"({a.get('allocator', 'glibc')}) holds from the system {a['system_heap_mb_after_first_batch']:.1f} MB after the first batch, "
                     f"{a['system_heap_mb_end']:.1f} MB at the end.")
    srcs = {(r["sentences"], r["tgt_tokens"], r["src_tokens"]) for k, g in groups.items() if k[0] == m for r in g}
    if len(srcs) > 1:
        notes.append(f"- WARNING {m}: systems disagree on the workload (sentences, tgt tokens, src tokens): {sorted(srcs)}")
wait = os.environ.get("LT_BENCH_WAIT", "default")
policy = "OMP_WAIT_POLICY unset (runtime defaults)" if wait == "default" else f"OMP_WAIT_POLICY={wait}"
wk = "" if workers == "1" else f", {workers} workers ({int(threads) // int(workers)} thread(s) each)"
head = (f"Command: `{cmd}`, {start}, {threads} threads{wk}, {policy} everywhere. "
        f"Load average (1/5/15 min) {la0} at the start, {la1} at the end. Figures: medians over rounds; "
        f"lt ÷ system = ratio of target tokens/s medians (per-round ratios after it). Raw: `{out}`.")
table = "\n".join(lines)
body = head + "\n\n" + table + ("\n\n" + "\n".join(notes) if notes else "")
print("\n" + body)
if append == "1":
    path = "docs/performance.md"
    text = open(path).read()
    title = "## Decoding throughput"
    if title not in text:
        text = text.rstrip("\n") + "\n\n" + title + "\n"
    i = text.index(title)
    j = text.find("\n## ", i + len(title))
    j = len(text) if j < 0 else j
    text = text[:j].rstrip("\n") + "\n\n### Run " + start + "\n\n" + body + "\n" + text[j:]
    open(path, "w").write(text)
    print(f"appended to {path}", file=sys.stderr)
PYEOF
