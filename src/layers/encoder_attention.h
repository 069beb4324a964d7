// Encoder-only efficient attention (seed-systems.md §4): Linformer and Fastformer. Their mixing
// uses future positions, so the decoder refuses them (models/model_config.cpp). The sparse
// patterns (local, BigBird) are in layers/sparse_pattern.h.
#pragma once
#include <cstdint>

#include "layers/linear.h"

namespace lt::layers {

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
