// Fused multi-head scaled-dot-product attention on the token-major layout the
// projections produce, forward and backward (kernels/cpu/attention.cpp).
//
//   q [B, Tq, H·dh], k, v [B, Tk, H·dh] (head h = columns h·dh .. h·dh+dh-1)
//   mask undefined or additive f32 [Bm, Hm, Tqm, Tk], Bm ∈ {1, B}, Hm ∈ {1, H},
//        Tqm ∈ {1, Tq} (key padding [B,1,1,Tk], causal [1,1,Tq,Tk], ...)
//   p    [B, H, Tq, Tk] = softmax(scale · q_h k_hᵀ + mask) over Tk (saved for backward)
//   o    [B, Tq, H·dh]  = p · v_h per head, written back merged
//
// Same values as transpose → matmul → softmax → matmul → transpose (softmax's
// rules: a row whose every entry is -inf gives zeros), without the four head
// transposes or the [B, H, Tq, Tk] score tensor. Each (batch, head) pair is
// one OpenMP task running oneDNN's sgemm (single-threaded inside the parallel
// region) on the head's columns in place (leading dimension H·dh): scores into
// a per-thread [Tq, Tk] buffer, softmax rows into p, p·v straight into o; the
// backward's four products write or add (beta 1) into the gradients the same
// way. Measured against the unfused ops on hand-written register-tiled loops,
// which lost (docs/performance.md, 2026-12-03).
// With AttentionDropout the probabilities are dropped out before the product with v (below).
// Counts 2·B·H·Tq·Tk·dh multiply-adds (the two products), as matmul would.
#pragma once
#include <cstdint>

#include "tensor/tensor.h"

namespace lt::kernels {

// Dropout on the probabilities: o = dropout(p) · v with kernels/dropout.h's mask over the
// flat [B, H, Tq, Tk] index (the mask ops::dropout(p, rate, seed, stream) draws), regenerated
// in the backward. p itself is saved undropped. rate 0: none.
struct AttentionDropout {
  float rate = 0.f;
  uint64_t seed = 0;
  uint64_t stream = 0;
};

// o and p preallocated with the shapes above.
void attentionForward(const Tensor& q, const Tensor& k, const Tensor& v, const Tensor& mask,
                      int heads, float scale, Tensor& o, Tensor& p,
                      const AttentionDropout& drop = {});

// Gradients of the forward for dO [B, Tq, H·dh]. dq/dk/dv may be undefined
// (not wanted); each is written (=) or added into (+=) per its flag.
void attentionBackward(const Tensor& q, const Tensor& k, const Tensor& v, const Tensor& p,
                       const Tensor& dO, int heads, float scale, Tensor* dq, bool accQ,
                       Tensor* dk, bool accK, Tensor* dv, bool accV,
                       const AttentionDropout& drop = {});

}  // namespace lt::kernels
