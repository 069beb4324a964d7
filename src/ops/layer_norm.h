// Layer normalization over the last axis.
#pragma once
#include "autodiff/var.h"

namespace lt::ops {

// x [..., C], gamma [C], beta [C] -> [..., C]:
//   y = (x - mean) / sqrt(var + eps) * gamma + beta   (biased variance per row)
// Gradients for x, gamma and beta.
Var layerNorm(const Var& x, const Var& gamma, const Var& beta, float eps = 1e-5f);

// layerNorm(add(a, b)) for a, b of one shape (post-norm sublayers): with gradients enabled
// exactly that composition; without, one fused kernel (kernels::addLayerNormForward, the
// same values bit for bit) that reads the residual once and skips the add op.
Var addLayerNorm(const Var& a, const Var& b, const Var& gamma, const Var& beta, float eps = 1e-5f);

}  // namespace lt::ops
