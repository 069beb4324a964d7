// The post-norm residual junction of training in one kernel pair:
//
//   s = a + dropout(b; p, seed, stream)      (kernels/dropout.h's mask)
//   y = LN(s) = (s - mean) / sqrt(var + eps) * gamma + beta   over the last axis
//
// a is the sublayer's input (the residual), b its output. The forward reads a and b once and
// writes s and y; the backward reads dy and s once and writes da and db, with the dropout mask
// regenerated from (seed, stream) instead of stored. Unfused, the same junction is a dropout,
// an add and a layer norm, each a full pass (two for the add's backward) and each holding its
// own activation until the backward.
#pragma once
#include <cstdint>

#include "kernels/layer_norm.h"

namespace lt::kernels {

struct ResidualNormResult {
  Tensor sum;          // s [..., C], kept for the backward
  LayerNormResult ln;  // y = LN(s) with its per-row mean and (biased) var
};

struct ResidualNormGrads {
  Tensor da;      // [..., C] (undefined unless asked for)
  Tensor db;      // [..., C] (undefined unless asked for)
  Tensor dgamma;  // [C]
  Tensor dbeta;   // [C]
};

// a, b f32 of one shape [..., C]; gamma, beta [C]; 0 <= p < 1 (p == 0: no mask is drawn).
ResidualNormResult dropoutAddLayerNormForward(const Tensor& a, const Tensor& b, float p,
                                              uint64_t seed, uint64_t stream, const Tensor& gamma,
                                              const Tensor& beta, float eps);

// dy [..., C] and the forward's s, mean, var. da = ds, db = dropout(ds) with the forward's mask,
// where ds is the layer norm's input gradient. dgamma and dbeta are summed over rows in an
// order fixed by the thread count (repeatable runs at one thread count).
ResidualNormGrads dropoutAddLayerNormBackward(const Tensor& dy, const Tensor& sum,
                                              const Tensor& mean, const Tensor& var,
                                              const Tensor& gamma, float p, uint64_t seed,
                                              uint64_t stream, float eps, bool needA, bool needB);

}  // namespace lt::kernels
