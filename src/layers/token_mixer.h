// TokenMixer: the token-mixing sublayer of a block (seed-systems.md §1.1). The input channels
// are split across branches in order (branch i gets [start_i, start_i + dim_i)), each branch
// mixes its slice (attention or convolution), and the outputs are concatenated in order.
// A single full-width branch skips the split and the concat (plain Transformer / LightConv).
// Parameters: <scope>/b<i>/... (attention: q,k,v,out; conv: see conv_branch.h).
#pragma once
#include <vector>

#include "layers/attention.h"
#include "layers/conv_branch.h"

namespace lt::layers {

struct BranchSpec {
  enum class Kind { Attention, LightConv, DynamicConv } kind = Kind::Attention;
  int dim = 0;
  int heads = 1;
  int kernel = 1;    // conv only
  bool glu = false;  // conv only
};

struct MixerState {
  std::vector<KvCache> attn;      // per branch (empty tensors for conv branches)
  std::vector<ConvWindow> conv;   // per branch (empty for attention branches)
};

class TokenMixer {
public:
  TokenMixer() = default;
  // causal: decoder self-mixing (causal conv padding; the caller passes a causal mask).
  TokenMixer(ParamBuilder& pb, const Scope& scope, const std::vector<BranchSpec>& branches,
             bool causal, float attentionDropout, float weightDropout);

  // x [B, T, d]; attnMask additive for the attention branches (key padding [B,1,1,T] in the
  // encoder, causal [1,1,T,T] in the decoder); keep [B, T, 1] zeroes padded conv inputs
  // (encoder) or undefined. -> [B, T, d]
  Var forward(const Var& x, const Tensor& attnMask, const Tensor& keep, RunCtx& ctx) const;

  MixerState allocState(int capacity, int maxSteps) const;
  // x [N, 1, d] at step t -> [N, 1, d]. scratch: N * maxHeads() * (t+1) floats.
  Var step(const Var& x, MixerState& st, int t, float* scratch) const;

  int maxHeads() const;
  const std::vector<BranchSpec>& specs() const { return specs_; }

private:
  std::vector<BranchSpec> specs_;
  std::vector<int> starts_;
  std::vector<MultiHeadAttention> attn_;  // per branch (default-constructed for conv)
  std::vector<ConvBranch> conv_;          // per branch (default-constructed for attention)
  int dim_ = 0;
};

}  // namespace lt::layers
