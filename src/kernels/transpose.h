// Axis permutation as a copy (oneDNN reorder with permuted strides).
#pragma once
#include <vector>

#include "tensor/tensor.h"

namespace lt::kernels {

// y.dim(i) = x.dim(perm[i]); perm must be a permutation of 0..rank-1 (the
// caller validates it).
Tensor transpose(const Tensor& x, const std::vector<int>& perm);

}  // namespace lt::kernels
