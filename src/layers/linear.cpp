#include "layers/linear.h"

#include <cmath>

#include "ops/binary.h"
#include "ops/dropout.h"
#include "ops/eltwise.h"
#include "ops/embedding.h"
#include "ops/layer_norm.h"
#include "ops/linear.h"
#include "ops/residual.h"

namespace lt::layers {

Var dropout(const Var& x, float p, RunCtx& ctx) {
  uint64_t stream = ctx.nextStream();
  float q = ctx.rate(p);
  if (q <= 0.f) return x;
  return ops::dropout(x, q, ctx.seed, stream);
}

Var dropoutAdd(const Var& x, const Var& f, float p, RunCtx& ctx) {
  const uint64_t stream = ctx.nextStream();
  return ops::dropoutAdd(x, f, ctx.rate(p), ctx.seed, stream);
}

Linear::Linear(ParamBuilder& pb, const Scope& scope, int in, int out, bool bias, const Init& init)
    : in_(in), out_(out) {
  w_ = pb.add(scope / "weight", Shape{out, in}, init);
  if (bias) b_ = pb.add(scope / "bias", Shape{out}, Init::zeros());
  registerPacking(pb);
}

Linear Linear::tied(ParamBuilder& pb, const Var& weight) {
  Linear l;
  l.w_ = weight;
  l.out_ = int(weight.dim(0));
  l.in_ = int(weight.dim(1));
  l.registerPacking(pb);
  return l;
}

void Linear::registerPacking(ParamBuilder& pb) {
  packed_ = std::make_shared<ops::PackedLinearWeight>();
  pb.store().replacedByPacking(w_);
  const ParamStore* store = &pb.store();  // owns the hook, so outlives it
  pb.store().onFreeze([w = w_, p = packed_, store](InferencePrecision precision) {
    const ParamStore::Int8Rows* rows = precision == InferencePrecision::Int8 ? store->int8Source(w) : nullptr;
    *p = rows ? ops::packInt8Rows(rows->q, rows->scale) : ops::packLinearWeight(w.value(), precision);
  }, {w_}, /*int8Aware=*/true);
}

Var Linear::operator()(const Var& x) const { return (*this)(x, ops::Activation::None); }
Var Linear::operator()(const Var& x, ops::Activation act) const {
  if (packed_ && packed_->defined() && !gradEnabled()) return ops::linearPacked(x, *packed_, b_, act);
  return ops::linear(x, w_, b_, act);
}

Init ratioXavier(int fanIn) { return Init::xavier(1.f, fanIn, 2 * int64_t(fanIn)); }

Embedding::Embedding(ParamBuilder& pb, const Scope& scope, int vocab, int dim, int padId)
    : vocab_(vocab), dim_(dim), padId_(padId) {
  table_ = pb.add(scope / "table", Shape{vocab, dim}, Init::normal(1.f / std::sqrt(float(dim))));
  pb.store().readAtInference(table_);  // looked up directly, also when an output layer packs it
  if (padId >= 0 && padId < vocab) {
    float* row = table_.mutableValue().data<float>() + int64_t(padId) * dim;
    std::fill(row, row + dim, 0.f);
  }
}

Var Embedding::operator()(const Tensor& ids) const { return ops::embedding(table_, ids, padId_); }

LayerNorm::LayerNorm(ParamBuilder& pb, const Scope& scope, int dim, float eps) : eps_(eps) {
  gamma_ = pb.add(scope / "gamma", Shape{dim}, Init::ones());
  beta_ = pb.add(scope / "beta", Shape{dim}, Init::zeros());
}

Var LayerNorm::operator()(const Var& x) const { return ops::layerNorm(x, gamma_, beta_, eps_); }
Var LayerNorm::dropoutAddNorm(const Var& x, const Var& f, float p, RunCtx& ctx) const {
  const uint64_t stream = ctx.nextStream();
  return ops::dropoutAddLayerNorm(x, f, ctx.rate(p), ctx.seed, stream, gamma_, beta_, eps_);
}

Tensor sinusoidalPositions(int maxPos, int dim) {
  LT_CHECK(dim % 2 == 0 && dim >= 2, ConfigError,
           "sinusoidal positions need an even model-dim, got {}", dim);
  HeapScope heap;
  Tensor t = Tensor::empty(Shape{maxPos, dim});
  float* p = t.data<float>();
  int half = dim / 2;
  double step = half > 1 ? std::log(10000.0) / double(half - 1) : 0.0;
  for (int pos = 0; pos < maxPos; ++pos) {
    for (int i = 0; i < half; ++i) {
      double a = double(pos) * std::exp(-double(i) * step);
      p[int64_t(pos) * dim + i] = float(std::sin(a));
      p[int64_t(pos) * dim + half + i] = float(std::cos(a));
    }
  }
  return t;
}

FeedForward::FeedForward(ParamBuilder& pb, const Scope& scope, int dim, int hidden,
                         float activationDropout, bool ratioInit)
    : actDrop_(activationDropout) {
  fc1_ = Linear(pb, scope / "fc1", dim, hidden, true, ratioInit ? ratioXavier(dim) : Init::xavier());
  fc2_ = Linear(pb, scope / "fc2", hidden, dim, true,
                ratioInit ? ratioXavier(hidden) : Init::xavier());
}

Var FeedForward::operator()(const Var& x, RunCtx& ctx) const {
  Var h = fc1_(x, ops::Activation::Relu);
  h = dropout(h, actDrop_, ctx);
  return fc2_(h);
}

}  // namespace lt::layers
