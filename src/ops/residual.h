// A sublayer's residual junction with its dropout, fused for training:
//   pre-norm   x + dropout(f)           dropoutAdd
//   post-norm  LN(x + dropout(f))       dropoutAddLayerNorm
// x is the sublayer's input, f its output; the mask is kernels/dropout.h's, drawn from
// (seed, stream) exactly as ops::dropout(f, p, seed, stream), so the result equals the unfused
// composition (dropout, add, layer norm) up to float rounding in the layer norm.
#pragma once
#include <cstdint>

#include "autodiff/var.h"

namespace lt::ops {

// x + dropout(f); x and f of one shape, 0 <= p < 1 (ConfigError otherwise).
Var dropoutAdd(const Var& x, const Var& f, float p, uint64_t seed, uint64_t stream);

// layerNorm(x + dropout(f), gamma, beta, eps). Without gradients and with p == 0 (inference)
// this is ops::addLayerNorm, the decoder's fused kernel, bit for bit.
Var dropoutAddLayerNorm(const Var& x, const Var& f, float p, uint64_t seed, uint64_t stream,
                        const Var& gamma, const Var& beta, float eps = 1e-5f);

}  // namespace lt::ops
