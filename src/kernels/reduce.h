// Reductions (oneDNN reduction): sum or mean over any set of axes.
#pragma once
#include "tensor/tensor.h"

namespace lt::kernels {

enum class ReduceKind { Sum, Mean };

// Reduces x to `out`, given with x's rank or fewer dims (aligned from the
// right, missing leading dims reduced): each dim of `out` equals x's (kept) or
// is 1 (reduced). Used for sum/mean over an axis (keep-dim shape), over all
// axes, and to sum broadcast gradients back to an operand's shape.
Tensor reduce(ReduceKind k, const Tensor& x, const Shape& out);

}  // namespace lt::kernels
