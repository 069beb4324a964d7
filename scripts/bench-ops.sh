#!/usr/bin/env bash
# Matmul op benchmark: our op vs bare oneDNN (forward and backward), the 2048³
# sgemm peak, and tiny-call overhead. Builds lt-bench first if needed.
#
#   scripts/bench-ops.sh [THREADS] [extra lt-bench ops flags, e.g. --repeats 21 --quick]
#
# THREADS defaults to 2 (also settable as LT_THREADS). The build directory is
# $LT_BUILD_DIR (default build/). Medians and ratios are printed; the machine may
# be shared, so ours and bare run interleaved in the same process.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${LT_BUILD_DIR:-$root/build}
threads=${LT_THREADS:-2}
if [[ $# -gt 0 && $1 =~ ^[0-9]+$ ]]; then
  threads=$1
  shift
fi
if [[ ! -f $build/build.ninja ]]; then
  cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release
fi
ninja -C "$build" -j2 lt-bench >&2
echo "# $(date -u '+%Y-%m-%d %H:%M UTC'), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc --all) cores"
export OMP_NUM_THREADS=$threads
echo "# command: scripts/bench-ops.sh $threads $*"
exec "$build/bin/lt-bench" ops --threads "$threads" "$@"
