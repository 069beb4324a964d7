// Layout ops: axis permutation (a copy) and reshape (a view).
#pragma once
#include <vector>

#include "autodiff/var.h"

namespace lt::ops {

// y.dim(i) = x.dim(perm[i]); perm is a permutation of 0..rank-1. Copies.
Var transpose(const Var& x, const std::vector<int>& perm);

// Same elements viewed as shape s (shares storage); gradient reshaped back.
Var reshape(const Var& x, const Shape& s);

}  // namespace lt::ops
