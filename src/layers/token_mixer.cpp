#include "layers/token_mixer.h"

#include "ops/concat.h"

namespace lt::layers {

TokenMixer::TokenMixer(ParamBuilder& pb, const Scope& scope,
                       const std::vector<BranchSpec>& branches, bool causal,
                       float attentionDropout, float weightDropout)
    : specs_(branches) {
  LT_CHECK(!branches.empty(), ConfigError, "token mixer {}: no branches", scope.str());
  for (size_t i = 0; i < branches.size(); ++i) {
    const auto& b = branches[i];
    starts_.push_back(dim_);
    dim_ += b.dim;
    Scope s = scope / ("b" + std::to_string(i));
    if (b.kind == BranchSpec::Kind::Attention) {
      attn_.emplace_back(pb, s, b.dim, b.heads, attentionDropout);
      conv_.emplace_back();
    } else {
      auto kind = b.kind == BranchSpec::Kind::LightConv ? ConvBranch::Kind::Light
                                                        : ConvBranch::Kind::Dynamic;
      attn_.emplace_back();
      conv_.emplace_back(pb, s, kind, b.dim, b.heads, b.kernel, b.glu, causal, weightDropout);
    }
  }
}

Var TokenMixer::forward(const Var& x, const Tensor& attnMask, const Tensor& keep,
                        RunCtx& ctx) const {
  std::vector<Var> outs;
  outs.reserve(specs_.size());
  bool single = specs_.size() == 1;
  for (size_t i = 0; i < specs_.size(); ++i) {
    Var xi = single ? x : ops::narrow(x, 2, starts_[i], specs_[i].dim);
    if (specs_[i].kind == BranchSpec::Kind::Attention)
      outs.push_back(attn_[i].forward(xi, xi, attnMask, ctx));
    else
      outs.push_back(conv_[i].forward(xi, keep, ctx));
  }
  return single ? outs[0] : ops::concat(outs, 2);
}

MixerState TokenMixer::allocState(int capacity, int maxSteps) const {
  MixerState st;
  st.attn.resize(specs_.size());
  st.conv.resize(specs_.size());
  for (size_t i = 0; i < specs_.size(); ++i) {
    if (specs_[i].kind == BranchSpec::Kind::Attention)
      st.attn[i] = attn_[i].allocCache(capacity, maxSteps);
    else
      st.conv[i] = conv_[i].allocWindow(capacity);
  }
  return st;
}

Var TokenMixer::step(const Var& x, MixerState& st, int t, float* scratch) const {
  std::vector<Var> outs;
  outs.reserve(specs_.size());
  bool single = specs_.size() == 1;
  for (size_t i = 0; i < specs_.size(); ++i) {
    Var xi = single ? x : ops::narrow(x, 2, starts_[i], specs_[i].dim);
    if (specs_[i].kind == BranchSpec::Kind::Attention)
      outs.push_back(attn_[i].stepSelf(xi, st.attn[i], t, scratch));
    else
      outs.push_back(conv_[i].step(xi, st.conv[i]));
  }
  return single ? outs[0] : ops::concat(outs, 2);
}

int TokenMixer::maxHeads() const {
  int h = 1;
  for (const auto& s : specs_)
    if (s.kind == BranchSpec::Kind::Attention) h = std::max(h, s.heads);
  return h;
}

}  // namespace lt::layers
