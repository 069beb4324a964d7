// Layer normalization over the last axis.
#pragma once
#include "autodiff/var.h"

namespace lt::ops {

// x [..., C], gamma [C], beta [C] -> [..., C]:
//   y = (x - mean) / sqrt(var + eps) * gamma + beta   (biased variance per row)
// Gradients for x, gamma and beta.
Var layerNorm(const Var& x, const Var& gamma, const Var& beta, float eps = 1e-5f);

}  // namespace lt::ops
