#include "layers/encoder_attention.h"

#include <cmath>

#include "layers/attention.h"
#include "ops/binary.h"
#include "ops/concat.h"
#include "ops/eltwise.h"
#include "ops/matmul.h"
#include "ops/reduce.h"
#include "ops/shape_ops.h"
#include "ops/softmax.h"

namespace lt::layers {

LinformerAttention::LinformerAttention(ParamBuilder& pb, const Scope& scope, int dim, int heads,
                                       int k, int maxLen, float attentionDropout)
    : dim_(dim), heads_(heads), dh_(dim / std::max(heads, 1)), k_len_(k), maxLen_(maxLen),
      attnDrop_(attentionDropout) {
  LT_CHECK(heads >= 1 && dim % heads == 0, ConfigError,
           "attention {}: width {} is not divisible by heads {}", scope.str(), dim, heads);
  q_ = Linear(pb, scope / "q", dim, dim);
  k_ = Linear(pb, scope / "k", dim, dim);
  v_ = Linear(pb, scope / "v", dim, dim);
  out_ = Linear(pb, scope / "out", dim, dim);
  e_ = pb.add(scope / "proj_e" / "weight", Shape{k, maxLen}, Init::xavier());
  f_ = pb.add(scope / "proj_f" / "weight", Shape{k, maxLen}, Init::xavier());
}

Var LinformerAttention::forward(const Var& x, const Tensor& keep, RunCtx& ctx) const {
  int64_t B = x.dim(0), T = x.dim(1), H = heads_;
  LT_CHECK(T <= maxLen_, ShapeError,
           "linformer attention: sequence of {} tokens exceeds its max-length {}", T, maxLen_);
  Var k = k_(x), v = v_(x);  // [B, T, E]
  if (keep.defined()) {
    k = ops::mul(k, Var(keep));
    v = ops::mul(v, Var(keep));
  }
  Var e = T == maxLen_ ? e_ : ops::narrow(e_, 1, 0, T);  // [k, T]
  Var f = T == maxLen_ ? f_ : ops::narrow(f_, 1, 0, T);
  // [B, k, E] = E·K per batch row, computed as (K^T E^T)^T (the projection broadcast as the
  // right operand).
  Var kp = ops::transpose(ops::matmul(ops::transpose(k, {0, 2, 1}), e, false, true), {0, 2, 1});
  Var vp = ops::transpose(ops::matmul(ops::transpose(v, {0, 2, 1}), f, false, true), {0, 2, 1});
  auto split = [&](const Var& t) {
    return ops::transpose(ops::reshape(t, Shape{B, t.dim(1), H, dh_}), {0, 2, 1, 3});
  };
  Var q = split(q_(x));
  Var s = ops::matmul(q, split(kp), false, true, 1.f / std::sqrt(float(dh_)));  // [B, H, T, k]
  Var p = dropout(ops::softmax(s), attnDrop_, ctx);
  Var o = ops::matmul(p, split(vp));  // [B, H, T, dh]
  return out_(ops::reshape(ops::transpose(o, {0, 2, 1, 3}), Shape{B, T, dim_}));
}

FastformerAttention::FastformerAttention(ParamBuilder& pb, const Scope& scope, int dim, int heads)
    : dim_(dim), heads_(heads), dh_(dim / std::max(heads, 1)) {
  LT_CHECK(heads >= 1 && dim % heads == 0, ConfigError,
           "attention {}: width {} is not divisible by heads {}", scope.str(), dim, heads);
  q_ = Linear(pb, scope / "q", dim, dim);
  k_ = Linear(pb, scope / "k", dim, dim);
  v_ = Linear(pb, scope / "v", dim, dim);
  out_ = Linear(pb, scope / "out", dim, dim);
  wq_ = pb.add(scope / "pool_q" / "weight", Shape{heads, dh_}, Init::xavier(1.f, dh_, 1));
  wk_ = pb.add(scope / "pool_k" / "weight", Shape{heads, dh_}, Init::xavier(1.f, dh_, 1));
}

Var FastformerAttention::splitHeads(const Var& x) const {
  int64_t B = x.dim(0), T = x.dim(1);
  return ops::transpose(ops::reshape(x, Shape{B, T, heads_, dh_}), {0, 2, 1, 3});
}

Var FastformerAttention::forward(const Var& x, const Tensor& keep) const {
  int64_t B = x.dim(0), T = x.dim(1), H = heads_;
  Tensor mask = keep.defined() ? paddingMask(keep, Shape{B, 1, T}) : Tensor();  // additive
  const float sc = 1.f / std::sqrt(float(dh_));
  auto pool = [&](const Var& xh, const Var& w) {  // xh [B, H, T, dh] -> [B, H, 1, dh]
    Var logits = ops::sum(ops::mul(xh, ops::reshape(w, Shape{H, 1, dh_})), -1);  // [B, H, T]
    Var a = ops::softmax(ops::reshape(ops::scale(logits, sc), Shape{B, H, T}), mask);
    return ops::matmul(ops::reshape(a, Shape{B, H, 1, T}), xh);
  };
  Var q = q_(x);
  Var qh = splitHeads(q);
  Var qbar = pool(qh, wq_);
  Var p = ops::mul(qbar, splitHeads(k_(x)));  // [B, H, T, dh]
  Var kbar = pool(p, wk_);
  Var u = ops::mul(kbar, splitHeads(v_(x)));
  Var merged = ops::reshape(ops::transpose(u, {0, 2, 1, 3}), Shape{B, T, dim_});
  return ops::add(out_(merged), q);
}

}  // namespace lt::layers
