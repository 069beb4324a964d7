#include "ops/attention.h"

#include "common/error.h"
#include "kernels/attention.h"
#include "kernels/backend.h"
#include "ops/dropout.h"
#include "ops/matmul.h"
#include "ops/shape_ops.h"
#include "ops/softmax.h"

namespace lt::ops {

namespace {

Var unfused(const Var& q, const Var& k, const Var& v, const Tensor& mask, int heads, float scale,
            const kernels::AttentionDropout& drop) {
  const int64_t B = q.dim(0), Tq = q.dim(1), Tk = k.dim(1), E = q.dim(2), dh = E / heads;
  auto split = [&](const Var& x, int64_t T) {
    return transpose(reshape(x, Shape{B, T, heads, dh}), {0, 2, 1, 3});
  };
  Var s = matmul(split(q, Tq), split(k, Tk), false, true, scale);
  Var o = matmul(dropout(softmax(s, mask), drop.rate, drop.seed, drop.stream), split(v, Tk));
  return reshape(transpose(o, {0, 2, 1, 3}), Shape{B, Tq, E});
}

}  // namespace

Var attention(const Var& q, const Var& k, const Var& v, const Tensor& mask, int heads, float scale,
              float dropout, uint64_t seed, uint64_t stream) {
  LT_CHECK(dropout >= 0.f && dropout < 1.f, ConfigError,
           "attention: dropout probability {} must be in [0, 1)", dropout);
  const kernels::AttentionDropout drop{dropout, seed, stream};
  LT_CHECK(q.defined() && k.defined() && v.defined(), ShapeError,
           "attention: q, k and v must be defined");
  LT_CHECK(q.rank() == 3 && k.rank() == 3 && v.shape() == k.shape() && q.dim(0) == k.dim(0) &&
               q.dim(2) == k.dim(2),
           ShapeError,
           "attention: q {}, k {}, v {}: expected q [B, Tq, E] and k = v [B, Tk, E]",
           q.shape().toString(), k.shape().toString(), v.shape().toString());
  LT_CHECK(heads >= 1 && q.dim(2) % heads == 0, ShapeError,
           "attention: width {} is not divisible by heads {}", q.dim(2), heads);
  const int64_t B = q.dim(0), Tq = q.dim(1), Tk = k.dim(1);
  if (mask.defined()) {
    LT_CHECK(mask.dtype() == DType::F32 && mask.rank() == 4 &&
                 (mask.dim(0) == 1 || mask.dim(0) == B) &&
                 (mask.dim(1) == 1 || mask.dim(1) == heads) &&
                 (mask.dim(2) == 1 || mask.dim(2) == Tq) && mask.dim(3) == Tk,
             ShapeError, "attention: mask {} does not broadcast to [{}, {}, {}, {}]",
             mask.shape().toString(), B, heads, Tq, Tk);
  }
  if (kernels::referenceKernels()) return unfused(q, k, v, mask, heads, scale, drop);
  Tensor o = Tensor::empty(q.shape());
  Tensor p = Tensor::empty(Shape{B, heads, Tq, Tk});
  kernels::attentionForward(q.value(), k.value(), v.value(), mask, heads, scale, o, p, drop);
  return makeResult(std::move(o), "attention", {q, k, v}, [p, heads, scale, drop](Node& self) {
    Node& nq = *self.inputs[0];
    Node& nk = *self.inputs[1];
    Node& nv = *self.inputs[2];
    bool aq = false, ak = false, av = false;
    Tensor* dq = nq.requiresGrad ? &detail::gradTarget(nq, aq) : nullptr;
    Tensor* dk = nk.requiresGrad ? &detail::gradTarget(nk, ak) : nullptr;
    Tensor* dv = nv.requiresGrad ? &detail::gradTarget(nv, av) : nullptr;
    kernels::attentionBackward(nq.value, nk.value, nv.value, p, self.grad, heads, scale, dq, aq,
                               dk, ak, dv, av, drop);
  });
}

}  // namespace lt::ops
