// Affine map op (OPS_API.md "linear.h").
//
//   linear(x, w, b) = x · wᵀ + b
//   x [..., in], w [out, in], b [out] or undefined -> [..., out]
// Leading dims of x are flattened into rows: one GEMM forward (bias fused),
// and backward dx = dy·w, dw = dyᵀ·x (accumulated into the gradient buffers),
// db = column sums of dy over all leading dims.
//
// act = Relu fuses max(·, 0) into the GEMM (oneDNN eltwise post-op): the
// pre-activation is never stored, and backward masks dy by y > 0 (equal to
// x·wᵀ + b > 0) before the two GEMMs. Same values and gradients as
// relu(linear(x, w, b)), one pass over [rows, out] less each way.
#pragma once
#include <cstdint>

#include "autodiff/var.h"

namespace lt::ops {

enum class Activation : uint8_t { None, Relu };

Var linear(const Var& x, const Var& w, const Var& b = Var(), Activation act = Activation::None);

// Inference layout of a linear weight w [out, in]: wᵀ as [in, ld], ld >= out, columns
// [out, ld) zero. oneDNN's GEMM (AVX2) reads a transposed [out, in] weight 1.2-1.9x slower
// than an [in, out] one when x has few rows, as in beam decoding, and an [in, out] matrix
// whose row stride is a multiple of 256 bytes (out = 512, 2048) slower still (cache-set
// conflicts), so ld pads such rows by 16 floats (docs/performance.md).
struct PackedLinearWeight {
  Tensor data;  // [in, ld], heap-held
  int64_t out = 0;
  bool defined() const { return data.defined(); }
};
int64_t packedRowStride(int64_t out);
PackedLinearWeight packLinearWeight(const Tensor& w);

// linear(x, w, b, act) through w's packed copy. Records nothing: inference only, it throws
// Error when gradients are enabled (a backward would silently miss w and x).
Var linearPacked(const Var& x, const PackedLinearWeight& w, const Var& b = Var(),
                 Activation act = Activation::None);

}  // namespace lt::ops
