// Encoder-only efficient attention (seed-systems.md §4): patterns as additive masks for
// softmax attention (local window, BigBird blocks), Linformer and Fastformer. Their mixing uses
// future positions, so the decoder refuses them (models/model_config.cpp) — except local,
// whose left-only window is causal (layers/attention.h keeps a capped KV cache for it).
// Local attention without global tokens runs blockwise (MultiHeadAttention::forwardLocal,
// O(T·window)); with global tokens, and BigBird, run the dense masked product (correctness
// first: their counted MACs are those of full attention).
#pragma once
#include <cstdint>

#include "layers/linear.h"

namespace lt::layers {

// [1, 1, T, T] additive: key j visible to query i iff (causal: j <= i and i - j < window;
// else |i - j| <= window / 2) or j < global (or, not causal, i < global).
Tensor localMask(int T, int window, int global, bool causal);

// [1, 1, T, T] additive BigBird pattern over blocks of `block` tokens: query block qb sees
// key blocks |qb - kb| <= window / 2, `random` blocks drawn per query block from
// (seed, layerSalt, qb), and the first `global` blocks; the global blocks see everything.
Tensor bigbirdMask(int T, int block, int window, int random, int global, uint64_t seed,
                   uint64_t layerSalt);

// pattern [1, 1, T, T] + key padding [B, 1, 1, T] -> [B, 1, T, T].
Tensor combineMasks(const Tensor& pattern, const Tensor& keyPad);

// Linformer (Wang et al. 2020): K' = E·K, V' = F·V along the length axis (E, F [k, maxLen]
// per layer, shared by the heads; sequences shorter than maxLen use the first T columns;
// padded positions are zeroed first), then softmax(Q K'^T / sqrt(dh)) V'.
// Params <scope>/{q,k,v,out}/..., <scope>/proj_e/weight, <scope>/proj_f/weight [k, maxLen].
class LinformerAttention {
public:
  LinformerAttention() = default;
  LinformerAttention(ParamBuilder& pb, const Scope& scope, int dim, int heads, int k, int maxLen,
                     float attentionDropout);
  // x [B, T, E], keep [B, T, 1] 1/0 or undefined -> [B, T, E]. T > maxLen is a ShapeError.
  Var forward(const Var& x, const Tensor& keep, RunCtx& ctx) const;

private:
  Linear q_, k_, v_, out_;
  Var e_, f_;
  int dim_ = 0, heads_ = 1, dh_ = 0, k_len_ = 0, maxLen_ = 0;
  float attnDrop_ = 0.f;
};

// Fastformer (Wu et al. 2021), per head: alpha = softmax_t(w_q·q_t / sqrt(dh)),
// qbar = sum alpha_t q_t, p_t = qbar ⊙ k_t, beta = softmax_t(w_k·p_t / sqrt(dh)),
// kbar = sum beta_t p_t, u_t = kbar ⊙ v_t; out = Linear(u) + q. Padded positions are excluded
// from both poolings. Params <scope>/{q,k,v,out}/..., <scope>/pool_q/weight,
// <scope>/pool_k/weight [H, dh].
class FastformerAttention {
public:
  FastformerAttention() = default;
  FastformerAttention(ParamBuilder& pb, const Scope& scope, int dim, int heads);
  // x [B, T, E], keep [B, T, 1] 1/0 or undefined -> [B, T, E]
  Var forward(const Var& x, const Tensor& keep) const;

private:
  Var splitHeads(const Var& x) const;
  Linear q_, k_, v_, out_;
  Var wq_, wk_;
  int dim_ = 0, heads_ = 1, dh_ = 0;
};

}  // namespace lt::layers
