// Reductions: sum or mean over any set of axes (own OpenMP loop, see below).
#pragma once
#include "tensor/tensor.h"

namespace lt::kernels {

enum class ReduceKind { Sum, Mean };

// Reduces x to `out`, given with x's rank or fewer dims (aligned from the
// right, missing leading dims reduced): each dim of `out` equals x's (kept) or
// is 1 (reduced). Used for sum/mean over an axis (keep-dim shape), over all
// axes, and to sum broadcast gradients back to an operand's shape.
Tensor reduce(ReduceKind k, const Tensor& x, const Shape& out);

// The same through oneDNN 2.6 reduction, kept as the comparison point (tests
// and timings): its jit kernel covers only trailing-dim reductions and the
// reference fallback it takes otherwise (e.g. bias gradients [N,C] -> [C]) is
// far slower than the own OpenMP loop that reduce() uses.
Tensor reduceDnnl(ReduceKind k, const Tensor& x, const Shape& out);

}  // namespace lt::kernels
