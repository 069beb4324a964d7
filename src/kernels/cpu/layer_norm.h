// Own OpenMP layer-normalization forward for small inputs (decoder steps: a few to a few
// hundred rows). oneDNN's primitive costs about 10 µs per call there, mostly fixed overhead
// (argument memory objects, stream, thread start-up), for work of 1-2 µs;
// kernels::layerNormForward sends inputs of at most kSmallElements here and larger ones to
// oneDNN. Same contract as kernels/layer_norm.h.
#pragma once
#include "kernels/layer_norm.h"

namespace lt::kernels::cpu {

constexpr int64_t kLayerNormSmallElements = int64_t(1) << 17;  // 256 rows of 512

LayerNormResult layerNormForward(const Tensor& x, const Tensor& gamma, const Tensor& beta,
                                 float eps);

}  // namespace lt::kernels::cpu
