// Matrix product op (OPS_API.md "matmul.h").
//
//   matmul(a, b, transA, transB, alpha) = alpha · op(a) · op(b)
//   a [..., M, K] ([..., K, M] if transA), b [..., K, N] ([..., N, K] if transB) -> [..., M, N]
//   Batch dims: both rank 2; or equal leading dims; or b rank 2 broadcast over a's
//   batch dims (a rank 2 broadcast over b's batch dims works too).
// Backward uses the same kernel with transposed operands, accumulating straight
// into the gradient buffers (beta = 1); broadcast operands get the batch-summed
// gradient. Bad shapes throw ShapeError naming the op and both shapes.
#pragma once
#include "autodiff/var.h"

namespace lt::ops {

Var matmul(const Var& a, const Var& b, bool transA = false, bool transB = false,
           float alpha = 1.f);

namespace detail {
// Gradient destination for a kernel writing (accumulate = false) or adding
// (accumulate = true) the gradient of `n`: a fresh uninitialised buffer when n
// has no gradient yet and is not a parameter (saves zeroing), else n.gradBuffer().
Tensor& gradTarget(Node& n, bool& accumulate);
}  // namespace detail

}  // namespace lt::ops
