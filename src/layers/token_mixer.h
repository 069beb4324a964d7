// TokenMixer: the token-mixing sublayer of a block (seed-systems.md §1.1). The input channels
// are split across branches in order (branch i gets [start_i, start_i + dim_i)), each branch
// mixes its slice (attention, efficient attention or convolution), and the outputs are
// concatenated in order. A single full-width branch skips the split and the concat.
// Parameters: <scope>/b<i>/... (attention: q,k,v,out; feature attention also phi/ or
// features; conv: see conv_branch.h; linformer proj_e, proj_f; fastformer pool_q, pool_k).
#pragma once
#include <vector>

#include "layers/attention.h"
#include "layers/conv_branch.h"
#include "layers/encoder_attention.h"
#include "layers/feature_attention.h"

namespace lt::layers {

struct BranchSpec {
  enum class Kind {
    Attention,    // softmax
    LightConv,
    DynamicConv,
    Feature,      // linear / t2r / performer (feature)
    Local,        // softmax in a window (+ global tokens); causal in the decoder
    Linformer,    // encoder only
    BigBird,      // encoder only
    Fastformer,   // encoder only
  } kind = Kind::Attention;
  int dim = 0;
  int heads = 1;
  int kernel = 1;    // conv only
  bool glu = false;  // conv only
  FeatureSpec feature;          // Feature
  int window = 0, global = 0;   // Local (tokens), BigBird (blocks)
  int k = 32, maxLength = 256;  // Linformer
  int block = 4, random = 2;    // BigBird
  uint64_t seed = 1;            // BigBird random blocks
};

struct MixerState {
  std::vector<KvCache> attn;        // per branch: softmax / local caches
  std::vector<ConvWindow> conv;     // per branch: conv windows
  std::vector<LinearState> linear;  // per branch: (S, z) of feature attention
};

class TokenMixer {
public:
  TokenMixer() = default;
  // causal: decoder self-mixing (causal conv padding, causal linear attention, left-only
  // local windows; the caller passes a causal mask for softmax branches).
  TokenMixer(ParamBuilder& pb, const Scope& scope, const std::vector<BranchSpec>& branches,
             bool causal, float attentionDropout, float weightDropout);

  // x [B, T, d]; attnMask additive for the softmax branches (key padding [B,1,1,T] in the
  // encoder, causal [1,1,T,T] in the decoder); keep [B, T, 1] 1/0 marks real tokens (encoder)
  // or is undefined. -> [B, T, d]
  Var forward(const Var& x, const Tensor& attnMask, const Tensor& keep, RunCtx& ctx) const;

  MixerState allocState(int capacity, int maxSteps) const;
  // x [N, 1, d] at step t -> [N, 1, d]. scratch: N * maxHeads() * (t+1) floats.
  Var step(const Var& x, MixerState& st, int t, float* scratch) const;

  // Performer branches: redraw features for training update `update`.
  void redraw(int64_t update);

  int maxHeads() const;
  const std::vector<BranchSpec>& specs() const { return specs_; }

private:
  std::vector<BranchSpec> specs_;
  std::vector<int> starts_;
  std::vector<MultiHeadAttention> attn_;  // per branch (default-constructed when unused)
  std::vector<ConvBranch> conv_;
  std::vector<FeatureAttention> feat_;
  std::vector<LinformerAttention> linformer_;
  std::vector<FastformerAttention> fastformer_;
  std::vector<uint64_t> salt_;            // BigBird random-block salt per branch
  int dim_ = 0;
  bool causal_ = false;
};

}  // namespace lt::layers
