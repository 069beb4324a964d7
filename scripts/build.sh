#!/usr/bin/env bash
# Configures and builds lt (Release) into build/. Usage: bash scripts/build.sh [extra cmake args]
set -euo pipefail
cd "$(dirname "$0")/.."
# ccache, where installed, makes rebuilds in several checkouts of the tree share one cache
# (paths below the checkout's parent are hashed relative, so /work/a and /work/b hit alike).
LAUNCHER=()
if command -v ccache >/dev/null 2>&1; then
  export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$(dirname "$PWD")}"
  LAUNCHER=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
fi
BUILD_DIR="${LT_BUILD_DIR:-build}"
cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release "${LAUNCHER[@]}" \
  -DPython3_EXECUTABLE="$PWD/.venv/bin/python" "$@" >/dev/null
ninja -C "$BUILD_DIR" -j"${LT_JOBS:-2}"
