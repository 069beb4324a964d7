#!/usr/bin/env bash
# Builds the kernel microbenchmarks quoted in docs/performance.md against an existing
# lt build (default build/, after scripts/build.sh) into BUILD/micro/.
#   bash scripts/bench/micro/build.sh [BUILD]
#   BUILD/micro/dropout_mask [threads]                  dropout fwd/bwd vs a copy, [4096x160]
#   BUILD/micro/attention_fused [threads] [reps] [B] [T] [dh]
#                                                       ops::attention vs the unfused ops, fwd and fwd+bwd
#   BUILD/micro/linear_gemm                             kernels::matmul (transB, bias) vs dnnl_sgemm
#   BUILD/micro/gemm_precision                          oneDNN matmul f32 vs bf16 vs u8·s8, decoding shapes
#   BUILD/micro/linear_train_shapes [rows]              a linear's 3 training GEMMs, small-model shapes,
#                                                       n projections separate vs one wider GEMM
set -euo pipefail
cd "$(dirname "$0")/../../.."
BUILD=${1:-build}
mkdir -p "$BUILD/micro"
LIBS=("$BUILD"/liblt_ops.a "$BUILD"/liblt_autodiff.a "$BUILD"/liblt_kernels.a "$BUILD"/liblt_tensor.a "$BUILD"/liblt_common.a)
for src in scripts/bench/micro/*.cpp; do
  name=$(basename "$src" .cpp)
  g++ -O2 -march=native -std=c++20 -fopenmp -Isrc "$src" "${LIBS[@]}" -ldnnl -lfmt -lspdlog -o "$BUILD/micro/$name"
  echo "built $BUILD/micro/$name"
done
