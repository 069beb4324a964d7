#include "models/encoder_decoder.h"

#include <cmath>
#include <cstring>

#include "ops/binary.h"
#include "ops/eltwise.h"
#include "ops/shape_ops.h"

namespace lt::models {

using layers::BranchSpec;
using layers::RunCtx;

struct EncoderDecoder::EncLayer {
  layers::TokenMixer mix;
  layers::LayerNorm ln1;
  layers::FeedForward ffn;
  layers::LayerNorm ln2;
};

struct EncoderDecoder::DecLayer {
  layers::TokenMixer mix;
  layers::LayerNorm ln1;
  layers::MultiHeadAttention cross;
  layers::LayerNorm ln2;
  layers::FeedForward ffn;
  layers::LayerNorm ln3;
};

namespace {

std::vector<BranchSpec> specsFor(const BlockConfig& blk, int layer) {
  std::vector<BranchSpec> out;
  for (const auto& b : blk.branches) {
    BranchSpec s;
    s.kind = b.type == "attention"    ? BranchSpec::Kind::Attention
             : b.type == "lightconv" ? BranchSpec::Kind::LightConv
                                      : BranchSpec::Kind::DynamicConv;
    s.dim = b.dim;
    s.heads = b.heads;
    s.kernel = s.kind == BranchSpec::Kind::Attention ? 1 : b.kernelFor(layer);
    s.glu = b.glu;
    out.push_back(s);
  }
  return out;
}

// Sublayer with residual: post-LN x = LN(x + Drop(f(x))), pre-LN x = x + Drop(f(LN(x))).
template <typename F>
Var sublayer(const Var& x, const layers::LayerNorm& ln, bool preNorm, float p, RunCtx& ctx, F f) {
  if (preNorm) return ops::add(x, layers::dropout(f(ln(x)), p, ctx));
  return ln(ops::add(x, layers::dropout(f(x), p, ctx)));
}

}  // namespace

Tensor keyPaddingMask(const Tensor& src, int padId) {
  LT_CHECK(src.rank() == 2 && src.dtype() == DType::I32, ShapeError,
           "keyPaddingMask: source ids must be I32 [B, S], got {} {}", name(src.dtype()),
           src.shape().toString());
  Tensor m = Tensor::empty(src.shape());
  const int32_t* s = src.data<int32_t>();
  float* p = m.data<float>();
  for (int64_t i = 0; i < src.elements(); ++i) p[i] = s[i] == padId ? layers::kMaskValue : 0.f;
  return m;
}

Tensor causalMask(int T) {
  Tensor m = Tensor::empty(Shape{1, 1, T, T});
  float* p = m.data<float>();
  for (int i = 0; i < T; ++i)
    for (int j = 0; j < T; ++j) p[int64_t(i) * T + j] = j <= i ? 0.f : layers::kMaskValue;
  return m;
}

EncoderDecoder::EncoderDecoder(const ModelConfig& cfgIn, ParamStore& params, Rng& rng,
                               bool initialize)
    : cfg_(resolveModelConfig(cfgIn)), params_(params) {
  HeapScope heap;
  const ModelConfig& c = cfg_;
  LT_CHECK(c.srcVocab > 0 && c.tgtVocab > 0, ConfigError,
           "model config: src-vocab-size and tgt-vocab-size must be set (> 0), got {} and {}",
           c.srcVocab, c.tgtVocab);
  layers::ParamBuilder pb(params, rng, initialize);
  int d = c.modelDim;
  bool ratio = c.ffnInit == "ratio-xavier";
  if (c.sharing == "all") {
    srcEmb_ = layers::Embedding(pb, Scope("shared/embed"), c.srcVocab, d);
    tgtEmb_ = srcEmb_;
  } else {
    srcEmb_ = layers::Embedding(pb, Scope("encoder/embed"), c.srcVocab, d);
    tgtEmb_ = layers::Embedding(pb, Scope("decoder/embed"), c.tgtVocab, d);
  }
  for (int l = 0; l < c.encoderLayers; ++l) {
    Scope s = Scope("encoder") / ("l" + std::to_string(l));
    EncLayer L;
    L.mix = layers::TokenMixer(pb, s / "mix", specsFor(c.encoderBlock, l), false,
                               c.attentionDropout, c.weightDropout);
    L.ln1 = layers::LayerNorm(pb, s / "ln1", d);
    L.ffn = layers::FeedForward(pb, s / "ffn", d, c.ffnDim, c.activationDropout, ratio);
    L.ln2 = layers::LayerNorm(pb, s / "ln2", d);
    enc_.push_back(std::move(L));
  }
  if (c.preNorm) encFinal_ = layers::LayerNorm(pb, Scope("encoder/final_ln"), d);
  for (int l = 0; l < c.decoderLayers; ++l) {
    Scope s = Scope("decoder") / ("l" + std::to_string(l));
    DecLayer L;
    L.mix = layers::TokenMixer(pb, s / "mix", specsFor(c.decoderBlock, l), true,
                               c.attentionDropout, c.weightDropout);
    L.ln1 = layers::LayerNorm(pb, s / "ln1", d);
    L.cross = layers::MultiHeadAttention(pb, s / "cross", d, c.crossHeads, c.attentionDropout);
    L.ln2 = layers::LayerNorm(pb, s / "ln2", d);
    L.ffn = layers::FeedForward(pb, s / "ffn", d, c.ffnDim, c.activationDropout, ratio);
    L.ln3 = layers::LayerNorm(pb, s / "ln3", d);
    dec_.push_back(std::move(L));
  }
  if (c.preNorm) decFinal_ = layers::LayerNorm(pb, Scope("decoder/final_ln"), d);
  if (c.sharing == "none")
    outProj_ = layers::Linear(pb, Scope("decoder/out"), d, c.tgtVocab, false,
                              Init::normal(1.f / std::sqrt(float(d))));
  else
    outProj_ = layers::Linear::tied(tgtEmb_.table());
  positions_ = layers::sinusoidalPositions(c.maxPositions, d);
}

EncoderDecoder::~EncoderDecoder() = default;

std::vector<std::string> EncoderDecoder::embeddingParamNames() const {
  if (cfg_.sharing == "all") return {"shared/embed/table"};
  return {"encoder/embed/table", "decoder/embed/table"};
}

std::string EncoderDecoder::outputProjectionName() const {
  return cfg_.sharing == "none" ? "decoder/out/weight" : "";
}

Var EncoderDecoder::embed(const layers::Embedding& e, const Tensor& ids, int offset,
                          RunCtx& ctx) const {
  int64_t T = ids.dim(1);
  LT_CHECK(offset + T <= cfg_.maxPositions, ShapeError,
           "sequence of {} positions exceeds max-positions {}", offset + T, cfg_.maxPositions);
  Var x = e(ids);  // [B, T, d]
  if (cfg_.scaleEmbedding) x = ops::scale(x, std::sqrt(float(cfg_.modelDim)));
  x = ops::add(x, Var(positions_.slice(offset, offset + T)));  // + [T, d]
  return layers::dropout(x, cfg_.dropout, ctx);
}

Var EncoderDecoder::runEncoder(const Tensor& src, Tensor& keyMask, RunCtx& ctx) {
  LT_CHECK(src.rank() == 2 && src.dtype() == DType::I32, ShapeError,
           "encoder: source ids must be I32 [B, S], got {} {}", name(src.dtype()),
           src.shape().toString());
  int64_t B = src.dim(0), S = src.dim(1);
  keyMask = keyPaddingMask(src);
  Tensor attnMask = keyMask.reshape(Shape{B, 1, 1, S});
  Tensor keep = Tensor::empty(Shape{B, S, 1});
  {
    const float* m = keyMask.data<float>();
    float* k = keep.data<float>();
    for (int64_t i = 0; i < B * S; ++i) k[i] = m[i] == 0.f ? 1.f : 0.f;
  }
  Var x = embed(srcEmb_, src, 0, ctx);
  for (const auto& L : enc_) {
    x = sublayer(x, L.ln1, cfg_.preNorm, cfg_.dropout, ctx,
                 [&](const Var& h) { return L.mix.forward(h, attnMask, keep, ctx); });
    x = sublayer(x, L.ln2, cfg_.preNorm, cfg_.dropout, ctx,
                 [&](const Var& h) { return L.ffn(h, ctx); });
  }
  if (cfg_.preNorm) x = encFinal_(x);
  return x;
}

Var EncoderDecoder::runDecoder(const Tensor& tgtIn, const Var& mem, const Tensor& keyMask,
                               RunCtx& ctx) {
  LT_CHECK(tgtIn.rank() == 2 && tgtIn.dtype() == DType::I32 && tgtIn.dim(0) == mem.dim(0),
           ShapeError, "decoder: target ids must be I32 [B, T] with B = {}, got {} {}",
           mem.dim(0), name(tgtIn.dtype()), tgtIn.shape().toString());
  int64_t B = mem.dim(0), S = mem.dim(1), T = tgtIn.dim(1);
  Tensor causal = causalMask(int(T));
  Tensor crossMask = keyMask.reshape(Shape{B, 1, 1, S});
  Var y = embed(tgtEmb_, tgtIn, 0, ctx);
  for (const auto& L : dec_) {
    y = sublayer(y, L.ln1, cfg_.preNorm, cfg_.dropout, ctx,
                 [&](const Var& h) { return L.mix.forward(h, causal, Tensor(), ctx); });
    y = sublayer(y, L.ln2, cfg_.preNorm, cfg_.dropout, ctx,
                 [&](const Var& h) { return L.cross.forward(h, mem, crossMask, ctx); });
    y = sublayer(y, L.ln3, cfg_.preNorm, cfg_.dropout, ctx,
                 [&](const Var& h) { return L.ffn(h, ctx); });
  }
  if (cfg_.preNorm) y = decFinal_(y);
  return y;
}

Var EncoderDecoder::forward(const Tensor& src, const Tensor& tgtIn, const ForwardOptions& opt) {
  RunCtx ctx;
  ctx.train = opt.train;
  ctx.seed = opt.dropoutSeed;
  Tensor keyMask;
  Var mem = runEncoder(src, keyMask, ctx);
  Var y = runDecoder(tgtIn, mem, keyMask, ctx);
  if (opt.skipOutputProjection) return y;
  return outProj_(y);
}

EncoderOutput EncoderDecoder::encode(const Tensor& src) {
  NoGradScope ng;
  RunCtx ctx;
  EncoderOutput e;
  Var mem = runEncoder(src, e.keyMask, ctx);
  e.out = mem.value();
  return e;
}

DecoderState EncoderDecoder::startState(const EncoderOutput& enc, int maxSteps, int beamSize) {
  NoGradScope ng;
  HeapScope heap;
  LT_CHECK(enc.out.defined() && enc.out.rank() == 3, ShapeError,
           "startState: encoder output must be [B, S, d]");
  LT_CHECK(maxSteps >= 1 && beamSize >= 1, ShapeError,
           "startState: maxSteps ({}) and beamSize ({}) must be >= 1", maxSteps, beamSize);
  LT_CHECK(maxSteps <= cfg_.maxPositions, ShapeError,
           "startState: {} decoding steps exceed max-positions {}", maxSteps, cfg_.maxPositions);
  int B = int(enc.out.dim(0)), S = int(enc.out.dim(1));
  DecoderState st;
  st.capacity_ = st.rows_ = B * beamSize;
  st.maxSteps_ = maxSteps;
  st.srcRow_.resize(size_t(st.capacity_));
  st.srcRowTmp_.resize(size_t(st.capacity_));
  for (int r = 0; r < st.capacity_; ++r) st.srcRow_[size_t(r)] = r / beamSize;
  Var mem(enc.out);
  // The encoder output may live in an arena that is reset while decoding: keep a heap copy
  // of the mask (the cross K/V computed below are heap tensors already).
  Tensor keyMask = enc.keyMask.cloneToHeap();
  int64_t maxScores = 0, maxElems = 0;
  for (const auto& L : dec_) {
    DecoderLayerState ls;
    ls.mix = L.mix.allocState(st.capacity_, maxSteps);
    ls.cross = L.cross.precompute(mem, keyMask);
    maxScores = std::max<int64_t>(maxScores, int64_t(L.mix.maxHeads()) * maxSteps);
    maxScores = std::max<int64_t>(maxScores, int64_t(L.cross.heads()) * S);
    for (const auto& kv : ls.mix.attn)
      if (kv.k.defined()) maxElems = std::max(maxElems, kv.k.elements());
    for (const auto& w : ls.mix.conv)
      if (w.buf.defined()) maxElems = std::max(maxElems, w.buf.elements());
    st.layers_.push_back(std::move(ls));
  }
  st.scratch_ = Tensor::empty(Shape{std::max<int64_t>(1, maxScores * st.capacity_)});
  st.gatherTmp_ = Tensor::empty(Shape{std::max<int64_t>(1, maxElems)});
  return st;
}

Tensor EncoderDecoder::step(DecoderState& st, const Tensor& prevWords) {
  NoGradScope ng;
  int N = st.rows_;
  LT_CHECK(prevWords.dtype() == DType::I32 && prevWords.elements() == N, ShapeError,
           "step: prevWords must be I32 [{}] (one per live row), got {} {}", N,
           name(prevWords.dtype()), prevWords.shape().toString());
  LT_CHECK(st.t_ < st.maxSteps_, ShapeError,
           "step: decoder state allocated for {} steps is exhausted", st.maxSteps_);
  RunCtx ctx;
  int t = st.t_;
  float* scratch = st.scratch_.data<float>();
  Var y = embed(tgtEmb_, prevWords.reshape(Shape{N, 1}), t, ctx);  // [N, 1, d]
  for (size_t l = 0; l < dec_.size(); ++l) {
    const auto& L = dec_[l];
    auto& ls = st.layers_[l];
    y = sublayer(y, L.ln1, cfg_.preNorm, 0.f, ctx,
                 [&](const Var& h) { return L.mix.step(h, ls.mix, t, scratch); });
    y = sublayer(y, L.ln2, cfg_.preNorm, 0.f, ctx, [&](const Var& h) {
      return L.cross.stepCross(h, ls.cross, st.srcRow_.data(), scratch);
    });
    y = sublayer(y, L.ln3, cfg_.preNorm, 0.f, ctx, [&](const Var& h) { return L.ffn(h, ctx); });
  }
  if (cfg_.preNorm) y = decFinal_(y);
  ++st.t_;
  return outProj_(y).value().reshape(Shape{N, cfg_.tgtVocab});
}

namespace {

// Gathers rows of `buf` ([capacity, ...], row = rowElems floats of which the first
// `validElems` of each of `blocks` sub-blocks matter) through tmp and swaps or copies back.
void gatherState(Tensor& buf, Tensor& tmp, const int32_t* idx, int n, int64_t blocks,
                 int64_t blockStride, int64_t validPerBlock) {
  int64_t rowElems = blocks * blockStride;
  const float* s = buf.data<float>();
  float* d = tmp.data<float>();
#pragma omp parallel for schedule(static) if (int64_t(n) * blocks * validPerBlock > 65536)
  for (int i = 0; i < n; ++i) {
    const float* sr = s + int64_t(idx[i]) * rowElems;
    float* dr = d + int64_t(i) * rowElems;
    for (int64_t b = 0; b < blocks; ++b)
      std::memcpy(dr + b * blockStride, sr + b * blockStride, sizeof(float) * size_t(validPerBlock));
  }
  if (tmp.elements() == buf.elements()) {
    Tensor old = buf;
    buf = tmp.reshape(buf.shape());
    tmp = old.reshape(Shape{old.elements()});
  } else {
    std::memcpy(buf.data<float>(), d, sizeof(float) * size_t(int64_t(n) * rowElems));
  }
}

}  // namespace

void EncoderDecoder::reorder(DecoderState& st, const Tensor& beamIndices) {
  LT_CHECK(beamIndices.dtype() == DType::I32 && beamIndices.rank() == 1, ShapeError,
           "reorder: beam indices must be I32 [N'], got {} {}", name(beamIndices.dtype()),
           beamIndices.shape().toString());
  int n = int(beamIndices.elements());
  LT_CHECK(n <= st.capacity_, ShapeError, "reorder: {} rows exceed the state capacity {}", n,
           st.capacity_);
  const int32_t* idx = beamIndices.data<int32_t>();
  bool identity = true;
  for (int i = 0; i < n; ++i) {
    LT_CHECK(idx[i] >= 0 && idx[i] < st.rows_, ShapeError,
             "reorder: beam index {} at position {} is outside [0, {})", idx[i], i, st.rows_);
    identity = identity && idx[i] == i;
  }
  if (!identity) {
    for (int i = 0; i < n; ++i) st.srcRowTmp_[size_t(i)] = st.srcRow_[size_t(idx[i])];
    std::swap(st.srcRow_, st.srcRowTmp_);
    for (auto& ls : st.layers_) {
      for (auto& kv : ls.mix.attn) {
        if (!kv.k.defined()) continue;
        int64_t H = kv.k.dim(1), L = kv.k.dim(2), dh = kv.k.dim(3);
        gatherState(kv.k, st.gatherTmp_, idx, n, H, L * dh, st.t_ * dh);
        gatherState(kv.v, st.gatherTmp_, idx, n, H, L * dh, st.t_ * dh);
      }
      for (auto& w : ls.mix.conv) {
        if (!w.buf.defined()) continue;
        int64_t row = w.buf.elements() / w.buf.dim(0);
        gatherState(w.buf, st.gatherTmp_, idx, n, 1, row, row);
      }
    }
  }
  st.rows_ = n;
}

}  // namespace lt::models
