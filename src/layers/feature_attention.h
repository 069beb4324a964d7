// Feature-map ("linear") multi-head attention: softmax(q·k) replaced by phi(q)·phi(k)
// (seed-systems.md §3.3, §4). Q/K/V/out projections exactly as MultiHeadAttention (same
// parameter names <scope>/{q,k,v,out}/{weight,bias}, so a softmax checkpoint loads into it),
// then per head:
//   Elu        phi(x) = elu(x) + 1 (Katharopoulos), denominator q.z + eps
//   T2R        phi(x) = relu(W_h x + b_h), W_h [k, dh], b_h [k] learned per layer and head and
//              shared by queries and keys; queries scaled by 1/sqrt(dh) before phi;
//              denominator max(q.z, eps). Params <scope>/phi/weight [H, k, dh], /phi/bias [H, k]
//              (PyTorch Linear default init: U(-1/sqrt(dh), 1/sqrt(dh))).
//   Performer  FAVOR+: x' = x·dh^(-1/4), phi(x) = exp(w_i·x' - |x'|²/2 - ½·log m) for m
//              positive orthogonal random features w_i (per head: blocks of dh orthogonalised
//              Gaussian rows, each row rescaled to the norm of an independent Gaussian dh-vector);
//              the causal-safe stabiliser (no max over positions). Denominator q.z + eps.
//              The features are stored as <scope>/features [H, m, dh] (a buffer: never given a
//              gradient) and redrawn by redraw(update) every `redraw` updates, deterministically
//              from (seed, scope, update / redraw), so a resumed run draws the same ones and
//              decoding uses the ones saved in the model file.
//   Rfa        random Fourier features (Peng et al. 2021, sin/cos): phi(x) = m^(-1/2)
//              [sin(s_h W_h x̂), cos(s_h W_h x̂)], x̂ = x/|x|, so phi(q)·phi(k) estimates the
//              Gaussian kernel exp(-s_h²|q̂ - k̂|²/2) ∝ exp(s_h² q̂·k̂) (ops/random_fourier.h).
//              W_h: `features` random rows stored and redrawn exactly as Performer's
//              (<scope>/features [H, m, dh]); s_h = 1/sigma_h learned per head
//              (<scope>/rfa_scale [H], initialised to 1). Feature size 2m. The features can
//              be negative, so the denominator is clamped: max(q.z, eps) (default 1e-2).
// Training: the parallel forms ops::causalLinearAttention (decoder self) and
// ops::linearAttention (encoder self, cross), keys masked by the padding. The non-causal forms
// drop whole key positions with the attention-dropout rate (T2R's cross-attention dropout: a
// per-position mask on phi(k), no rescaling since numerator and denominator share it); the
// causal prefix-sum form has no attention matrix to drop and uses none.
// Decoding: the recurrent form, fp32 sums S [N, H, m, dh], z [N, H, m] per layer; for
// cross-attention S, z are computed once per source row and addressed through a row map.
#pragma once
#include <vector>

#include "layers/linear.h"
#include "ops/linear_attention.h"

namespace lt::layers {

enum class FeatureMap { Elu, T2R, Performer, Rfa };

struct FeatureSpec {
  FeatureMap map = FeatureMap::Elu;
  int features = 32;      // T2R k / Performer m / Rfa random rows (Elu: = dh)
  float eps = 1e-6f;
  int redraw = 0;         // Performer, Rfa: redraw every N updates (0 = never)
  uint64_t seed = 1;      // Performer, Rfa
  float positionDropout = 0.f;  // non-causal forms, training: rate of dropped key positions
};

// keep [B, T] 1/0 (or undefined: all kept) with each position also dropped with probability
// p, drawn from (seed, stream, b·T + t) — the mask of FeatureAttention's position dropout.
Tensor dropPositions(const Tensor& keep, int64_t B, int64_t T, float p, uint64_t seed,
                     uint64_t stream);

// Recurrent state: S [rows, H, m, dh], z [rows, H, m] (heap, fp32).
struct LinearState {
  Tensor S, z;
};

class FeatureAttention {
public:
  FeatureAttention() = default;
  FeatureAttention(ParamBuilder& pb, const Scope& scope, int dim, int heads,
                   const FeatureSpec& spec);

  // query [B, Tq, E], keyValue [B, Tk, E]; keep f32 [B, Tk] 1 / 0 (padding) or undefined.
  // causal: decoder self-attention (Tq == Tk). Non-causal calls take one dropout stream of
  // ctx. -> [B, Tq, E]
  Var forward(const Var& query, const Var& keyValue, bool causal, const Tensor& keep,
              RunCtx& ctx) const;

  // Features of projected queries or keys x [B, T, E] -> [B, H, T, m].
  Var phi(const Var& x, bool query) const;

  // --- incremental decoding (no gradients) ---
  LinearState allocState(int capacity) const;  // zeros
  // x [N, 1, E]: adds this step's key/value to rows 0..N-1 of st and reads out. -> [N, 1, E]
  Var stepSelf(const Var& x, LinearState& st) const;
  // memory [B, S, E], keep [B, S] 1/0 -> S, z of each source row.
  LinearState precompute(const Var& memory, const Tensor& keep) const;
  // x [N, 1, E]; row n reads the sums of source row srcRow[n]. -> [N, 1, E]
  Var stepCross(const Var& x, const LinearState& sums, const int32_t* srcRow) const;

  // Performer, Rfa: redraws the features for training update `update` when its redraw period
  // differs from the current one (or always when `force`). No-op for the other maps.
  void redraw(int64_t update, bool force = false);

  int dim() const { return dim_; }
  int heads() const { return heads_; }
  int featureDim() const { return m_; }
  const FeatureSpec& spec() const { return spec_; }

private:
  Var splitHeads(const Var& x) const;  // [B, T, E] -> [B, H, T, dh]
  Var mergeHeads(const Var& x) const;  // [B, H, T, dh] -> [B, T, E]
  ops::Denominator mode() const;
  Linear q_, k_, v_, out_;
  Var phiW_, phiB_;   // T2R
  Var features_;      // Performer, Rfa [H, m, dh]
  Var rfaScale_;      // Rfa [H]
  FeatureSpec spec_;
  uint64_t scopeHash_ = 0;
  int64_t drawnPeriod_ = -1;
  int dim_ = 0, heads_ = 1, dh_ = 0, m_ = 0;
};

// Positive orthogonal random features for FAVOR+: [H, m, dh] drawn from `rng`.
Tensor orthogonalRandomFeatures(int heads, int m, int dh, Rng& rng);

}  // namespace lt::layers
