// Basic layers: Linear, Embedding, LayerNorm, sinusoidal positions, FeedForward.
// Parameters live in the ParamStore under stable names (the checkpoint format):
//   <scope>/weight [out, in], <scope>/bias [out]; <scope>/table [V, d];
//   <scope>/gamma, <scope>/beta [d].
#pragma once
#include <memory>

#include "autodiff/var.h"
#include "layers/context.h"
#include "ops/linear.h"

namespace lt::layers {

// y = x·Wᵀ + b. W [out, in] Xavier-uniform (or `init`), b zeros.
// Once the store is frozen for inference (ParamStore::freezeForInference) a Linear holds a
// packed copy of W (ops::packLinearWeight) and uses it whenever gradients are disabled.
class Linear {
public:
  Linear() = default;
  Linear(ParamBuilder& pb, const Scope& scope, int in, int out, bool bias = true,
         const Init& init = Init::xavier());
  // Wraps an existing weight [out, in] of pb's store (tied output projection); no bias.
  static Linear tied(ParamBuilder& pb, const Var& weight);
  Var operator()(const Var& x) const;  // x [..., in] -> [..., out]
  Var operator()(const Var& x, ops::Activation act) const;  // fused activation
  const Var& weight() const { return w_; }
  const Var& bias() const { return b_; }
  int in() const { return in_; }
  int out() const { return out_; }

  bool packed() const { return packed_ && packed_->defined(); }

private:
  void registerPacking(ParamBuilder& pb);

  Var w_, b_;
  int in_ = 0, out_ = 0;
  std::shared_ptr<ops::PackedLinearWeight> packed_;  // filled when the store is frozen
};

// fairseq's "ratio" Xavier-uniform (LT IWSLT FFN): fan_out taken as 2·fan_in, i.e. the bound
// sqrt(6 / (fan_in + 2·fan_in)) = sqrt(2 / fan_in).
Init ratioXavier(int fanIn);

// Token embedding table [V, d], normal(0, d^-1/2), row `padId` zero (and no gradient).
class Embedding {
public:
  Embedding() = default;
  Embedding(ParamBuilder& pb, const Scope& scope, int vocab, int dim, int padId = 0);
  Var operator()(const Tensor& ids) const;  // ids I32 [...] -> [..., d]
  const Var& table() const { return table_; }
  int vocab() const { return vocab_; }
  int dim() const { return dim_; }

private:
  Var table_;
  int vocab_ = 0, dim_ = 0, padId_ = 0;
};

class LayerNorm {
public:
  LayerNorm() = default;
  LayerNorm(ParamBuilder& pb, const Scope& scope, int dim, float eps = 1e-5f);
  Var operator()(const Var& x) const;  // over the last axis
  // LN(x + dropout(f)) at one dropout site of ctx (a post-norm residual junction,
  // ops::dropoutAddLayerNorm).
  Var dropoutAddNorm(const Var& x, const Var& f, float p, RunCtx& ctx) const;

private:
  Var gamma_, beta_;
  float eps_ = 1e-5f;
};

// Sinusoidal position table [maxPos, d] in fairseq's layout: columns [0, d/2) hold
// sin(p·ω_i), columns [d/2, d) cos(p·ω_i), ω_i = 10000^(-i/(d/2-1)). Positions start at 0
// (fairseq starts at padding_idx + 1; a constant shift that does not matter for training from
// scratch). d must be even. Heap-allocated.
Tensor sinusoidalPositions(int maxPos, int dim);

// FFN sublayer body: W2 · Dropout_act(ReLU(W1 x + b1)) + b2 (the residual is the caller's).
class FeedForward {
public:
  FeedForward() = default;
  FeedForward(ParamBuilder& pb, const Scope& scope, int dim, int hidden, float activationDropout,
              bool ratioInit);
  Var operator()(const Var& x, RunCtx& ctx) const;  // [..., d] -> [..., d]

private:
  Linear fc1_, fc2_;
  float actDrop_ = 0.f;
};

}  // namespace lt::layers
