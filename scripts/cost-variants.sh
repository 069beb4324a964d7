#!/usr/bin/env bash
# The counted-cost table of docs/efficient-attention.md: one d = 256, 3+3-layer, 4-head,
# FFN 512, 8000-word model per attention variant, #Params and #Mult-Adds (paper convention,
# N = T = L) and the per-hypothesis decoder step MACs at L = 30, 512 and 4096.
# Usage: bash scripts/cost-variants.sh [VARIANT...]   (default: all; names as in the table)
#   LT_BIN  directory of lt-eval (default build/bin)
# Counting at 4096 takes 10–130 s per variant (the softmax decoder's 4096 incremental steps).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN="${LT_BIN:-build/bin}"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
SOFT='{type: attention, heads: 4}'
declare -A ENC DEC CROSS LABEL
add() {  # name label encoder-branch decoder-branch cross
  ORDER+=("$1"); LABEL[$1]="$2"; ENC[$1]="$3"; DEC[$1]="$4"; CROSS[$1]="$5"
}
ORDER=()
add transformer "Transformer (softmax)" "$SOFT" "$SOFT" softmax
add t2r "T2R decoder + cross" "$SOFT" '{type: t2r, heads: 4, features: 32}' '{type: t2r, features: 32}'
add linear "linear (all roles)" '{type: linear, heads: 4}' '{type: linear, heads: 4}' linear
add performer "performer m=64 (all roles)" '{type: performer, heads: 4, features: 64}' \
  '{type: performer, heads: 4, features: 64}' '{type: performer, features: 64}'
add rfa "rfa m=32, 64 features (all roles)" '{type: rfa, heads: 4, features: 32}' \
  '{type: rfa, heads: 4, features: 32}' '{type: rfa, features: 32}'
add local "local w=8 (enc + dec self; cross softmax)" '{type: local, heads: 4, window: 8}' \
  '{type: local, heads: 4, window: 8}' softmax
add local-global "local w=8 + 2 global (enc + dec self; cross softmax)" \
  '{type: local, heads: 4, window: 8, global: 2}' '{type: local, heads: 4, window: 8, global: 2}' softmax
add linformer "linformer k=32, max-length 4096 (enc)" '{type: linformer, heads: 4, k: 32, max-length: 4096}' "$SOFT" softmax
add bigbird "bigbird block 4, window 3, random 2, global 1 (enc)" '{type: bigbird, heads: 4}' "$SOFT" softmax
add fastformer "fastformer (enc)" '{type: fastformer, heads: 4}' "$SOFT" softmax
[ $# -gt 0 ] && ORDER=("$@")
for v in "${ORDER[@]}"; do
  [ -n "${LABEL[$v]:-}" ] || { echo "cost-variants.sh: unknown variant '$v' (known: ${!LABEL[*]})" >&2; exit 2; }
  cat > "$TMP/$v.yml" <<YML
encoder-layers: 3
decoder-layers: 3
model-dim: 256
ffn-dim: 512
encoder-block: {branches: [${ENC[$v]}]}
decoder-block: {branches: [${DEC[$v]}]}
cross-attention: ${CROSS[$v]}
cross-heads: 4
share-embeddings: all
max-positions: 8192
src-vocab-size: 8000
tgt-vocab-size: 8000
YML
  for L in 30 512 4096; do
    "$BIN/lt-eval" cost --model-config "$TMP/$v.yml" --seq-len "$L" --format json > "$TMP/$v.$L.json"
  done
done
ARGS=()
for v in "${ORDER[@]}"; do ARGS+=("$v" "${LABEL[$v]}"); done
python3 - "$TMP" "${ARGS[@]}" <<'PY'
import json, sys
tmp, pairs = sys.argv[1], sys.argv[2:]
print("| variant | #Params | MACs L=30 | MACs L=512 | MACs L=4096 | step L=30 | step L=512 | step L=4096 |")
print("|---|---|---|---|---|---|---|---|")
for n, label in zip(pairs[::2], pairs[1::2]):
    rows = [json.load(open(f"{tmp}/{n}.{L}.json"))["rows"][0] for L in (30, 512, 4096)]
    m = lambda x: f"{x / 1e6:.1f}M" if x < 1e9 else f"{x / 1e6:.0f}M"
    print(f"| {label} | {rows[0]['params'] / 1e6:.2f}M | " + " | ".join(m(r["mult_adds"]) for r in rows)
          + " | " + " | ".join(f"{r['decode_step_macs'] / 1e6:.2f}M" for r in rows) + " |")
PY
