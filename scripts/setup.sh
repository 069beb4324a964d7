#!/usr/bin/env bash
# Installs everything lt needs to build, test and benchmark on Debian 12.
# Idempotent: re-running skips what is already there.
#   bash scripts/setup.sh            build + test dependencies
# The peer-benchmark stack (torch, ctranslate2) is installed by scripts/setup-bench.sh.
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi

DEB_PACKAGES=(
  build-essential g++ cmake ninja-build pkg-config git
  libdnnl-dev                      # oneDNN: matmul, softmax, layer norm, eltwise, binary, reorder
  libsentencepiece-dev sentencepiece
  libyaml-cpp-dev libspdlog-dev libfmt-dev doctest-dev
  libicu-dev                       # Unicode categories and case mapping for sacreBLEU-exact tokenizers
  zlib1g-dev                       # gzipped corpora
  libgoogle-perftools-dev          # tcmalloc: training's varying tensor sizes fragment glibc's heap
  librsvg2-bin                     # renders the SVG trade-off plots to PNG (plot test)
  python3 python3-venv python3-pip # reference tests (sacreBLEU) and scripts
)

missing=()
for p in "${DEB_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# Python packages for tests and scripts live in a project venv (Debian's system
# Python is externally managed). Versions are pinned.
VENV=.venv
if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV"
fi
# numpy 2: sacreBLEU's paired bootstrap sums in float32 the numpy-2 way, which
# lt-eval reproduces exactly.
# ctranslate2 + sentencepiece: the CTranslate2 interop test (tests/interop).
PIP_PACKAGES=("sacrebleu==2.6.0" "numpy==2.4.6" "ctranslate2==4.8.5" "sentencepiece==0.2.3")
need=()
for spec in "${PIP_PACKAGES[@]}"; do
  name="${spec%%[=<>]*}"; want="${spec#*==}"
  have=$("$VENV/bin/python" -c "import importlib.metadata as m; print(m.version('$name'))" 2>/dev/null || true)
  if [[ "$spec" == *"=="* ]]; then [ "$have" = "$want" ] || need+=("$spec"); else [ -n "$have" ] || need+=("$spec"); fi
done
if [ ${#need[@]} -gt 0 ]; then
  echo "setup: pip installing ${need[*]}"
  "$VENV/bin/pip" install -q --disable-pip-version-check "${need[@]}"
fi
echo "setup: ok"
