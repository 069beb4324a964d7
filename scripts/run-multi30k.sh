#!/usr/bin/env bash
# The main job end to end: set up, build, prepare Multi30k, train a small model
# for a bounded time, translate test_2016_flickr with beam search, score it
# (sacreBLEU-exact BLEU and chrF), translate and score it again with int8 linears
# (lt-translate --precision int8) and print the cost table.
#
# Usage: bash scripts/run-multi30k.sh [DATA_DIR]
#   DATA_DIR          shared corpora (default ../shared/data, or $LT_DATA_DIR)
#   LT_PRESET         config (default configs/multi30k/lite.yml)
#   LT_TIME_LIMIT     training wall time (default 45m, the issue's budget for the Lite preset)
#   LT_THREADS        threads (default: all cores)
set -euo pipefail
cd "$(dirname "$0")/.."
DATA="${1:-${LT_DATA_DIR:-../shared/data}}"
PRESET="${LT_PRESET:-configs/multi30k/lite.yml}"
TIME_LIMIT="${LT_TIME_LIMIT:-45m}"
THREADS="${LT_THREADS:-0}"
NAME="$(basename "$PRESET" .yml)"
RUN="runs/multi30k-$NAME"
PREP=data/prepared/multi30k

bash scripts/setup.sh
bash scripts/build.sh
bash scripts/prepare-multi30k.sh "$DATA" "$PREP"
mkdir -p "$RUN"

echo "== training $PRESET for at most $TIME_LIMIT (model: $RUN/model.lt)"
build/bin/lt-train --config "$PRESET" --model "$RUN/model.lt" --time-limit "$TIME_LIMIT" \
  --threads "$THREADS" --log-file "$RUN/train.log"

echo "== translating $PREP/test.de (beam 4)"
build/bin/lt-translate --model "$RUN/model.lt" --input "$PREP/test.de" --output "$RUN/test.hyp.en" \
  --beam-size 4 --threads "$THREADS"

echo "== scores (test_2016_flickr, sacreBLEU defaults: cased, 13a)"
build/bin/lt-eval bleu --hyp "$RUN/test.hyp.en" --ref "$PREP/test.en" | tee "$RUN/bleu.txt"
build/bin/lt-eval chrf --hyp "$RUN/test.hyp.en" --ref "$PREP/test.en" | tee "$RUN/chrf.txt"

echo "== the same model with int8 linears (lt-translate --precision int8)"
build/bin/lt-translate --model "$RUN/model.lt" --input "$PREP/test.de" --output "$RUN/test.int8.hyp.en" \
  --beam-size 4 --threads "$THREADS" --precision int8
build/bin/lt-eval bleu --hyp "$RUN/test.int8.hyp.en" --ref "$PREP/test.en" | tee "$RUN/bleu.int8.txt"

echo "== cost table"
build/bin/lt-eval cost --model "$RUN/model.lt" | tee "$RUN/cost.md"
