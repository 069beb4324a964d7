#!/usr/bin/env bash
# Configures and builds lt (Release) into build/. Usage: bash scripts/build.sh [extra cmake args]
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DPython3_EXECUTABLE="$PWD/.venv/bin/python" "$@" >/dev/null
ninja -C build -j"${LT_JOBS:-2}"
