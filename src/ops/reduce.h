// Sum and mean reductions.
#pragma once
#include "autodiff/var.h"

namespace lt::ops {

// Over one axis (negative counts from the end). keepDim keeps it as size 1;
// otherwise it is dropped ([N] -> [1], never rank 0).
Var sum(const Var& x, int axis, bool keepDim = false);
Var mean(const Var& x, int axis, bool keepDim = false);
Var sumAll(const Var& x);  // -> [1]

}  // namespace lt::ops
