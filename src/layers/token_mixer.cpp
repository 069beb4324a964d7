#include "layers/token_mixer.h"

#include "ops/concat.h"

namespace lt::layers {

using Kind = BranchSpec::Kind;

TokenMixer::TokenMixer(ParamBuilder& pb, const Scope& scope,
                       const std::vector<BranchSpec>& branches, bool causal,
                       float attentionDropout, float weightDropout)
    : specs_(branches), causal_(causal) {
  LT_CHECK(!branches.empty(), ConfigError, "token mixer {}: no branches", scope.str());
  size_t n = branches.size();
  attn_.resize(n);
  conv_.resize(n);
  feat_.resize(n);
  linformer_.resize(n);
  fastformer_.resize(n);
  salt_.resize(n);
  for (size_t i = 0; i < n; ++i) {
    const auto& b = branches[i];
    starts_.push_back(dim_);
    dim_ += b.dim;
    Scope s = scope / ("b" + std::to_string(i));
    bool encoderOnly = b.kind == Kind::Linformer || b.kind == Kind::BigBird ||
                       b.kind == Kind::Fastformer;
    LT_CHECK(!(causal && encoderOnly), ConfigError,
             "token mixer {}: linformer, bigbird and fastformer are encoder-only", s.str());
    uint64_t h = 1469598103934665603ull;
    for (unsigned char c : s.str()) h = (h ^ c) * 1099511628211ull;
    salt_[i] = h;
    switch (b.kind) {
      case Kind::Attention:
      case Kind::Local:
      case Kind::BigBird:
        attn_[i] = MultiHeadAttention(pb, s, b.dim, b.heads, attentionDropout);
        if (causal && b.kind != Kind::BigBird) attn_[i].fuseStepProjections(pb);
        break;
      case Kind::LightConv:
      case Kind::DynamicConv:
        conv_[i] = ConvBranch(pb, s,
                              b.kind == Kind::LightConv ? ConvBranch::Kind::Light
                                                        : ConvBranch::Kind::Dynamic,
                              b.dim, b.heads, b.kernel, b.glu, causal, weightDropout);
        break;
      case Kind::Feature: {
        FeatureSpec f = b.feature;
        f.positionDropout = attentionDropout;
        feat_[i] = FeatureAttention(pb, s, b.dim, b.heads, f);
        break;
      }
      case Kind::Linformer:
        linformer_[i] =
            LinformerAttention(pb, s, b.dim, b.heads, b.k, b.maxLength, attentionDropout);
        break;
      case Kind::Fastformer:
        fastformer_[i] = FastformerAttention(pb, s, b.dim, b.heads);
        break;
    }
  }
}

Var TokenMixer::forward(const Var& x, const Tensor& attnMask, const Tensor& keep,
                        RunCtx& ctx) const {
  std::vector<Var> outs;
  outs.reserve(specs_.size());
  bool single = specs_.size() == 1;
  const int T = int(x.dim(1));
  const int64_t B = x.dim(0);
  Tensor keep2 = keep.defined() ? keep.reshape(Shape{B, T}) : Tensor();
  for (size_t i = 0; i < specs_.size(); ++i) {
    const BranchSpec& b = specs_[i];
    Var xi = single ? x : ops::narrow(x, 2, starts_[i], b.dim);
    switch (b.kind) {
      case Kind::Attention:
        outs.push_back(attn_[i].forward(xi, xi, attnMask, ctx));
        break;
      case Kind::Local:  // blockwise: O(T·window) plus the global tokens
        outs.push_back(attn_[i].forwardBlockSparse(
            xi, causal_ ? Tensor() : keep2, localPattern(T, b.window, b.global, causal_), ctx));
        break;
      case Kind::BigBird:
        outs.push_back(attn_[i].forwardBlockSparse(
            xi, keep2, bigbirdPattern(T, b.block, b.window, b.random, b.global, b.seed, salt_[i]),
            ctx));
        break;
      case Kind::LightConv:
      case Kind::DynamicConv:
        outs.push_back(conv_[i].forward(xi, keep, ctx));
        break;
      case Kind::Feature:
        outs.push_back(feat_[i].forward(xi, xi, causal_, causal_ ? Tensor() : keep2, ctx));
        break;
      case Kind::Linformer:
        outs.push_back(linformer_[i].forward(xi, keep, ctx));
        break;
      case Kind::Fastformer:
        outs.push_back(fastformer_[i].forward(xi, keep));
        break;
    }
  }
  return single ? outs[0] : ops::concat(outs, 2);
}

MixerState TokenMixer::allocState(int capacity, int maxSteps) const {
  MixerState st;
  st.attn.resize(specs_.size());
  st.conv.resize(specs_.size());
  st.linear.resize(specs_.size());
  for (size_t i = 0; i < specs_.size(); ++i) {
    const BranchSpec& b = specs_[i];
    switch (b.kind) {
      case Kind::Attention:
        st.attn[i] = attn_[i].allocCache(capacity, maxSteps);
        break;
      case Kind::Local:
        st.attn[i] = attn_[i].allocCache(capacity, maxSteps, b.window, b.global);
        break;
      case Kind::LightConv:
      case Kind::DynamicConv:
        st.conv[i] = conv_[i].allocWindow(capacity);
        break;
      case Kind::Feature:
        st.linear[i] = feat_[i].allocState(capacity);
        break;
      default:
        LT_THROW(Error, "token mixer: branch {} has no incremental form (encoder-only)", i);
    }
  }
  return st;
}

Var TokenMixer::step(const Var& x, MixerState& st, int t, float* scratch) const {
  std::vector<Var> outs;
  outs.reserve(specs_.size());
  bool single = specs_.size() == 1;
  for (size_t i = 0; i < specs_.size(); ++i) {
    Var xi = single ? x : ops::narrow(x, 2, starts_[i], specs_[i].dim);
    switch (specs_[i].kind) {
      case Kind::Attention:
      case Kind::Local:
        outs.push_back(attn_[i].stepSelf(xi, st.attn[i], t, scratch));
        break;
      case Kind::LightConv:
      case Kind::DynamicConv:
        outs.push_back(conv_[i].step(xi, st.conv[i]));
        break;
      case Kind::Feature:
        outs.push_back(feat_[i].stepSelf(xi, st.linear[i]));
        break;
      default:
        LT_THROW(Error, "token mixer: branch {} has no incremental form (encoder-only)", i);
    }
  }
  return single ? outs[0] : ops::concat(outs, 2);
}

void TokenMixer::redraw(int64_t update) {
  for (size_t i = 0; i < specs_.size(); ++i)
    if (specs_[i].kind == Kind::Feature) feat_[i].redraw(update);
}

int TokenMixer::maxHeads() const {
  int h = 1;
  for (const auto& s : specs_)
    if (s.kind == Kind::Attention || s.kind == Kind::Local) h = std::max(h, s.heads);
  return h;
}

}  // namespace lt::layers
