// Reference for kernels/residual_norm.h: the unfused composition of the reference kernels
// (dropout, add, layer norm), the oracle of the fused loops.
#pragma once
#include "kernels/residual_norm.h"

namespace lt::kernels::ref {

ResidualNormResult dropoutAddLayerNormForward(const Tensor& a, const Tensor& b, float p,
                                              uint64_t seed, uint64_t stream, const Tensor& gamma,
                                              const Tensor& beta, float eps);
ResidualNormGrads dropoutAddLayerNormBackward(const Tensor& dy, const Tensor& sum,
                                              const Tensor& mean, const Tensor& var,
                                              const Tensor& gamma, float p, uint64_t seed,
                                              uint64_t stream, float eps, bool needA, bool needB);

}  // namespace lt::kernels::ref
