#include "ops/linear_attention.h"

namespace lt::ops {

namespace {

void checkCommon(const char* op, const Tensor& q, const Tensor& k, const Tensor& v,
                 const Tensor& mask, float eps) {
  const std::string qs = q.shape().toString(), ks = k.shape().toString(),
                    vs = v.shape().toString();
  LT_CHECK(q.rank() == 4 && k.rank() == 4 && v.rank() == 4, ShapeError,
           "{}: phiQ {}, phiK {} and v {}: all must be rank 4 [B, H, T, dim]", op, qs, ks, vs);
  LT_CHECK(q.dim(0) == k.dim(0) && q.dim(1) == k.dim(1) && q.dim(3) == k.dim(3), ShapeError,
           "{}: phiQ {} and phiK {}: batch, heads or feature size differ", op, qs, ks);
  LT_CHECK(v.dim(0) == k.dim(0) && v.dim(1) == k.dim(1) && v.dim(2) == k.dim(2), ShapeError,
           "{}: phiK {} and v {}: batch, heads or key length differ", op, ks, vs);
  if (mask.defined()) {
    LT_CHECK(mask.dtype() == DType::F32 && mask.rank() == 2 && mask.dim(0) == k.dim(0) &&
                 mask.dim(1) == k.dim(2),
             ShapeError, "{}: phiK {} and keyMask {} ({}): keyMask must be f32 [B, Tk]", op, ks,
             mask.shape().toString(), name(mask.dtype()));
  }
  LT_CHECK(eps > 0.f, ConfigError, "{}: eps {} must be > 0", op, eps);
}

using ForwardFn = void (*)(const Tensor&, const Tensor&, const Tensor&, const Tensor&, float,
                           kernels::Denominator, Tensor&, Tensor&);
using BackwardFn = void (*)(const Tensor&, const Tensor&, const Tensor&, const Tensor&, float,
                            kernels::Denominator, const Tensor&, const Tensor&, const Tensor&,
                            Tensor&, Tensor&, Tensor&);

Var run(const char* op, ForwardFn fwd, BackwardFn bwd, const Var& phiQ, const Var& phiK,
        const Var& v, float eps, Denominator mode, const Tensor& keyMask) {
  const Tensor& q = phiQ.value();
  const int64_t B = q.dim(0), H = q.dim(1), Tq = q.dim(2), dv = v.value().dim(3);
  Tensor y = Tensor::empty({B, H, Tq, dv});
  Tensor den = Tensor::empty({B, H, Tq});
  fwd(q, phiK.value(), v.value(), keyMask, eps, mode, y, den);
  return makeResult(y, op, {phiQ, phiK, v}, [bwd, y, den, keyMask, eps, mode](Node& self) {
    Node& nq = *self.inputs[0];
    Node& nk = *self.inputs[1];
    Node& nv = *self.inputs[2];
    Tensor dq = nq.requiresGrad ? nq.gradBuffer() : Tensor();
    Tensor dk = nk.requiresGrad ? nk.gradBuffer() : Tensor();
    Tensor dvv = nv.requiresGrad ? nv.gradBuffer() : Tensor();
    bwd(nq.value, nk.value, nv.value, keyMask, eps, mode, y, den, self.grad, dq, dk, dvv);
  });
}

}  // namespace

Var causalLinearAttention(const Var& phiQ, const Var& phiK, const Var& v, float eps,
                          Denominator mode, const Tensor& keyMask) {
  checkCommon("causalLinearAttention", phiQ.value(), phiK.value(), v.value(), keyMask, eps);
  LT_CHECK(phiQ.shape() == phiK.shape(), ShapeError,
           "causalLinearAttention: phiQ {} and phiK {}: shapes differ",
           phiQ.shape().toString(), phiK.shape().toString());
  return run("causalLinearAttention", &kernels::causalLinearAttentionForward,
             &kernels::causalLinearAttentionBackward, phiQ, phiK, v, eps, mode, keyMask);
}

Var linearAttention(const Var& phiQ, const Var& phiK, const Var& v, float eps, Denominator mode,
                    const Tensor& keyMask) {
  checkCommon("linearAttention", phiQ.value(), phiK.value(), v.value(), keyMask, eps);
  return run("linearAttention", &kernels::linearAttentionForward,
             &kernels::linearAttentionBackward, phiQ, phiK, v, eps, mode, keyMask);
}

void linearAttentionStep(LinearAttentionState& st, const Tensor& phiq, const Tensor& phik,
                         const Tensor& v, float eps, Denominator mode, Tensor& out) {
  const std::string qs = phiq.shape().toString(), ks = phik.shape().toString(),
                    vs = v.shape().toString();
  LT_CHECK(phiq.rank() == 3 && phiq.shape() == phik.shape(), ShapeError,
           "linearAttentionStep: phiq {} and phik {}: must be equal [N, H, m]", qs, ks);
  LT_CHECK(v.rank() == 3 && v.dim(0) == phik.dim(0) && v.dim(1) == phik.dim(1), ShapeError,
           "linearAttentionStep: phik {} and v {}: expected v [N, H, dv]", ks, vs);
  LT_CHECK(eps > 0.f, ConfigError, "linearAttentionStep: eps {} must be > 0", eps);
  const int64_t N = phiq.dim(0), H = phiq.dim(1), m = phiq.dim(2), dv = v.dim(2);
  const Shape sShape{N, H, m, dv}, zShape{N, H, m};
  if (!st.S.defined() && !st.z.defined()) {
    HeapScope heap;
    st.S = Tensor::zeros(sShape);
    st.z = Tensor::zeros(zShape);
  }
  LT_CHECK(st.S.defined() && st.z.defined() && st.S.shape() == sShape && st.z.shape() == zShape,
           ShapeError, "linearAttentionStep: state S {} / z {} and phiq {}, v {}: expected S {} "
           "and z {}",
           st.S.defined() ? st.S.shape().toString() : "undefined",
           st.z.defined() ? st.z.shape().toString() : "undefined", qs, vs, sShape.toString(),
           zShape.toString());
  if (!out.defined() || out.shape() != Shape{N, H, dv}) out = Tensor::empty({N, H, dv});
  kernels::linearAttentionStep(st.S, st.z, phiq, phik, v, eps, mode, out);
}

}  // namespace lt::ops
