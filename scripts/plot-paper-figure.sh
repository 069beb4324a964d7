#!/usr/bin/env bash
# Redraws docs/cost-iwslt.svg (BLEU against Mult-Adds on IWSLT'14 De-En: Transformer,
# LightConv, Lite Transformer) from the paper's published rows in data/paper-iwslt14.jsonl.
#
#   scripts/plot-paper-figure.sh [LT_EVAL] [OUTPUT.svg]
#
# LT_EVAL defaults to $LT_EVAL, then build/bin/lt-eval. With rsvg-convert (Debian package
# librsvg2-bin) installed, also renders it to PNG as a check ($PNG, default
# ${TMPDIR:-/tmp}/<name>.png; not committed).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
lt_eval="${1:-${LT_EVAL:-$root/build/bin/lt-eval}}"
out="${2:-$root/docs/cost-iwslt.svg}"
[[ -x "$lt_eval" ]] || { echo "plot-paper-figure: no lt-eval at $lt_eval (build it, or pass its path)" >&2; exit 1; }
"$lt_eval" plot --results "$root/data/paper-iwslt14.jsonl" --output "$out" \
  --title "IWSLT'14 De-En (Lite Transformer paper, Table 1)"
if command -v rsvg-convert > /dev/null; then
  png="${PNG:-${TMPDIR:-/tmp}/$(basename "${out%.svg}").png}"
  rsvg-convert --zoom 2 -o "$png" "$out"
  echo "rendered $png"
else
  echo "note: rsvg-convert not found (apt-get install librsvg2-bin): render check skipped" >&2
fi
