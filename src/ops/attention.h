// Fused multi-head scaled-dot-product attention op (kernels/attention.h).
//
//   attention(q, k, v, mask, heads, scale)
//     q [B, Tq, H·dh], k, v [B, Tk, H·dh] -> [B, Tq, H·dh]
//     = merge_h( softmax(scale · q_h k_hᵀ + mask) v_h )
//   mask: undefined or additive f32 [Bm, Hm, Tqm, Tk] with Bm ∈ {1, B},
//   Hm ∈ {1, H}, Tqm ∈ {1, Tq}; takes no gradient.
//
// Equal in values and gradients to the unfused composition (split heads,
// matmul, softmax, matmul, merge heads), which it falls back to with the
// reference kernels on. dropout > 0 drops out the probabilities before the
// product with v exactly as ops::dropout(probabilities, dropout, seed, stream)
// on the [B, H, Tq, Tk] tensor would (same mask, regenerated in the backward).
#pragma once
#include <cstdint>

#include "autodiff/var.h"

namespace lt::ops {

Var attention(const Var& q, const Var& k, const Var& v, const Tensor& mask, int heads, float scale,
              float dropout = 0.f, uint64_t seed = 0, uint64_t stream = 0);

}  // namespace lt::ops
