// Layer normalization over the last axis (oneDNN layer_normalization; small forward inputs
// through an own loop, kernels/cpu/layer_norm.h).
//
//   x [..., C], gamma [C], beta [C] -> y [..., C]
//   y = (x - mean) / sqrt(var + eps) * gamma + beta, biased variance.
// The forward keeps mean and var [rows] (rows = x.elements() / C) for the
// backward, which returns dx [..., C], dgamma [C] and dbeta [C].
#pragma once
#include "tensor/tensor.h"

namespace lt::kernels {

struct LayerNormResult {
  Tensor y;     // [..., C]
  Tensor mean;  // [rows]
  Tensor var;   // [rows]
  // Uninitialised outputs for x of shape `x` with `rows` rows.
  static LayerNormResult empty(const Shape& x, int64_t rows) {
    return {Tensor::empty(x), Tensor::empty(Shape{rows}), Tensor::empty(Shape{rows})};
  }
};

struct LayerNormGrads {
  Tensor dx;      // [..., C]
  Tensor dgamma;  // [C]
  Tensor dbeta;   // [C]
};

LayerNormResult layerNormForward(const Tensor& x, const Tensor& gamma, const Tensor& beta,
                                 float eps);

// y = LN(a + b) for a, b of one shape (a post-norm sublayer's residual and output), inference:
// small inputs sum and normalise in one loop (cpu::layerNormForward with a residual), larger
// ones add then normalise. Equal to layerNormForward(a + b) bit for bit.
LayerNormResult addLayerNormForward(const Tensor& a, const Tensor& b, const Tensor& gamma,
                                    const Tensor& beta, float eps);

LayerNormGrads layerNormBackward(const Tensor& x, const Tensor& gamma, const Tensor& mean,
                                 const Tensor& var, const Tensor& dy, float eps);

}  // namespace lt::kernels
