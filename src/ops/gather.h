// Row selection along axis 0 (index_select): beam reordering, picking rows.
#pragma once

#include "autodiff/var.h"

namespace lt::ops {

// x [N, ...], index I32 [M] (values in [0, N), repeats allowed) -> [M, ...].
// Backward scatter-adds the M gradient rows into x's gradient, deterministically.
// An index outside [0, N) throws ShapeError naming it and x's shape.
Var gatherRows(const Var& x, const Tensor& index);

}  // namespace lt::ops
