// Affine map op (OPS_API.md "linear.h").
//
//   linear(x, w, b) = x · wᵀ + b
//   x [..., in], w [out, in], b [out] or undefined -> [..., out]
// Leading dims of x are flattened into rows: one GEMM forward (bias fused),
// and backward dx = dy·w, dw = dyᵀ·x (accumulated into the gradient buffers),
// db = column sums of dy over all leading dims.
#pragma once
#include "autodiff/var.h"

namespace lt::ops {

Var linear(const Var& x, const Var& w, const Var& b = Var());

}  // namespace lt::ops
