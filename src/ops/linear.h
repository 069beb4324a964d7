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

}  // namespace lt::ops
