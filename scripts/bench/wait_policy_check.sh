#!/usr/bin/env bash
# Decoding throughput of lt and the PyTorch peer under OMP_WAIT_POLICY=PASSIVE and unset
# (runtime default), one after the other, same batches (docs/performance.md, "OpenMP wait
# policy").   bash scripts/bench/wait_policy_check.sh [MODEL] [PEER] [LINES] [BUILD]
#   e.g.      bash scripts/bench/wait_policy_check.sh lite160 lite-160 448 build
set -euo pipefail
cd "$(dirname "$0")/../.."
M=${1:-lite160} P=${2:-lite-160} L=${3:-448} BUILD=${4:-build}
tps() { python3 -c "import json,sys; print(json.loads(sys.stdin.read().strip().splitlines()[-1])['tokens_per_s'])"; }
for pol in PASSIVE default; do
  if [ "$pol" = default ]; then unset OMP_WAIT_POLICY; else export OMP_WAIT_POLICY=PASSIVE; fi
  a=$(OMP_NUM_THREADS=2 "$BUILD/bin/lt-bench" decode --model "$M" --threads 2 --beam 4 --batch-size 64 \
        --tgt-len ref --max-sentences "$L" 2>/dev/null | tps)
  b=$(.venv/bin/python scripts/bench/torch_decode_bench.py --models "$P" --threads 2 --beam 4 \
        --batch-size 64 --tgt-len ref --limit "$L" 2>/dev/null | tps)
  echo "$M OMP_WAIT_POLICY=$pol lt $a tok/s, PyTorch $b tok/s"
done
