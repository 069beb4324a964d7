// Own OpenMP layer-normalization forward for small inputs (decoder steps: a few to a few
// hundred rows). oneDNN's primitive costs about 10 µs per call there, mostly fixed overhead
// (argument memory objects, stream, thread start-up), for work of 1-2 µs;
// kernels::layerNormForward sends inputs of at most kSmallElements here and larger ones to
// oneDNN. Same contract as kernels/layer_norm.h.
#pragma once
#include "kernels/layer_norm.h"

namespace lt::kernels::cpu {

constexpr int64_t kLayerNormSmallElements = int64_t(1) << 17;  // 256 rows of 512

// residual defined (x's shape): normalises x + residual, summed row by row in the same loop
// (bit-identical to a separate add, one pass less over memory).
LayerNormResult layerNormForward(const Tensor& x, const Tensor& gamma, const Tensor& beta,
                                 float eps, const Tensor& residual = Tensor());

}  // namespace lt::kernels::cpu
