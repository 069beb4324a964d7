// Element-wise activations through oneDNN eltwise. The tensor is viewed as a
// flat [n] vector, so the primitive depends only on (kind, n, alpha, beta).
// Backward uses the *_use_dst_for_bwd algorithms where the output is the
// cheaper input (sigmoid, exp, tanh). Tensors under cpu::kSmallElems elements
// take an own serial loop instead, and Linear (scale / addScalar) always an
// own OpenMP loop, so varying scalars do not fill the primitive cache
// (kernels/cpu/eltwise.cpp).
#include "kernels/eltwise.h"

#include <vector>

#include "kernels/backend.h"
#include "kernels/cpu/eltwise.h"
#include "kernels/dnnl/context.h"
#include "kernels/ref/eltwise.h"

namespace lt::kernels {

namespace {

// Row-major f32 descriptor. (Not context.h's plainDesc, which builds its dims
// from two different temporaries of Shape::dims(); reported to its owner.)
dnnl::memory::desc rowMajor(const Shape& s) {
  std::vector<int64_t> v = s.dims();
  dnnl::memory::dims d(v.begin(), v.end()), st(v.size(), 1);
  for (int i = int(v.size()) - 2; i >= 0; --i) st[size_t(i)] = st[size_t(i) + 1] * d[size_t(i) + 1];
  return dnnl::memory::desc(d, dnnl::memory::data_type::f32, st);
}

using dnnl::algorithm;

bool usesDst(EltwiseKind k) {
  return k == EltwiseKind::Sigmoid || k == EltwiseKind::Exp || k == EltwiseKind::Tanh;
}

algorithm dnnlAlgorithm(EltwiseKind k) {
  switch (k) {
    case EltwiseKind::Relu: return algorithm::eltwise_relu;
    case EltwiseKind::Gelu: return algorithm::eltwise_gelu_erf;
    case EltwiseKind::Elu: return algorithm::eltwise_elu;
    case EltwiseKind::Sigmoid: return algorithm::eltwise_logistic_use_dst_for_bwd;
    case EltwiseKind::Exp: return algorithm::eltwise_exp_use_dst_for_bwd;
    case EltwiseKind::Tanh: return algorithm::eltwise_tanh_use_dst_for_bwd;
    case EltwiseKind::Linear: return algorithm::eltwise_linear;
  }
  return algorithm::eltwise_relu;
}

// oneDNN's relu takes alpha as the negative slope: ours is plain relu.
bool forceDnnl = false;

float dnnlAlpha(EltwiseKind k, float alpha) { return k == EltwiseKind::Relu ? 0.f : alpha; }

dnnl::eltwise_forward::primitive_desc forwardPd(EltwiseKind k, const dnnl::memory::desc& md,
                                                float alpha, float beta) {
  dnnl::eltwise_forward::desc d(dnnl::prop_kind::forward_training, dnnlAlgorithm(k), md,
                                dnnlAlpha(k, alpha), beta);
  return {d, withUserScratchpad(), dnnlContext().engine};
}

}  // namespace

void forceDnnlEltwise(bool on) { forceDnnl = on; }

const char* eltwiseName(EltwiseKind k) {
  switch (k) {
    case EltwiseKind::Relu: return "relu";
    case EltwiseKind::Gelu: return "gelu";
    case EltwiseKind::Elu: return "elu";
    case EltwiseKind::Sigmoid: return "sigmoid";
    case EltwiseKind::Exp: return "exp";
    case EltwiseKind::Tanh: return "tanh";
    case EltwiseKind::Linear: return "linear";
  }
  return "?";
}

Tensor eltwiseForward(EltwiseKind k, const Tensor& x, float alpha, float beta) {
  if (referenceKernels()) return ref::eltwiseForward(k, x, alpha, beta);
  Tensor y = Tensor::empty(x.shape());
  int64_t n = x.elements();
  if (n == 0) return y;
  if (k == EltwiseKind::Linear && !forceDnnl) {
    cpu::affine(x.data<float>(), y.data<float>(), n, alpha, beta);
    return y;
  }
  if (n < cpu::kSmallElems && !forceDnnl) {
    cpu::eltwiseSmall(k, x.data<float>(), y.data<float>(), n, alpha, beta);
    return y;
  }
  auto& ctx = dnnlContext();
  auto md = rowMajor(Shape{n});
  const auto& cp = ctx.cache.get(
      Key("eltwise_fwd").num(int(k)).num(n).real(alpha).real(beta).str(), [&] {
        auto pd = forwardPd(k, md, alpha, beta);
        return CachedPrimitive{dnnl::eltwise_forward(pd), pd};
      });
  run(cp, {{DNNL_ARG_SRC, wrap(md, x.rawData())}, {DNNL_ARG_DST, wrap(md, y.rawData())}});
  return y;
}

Tensor eltwiseBackward(EltwiseKind k, const Tensor& x, const Tensor& y, const Tensor& dy,
                       float alpha, float beta) {
  if (referenceKernels()) return ref::eltwiseBackward(k, x, y, dy, alpha, beta);
  Tensor dx = Tensor::empty(dy.shape());
  int64_t n = dy.elements();
  if (n == 0) return dx;
  if (k == EltwiseKind::Linear && !forceDnnl) {
    cpu::affine(dy.data<float>(), dx.data<float>(), n, alpha, 0.f);
    return dx;
  }
  if (n < cpu::kSmallElems && !forceDnnl) {
    cpu::eltwiseBackwardSmall(k, x.data<float>(), y.data<float>(), dy.data<float>(),
                              dx.data<float>(), n, alpha);
    return dx;
  }
  auto& ctx = dnnlContext();
  auto md = rowMajor(Shape{n});
  const auto& cp = ctx.cache.get(
      Key("eltwise_bwd").num(int(k)).num(n).real(alpha).real(beta).str(), [&] {
        auto fpd = forwardPd(k, md, alpha, beta);
        dnnl::eltwise_backward::desc d(dnnlAlgorithm(k), md, md, dnnlAlpha(k, alpha), beta);
        dnnl::eltwise_backward::primitive_desc pd(d, withUserScratchpad(), ctx.engine, fpd);
        return CachedPrimitive{dnnl::eltwise_backward(pd), pd};
      });
  const Tensor& in = usesDst(k) ? y : x;
  run(cp, {{usesDst(k) ? DNNL_ARG_DST : DNNL_ARG_SRC, wrap(md, in.rawData())},
           {DNNL_ARG_DIFF_DST, wrap(md, dy.rawData())},
           {DNNL_ARG_DIFF_SRC, wrap(md, dx.rawData())}});
  return dx;
}

}  // namespace lt::kernels
