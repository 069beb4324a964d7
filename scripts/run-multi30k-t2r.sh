#!/usr/bin/env bash
# Issue 6's swap-then-finetune experiment on Multi30k De->En, end to end:
#   1. a softmax Transformer from scratch          (configs/multi30k/transformer.yml, 30 min)
#   2. that model swapped to T2R and finetuned      (configs/multi30k/t2r-finetune.yml, 10 min)
#   3. the same T2R model from scratch              (configs/multi30k/t2r.yml, 30 + 10 = 40 min)
# then beam-4 translation of test_2016_flickr with each model's best checkpoint and a BLEU table.
#
# Usage: bash scripts/run-multi30k-t2r.sh [DATA_DIR]     (default ../shared/data)
#   LT_THREADS_PER_RUN  threads per training run (default 1)
#   LT_BIN              directory of lt-train / lt-translate / lt-eval (default build/bin)
#   LT_MINUTES_SOFTMAX  training minutes of run 1 (default 30, the config's)
#   LT_MINUTES_FINETUNE training minutes of run 2 (default 10); run 3 gets the sum
#
# Runs 1 and 3 train side by side with one thread each, and run 2 starts when run 1 ends (beside
# the last quarter of run 3), so every run sees the same machine: one core each. Wall-clock
# limits come from the configs. Expects build/ (scripts/build.sh) and a venv (scripts/setup.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
DATA="${1:-${LT_DATA_DIR:-../shared/data}}"
T="${LT_THREADS_PER_RUN:-1}"
PREP=data/prepared/multi30k
BIN="${LT_BIN:-build/bin}"
M1="${LT_MINUTES_SOFTMAX:-30}"
M2="${LT_MINUTES_FINETUNE:-10}"
bash scripts/prepare-multi30k.sh "$DATA" "$PREP"
export OMP_WAIT_POLICY=PASSIVE

train() {  # name config [extra flags...]
  local name="$1" cfg="$2"; shift 2
  mkdir -p "runs/multi30k-$name"
  "$BIN/lt-train" --config "$cfg" --model "runs/multi30k-$name/model.lt" --threads "$T" \
    --log-file "runs/multi30k-$name/train.log" "$@" > "runs/multi30k-$name/stdout" 2>&1
}

echo "== $(date -u +%H:%M:%S) training transformer ($M1 min) and t2r from scratch ($((M1 + M2)) min), $T thread(s) each"
train t2r configs/multi30k/t2r.yml --time-limit "$((M1 + M2))m" & SCRATCH=$!
train transformer configs/multi30k/transformer.yml --time-limit "${M1}m"
echo "== $(date -u +%H:%M:%S) transformer done; swap to T2R and finetune ($M2 min)"
train t2r-finetune configs/multi30k/t2r-finetune.yml --init-from runs/multi30k-transformer/model.lt \
  --time-limit "${M2}m"
wait "$SCRATCH"
echo "== $(date -u +%H:%M:%S) all trained"

printf '| model | training | test_2016_flickr BLEU (beam 4) | chrF2 |\n|---|---|---:|---:|\n'
for name in transformer t2r-finetune t2r; do
  dir="runs/multi30k-$name"
  model="$dir/model.best.lt"; [ -f "$model" ] || model="$dir/model.lt"
  "$BIN/lt-translate" --model "$model" --input "$PREP/test.de" --output "$dir/test.hyp.en" \
    --beam-size 4 --threads 2 --quiet
  bleu=$("$BIN/lt-eval" bleu --hyp "$dir/test.hyp.en" --ref "$PREP/test.en" | tee "$dir/bleu.txt")
  chrf=$("$BIN/lt-eval" chrf --hyp "$dir/test.hyp.en" --ref "$PREP/test.en" | tee "$dir/chrf.txt")
  last=$(grep -o 'up [0-9]*' "$dir/train.log" | tail -1)
  printf '| %s | %s | %s | %s |\n' "$name" "$last" "$(echo "$bleu" | sed -E 's/^[^=]*= ([0-9.]+) .*/\1/')" \
    "$(echo "$chrf" | sed -E 's/^[^=]*= ([0-9.]+).*/\1/')"
done
