#!/usr/bin/env bash
# Installs the peer-benchmark stack (PyTorch, CTranslate2) into the project venv .venv.
# Idempotent: pinned versions; re-running installs only what is missing or different.
#   bash scripts/setup.sh && bash scripts/setup-bench.sh
#
# Choice (see docs/performance.md, "Peers"): the current `torch` wheel from PyPI. It is the
# only PyPI build for Linux x86_64 and is a CUDA build, so pip also pulls the nvidia-* /
# cuda-toolkit wheels (~5 GB in the venv) although no GPU is used: `import torch` loads
# libcudart at start-up and fails without them, so `--no-deps` is not an option. Its CPU
# side is what we benchmark: MKL for GEMM, oneDNN, AVX-512 kernels, OpenMP.
# Debian's python3-torch (1.13) is older and runs GEMMs on OpenBLAS; it is not used.
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=.venv
if [ ! -x "$VENV/bin/python" ]; then
  echo "setup-bench: $VENV missing; run scripts/setup.sh first" >&2
  exit 1
fi

PIP_PACKAGES=(
  "torch==2.15.0"          # PyPI, CPU side: MKL + oneDNN + AVX-512
  "ctranslate2==4.8.5"     # PyPI, the reference CPU decoder
  "sentencepiece==0.2.3"   # optional tokenisation of the decode benchmark (--spm-src/--spm-tgt)
)

need=()
for spec in "${PIP_PACKAGES[@]}"; do
  name="${spec%%==*}"; want="${spec#*==}"
  have=$("$VENV/bin/python" -c "import importlib.metadata as m; print(m.version('$name'))" 2>/dev/null || true)
  [ "$have" = "$want" ] || need+=("$spec")
done
if [ ${#need[@]} -gt 0 ]; then
  echo "setup-bench: pip installing ${need[*]}"
  "$VENV/bin/pip" install -q --disable-pip-version-check "${need[@]}"
fi

# Sanity: both import, and torch runs on the CPU with the expected back-ends.
env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE "$VENV/bin/python" - <<'EOF'
import torch, ctranslate2
cfg = torch.__config__.show()
assert "Math Kernel Library" in cfg or "BLAS_INFO=mkl" in cfg, "torch without MKL"
print(f"setup-bench: torch {torch.__version__} (cpu capability {torch.backends.cpu.get_cpu_capability()}, "
      f"mkldnn {torch.backends.mkldnn.is_available()}), ctranslate2 {ctranslate2.__version__}: ok")
EOF
