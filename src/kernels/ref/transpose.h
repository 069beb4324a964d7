// Reference axis permutation (plain loop).
#pragma once
#include "kernels/transpose.h"

namespace lt::kernels::ref {

Tensor transpose(const Tensor& x, const std::vector<int>& perm);

}  // namespace lt::kernels::ref
