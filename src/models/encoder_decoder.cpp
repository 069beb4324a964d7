#include "models/encoder_decoder.h"

#include <cmath>
#include <cstddef>
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
  layers::MultiHeadAttention cross;     // softmax cross-attention
  layers::FeatureAttention crossFeat;   // linear / t2r / performer cross-attention
  bool featureCross = false;
  layers::LayerNorm ln2;
  layers::FeedForward ffn;
  layers::LayerNorm ln3;
};

namespace {

layers::FeatureSpec featureSpec(const BranchConfig& b) {
  layers::FeatureSpec f;
  f.map = b.type == "linear" ? layers::FeatureMap::Elu
          : b.type == "t2r"  ? layers::FeatureMap::T2R
          : b.type == "rfa"  ? layers::FeatureMap::Rfa
                             : layers::FeatureMap::Performer;
  f.features = b.features;
  f.eps = b.eps;
  f.redraw = std::max(0, b.redraw);
  f.seed = uint64_t(std::max<int64_t>(0, b.seed));
  return f;
}

std::vector<BranchSpec> specsFor(const BlockConfig& blk, int layer) {
  using K = BranchSpec::Kind;
  std::vector<BranchSpec> out;
  for (const auto& b : blk.branches) {
    BranchSpec s;
    const std::string& t = b.type;
    s.kind = t == "attention"     ? K::Attention
             : t == "lightconv"   ? K::LightConv
             : t == "dynamicconv" ? K::DynamicConv
             : t == "local"       ? K::Local
             : t == "linformer"   ? K::Linformer
             : t == "bigbird"     ? K::BigBird
             : t == "fastformer"  ? K::Fastformer
                                  : K::Feature;
    s.dim = b.dim;
    s.heads = b.heads;
    bool conv = s.kind == K::LightConv || s.kind == K::DynamicConv;
    s.kernel = conv ? b.kernelFor(layer) : 1;
    s.glu = b.glu;
    if (s.kind == K::Feature) s.feature = featureSpec(b);
    s.window = std::max(0, b.window);
    s.global = std::max(0, b.global);
    s.k = b.k;
    s.maxLength = b.maxLength;
    s.block = b.block;
    s.random = std::max(0, b.random);
    s.seed = uint64_t(std::max<int64_t>(0, b.seed));
    out.push_back(s);
  }
  return out;
}

// [B, S] additive key mask -> [B, S] 1 (real) / 0 (padding).
Tensor keepOf(const Tensor& keyMask) {
  Tensor k = Tensor::empty(keyMask.shape());
  const float* m = keyMask.data<float>();
  float* p = k.data<float>();
  for (int64_t i = 0; i < keyMask.elements(); ++i) p[i] = m[i] == 0.f ? 1.f : 0.f;
  return k;
}

// Sublayer with residual: post-LN x = LN(x + Drop(f(x))), pre-LN x = x + Drop(f(LN(x))). The
// junction after f is one fused op (ops/residual.h) taking the next dropout stream.
template <typename F>
Var sublayer(const Var& x, const layers::LayerNorm& ln, bool preNorm, float p, RunCtx& ctx, F f) {
  if (preNorm) return layers::dropoutAdd(x, f(ln(x)), p, ctx);
  return ln.dropoutAddNorm(x, f(x), p, ctx);
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
    L.featureCross = c.crossAttention.type != "softmax";
    if (L.featureCross) {
      layers::FeatureSpec f = featureSpec(c.crossAttention);
      f.positionDropout = c.attentionDropout;
      L.crossFeat = layers::FeatureAttention(pb, s / "cross", d, c.crossHeads, f);
    }
    else
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
    outProj_ = layers::Linear::tied(pb, tgtEmb_.table());
  positions_ = layers::sinusoidalPositions(c.maxPositions, d);
}

EncoderDecoder::~EncoderDecoder() = default;

void EncoderDecoder::setTrainingUpdate(int64_t update) {
  for (auto& L : enc_) L.mix.redraw(update);
  for (auto& L : dec_) {
    L.mix.redraw(update);
    if (L.featureCross) L.crossFeat.redraw(update);
  }
}

std::vector<std::string> EncoderDecoder::bufferParamNames() const {
  std::vector<std::string> out;
  for (const auto& [name, v] : params_.all())
    if (name.size() >= 9 && name.compare(name.size() - 9, 9, "/features") == 0) out.push_back(name);
  return out;
}

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
  Tensor crossKeep = keepOf(keyMask);
  Var y = embed(tgtEmb_, tgtIn, 0, ctx);
  for (const auto& L : dec_) {
    y = sublayer(y, L.ln1, cfg_.preNorm, cfg_.dropout, ctx,
                 [&](const Var& h) { return L.mix.forward(h, causal, Tensor(), ctx); });
    y = sublayer(y, L.ln2, cfg_.preNorm, cfg_.dropout, ctx,
                 [&](const Var& h) {
                   if (L.featureCross) return L.crossFeat.forward(h, mem, false, crossKeep, ctx);
                   return L.cross.forward(h, mem, crossMask, ctx);
                 });
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
    if (L.featureCross)
      ls.crossLinear = L.crossFeat.precompute(mem, keepOf(keyMask));
    else
      ls.cross = L.cross.precompute(mem, keyMask);
    maxScores = std::max<int64_t>(maxScores, int64_t(L.mix.maxHeads()) * maxSteps);
    if (!L.featureCross)
      maxScores = std::max<int64_t>(
          maxScores, int64_t(L.cross.heads()) * layers::CrossKv::paddedLength(S));
    for (const auto& kv : ls.mix.attn)
      if (kv.k.defined()) maxElems = std::max(maxElems, kv.slotRow.elements());
    for (const auto& ln : ls.mix.linear)
      if (ln.S.defined()) maxElems = std::max(maxElems, ln.S.elements());
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
      if (L.featureCross) return L.crossFeat.stepCross(h, ls.crossLinear, st.srcRow_.data());
      return L.cross.stepCross(h, ls.cross, st.srcRow_.data(), scratch);
    });
    y = sublayer(y, L.ln3, cfg_.preNorm, 0.f, ctx, [&](const Var& h) { return L.ffn(h, ctx); });
  }
  if (cfg_.preNorm) y = decFinal_(y);
  ++st.t_;
  return outProj_(y).value().reshape(Shape{N, cfg_.tgtVocab});
}

namespace {

// Gathers rows of `buf` ([capacity, ...], row = rowElems elements of which the first
// `validPerBlock` of each of `blocks` sub-blocks matter) through tmp (f32, at least n rows;
// any 4-byte dtype of buf is copied as bytes) and swaps tmp in when it has buf's dtype and
// size, else copies back.
void gatherState(Tensor& buf, Tensor& tmp, const int32_t* idx, int n, int64_t blocks,
                 int64_t blockStride, int64_t validPerBlock) {
  const size_t es = sizeOf(buf.dtype());
  LT_CHECK(es == sizeOf(tmp.dtype()), ShapeError, "reorder: state of {} with a {} gather buffer",
           name(buf.dtype()), name(tmp.dtype()));
  const int64_t rowBytes = blocks * blockStride * int64_t(es);
  const int64_t strideBytes = blockStride * int64_t(es);
  const auto* s = static_cast<const std::byte*>(buf.rawData());
  auto* d = static_cast<std::byte*>(tmp.rawData());
#pragma omp parallel for schedule(static) if (int64_t(n) * blocks * validPerBlock > 65536)
  for (int i = 0; i < n; ++i) {
    const std::byte* sr = s + int64_t(idx[i]) * rowBytes;
    std::byte* dr = d + int64_t(i) * rowBytes;
    for (int64_t b = 0; b < blocks; ++b)
      std::memcpy(dr + b * strideBytes, sr + b * strideBytes, es * size_t(validPerBlock));
  }
  if (tmp.elements() == buf.elements() && tmp.dtype() == buf.dtype()) {
    Tensor old = buf;
    buf = tmp.reshape(buf.shape());
    tmp = old.reshape(Shape{old.elements()});
  } else {
    std::memcpy(buf.rawData(), d, size_t(int64_t(n) * rowBytes));
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
      for (auto& kv : ls.mix.attn) {  // K/V stay put; only the slot -> row map moves
        if (!kv.k.defined()) continue;
        int64_t L = kv.slotRow.dim(1), used = std::min<int64_t>(st.t_, L);
        gatherState(kv.slotRow, st.gatherTmp_, idx, n, 1, L, used);
      }
      for (auto& ln : ls.mix.linear) {
        if (!ln.S.defined()) continue;
        int64_t rowS = ln.S.elements() / ln.S.dim(0), rowZ = ln.z.elements() / ln.z.dim(0);
        gatherState(ln.S, st.gatherTmp_, idx, n, 1, rowS, rowS);
        gatherState(ln.z, st.gatherTmp_, idx, n, 1, rowZ, rowZ);
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
