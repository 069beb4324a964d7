// Reference layer normalization (plain loops, double accumulation).
#pragma once
#include "kernels/layer_norm.h"

namespace lt::kernels::ref {

LayerNormResult layerNormForward(const Tensor& x, const Tensor& gamma, const Tensor& beta,
                                 float eps);
LayerNormGrads layerNormBackward(const Tensor& x, const Tensor& gamma, const Tensor& mean,
                                 const Tensor& var, const Tensor& dy, float eps);

}  // namespace lt::kernels::ref
