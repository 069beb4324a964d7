// Layer normalization through oneDNN layer_normalization (forward_training
// keeps mean and variance; backward computes data, scale and shift grads). Forward inputs
// of at most cpu::kLayerNormSmallElements (decoder steps) run cpu::layerNormForward.
#include "kernels/layer_norm.h"

#include <vector>

#include "kernels/backend.h"
#include "kernels/binary.h"
#include "kernels/cpu/layer_norm.h"
#include "kernels/dnnl/context.h"
#include "kernels/ref/layer_norm.h"

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

using dnnl::normalization_flags;
const auto kFlags = normalization_flags::use_scale | normalization_flags::use_shift;

struct LnDescs {
  int64_t rows, c;
  dnnl::memory::desc data, stat, vec;
  explicit LnDescs(const Shape& s)
      : rows(s[-1] ? s.elements() / s[-1] : 0),
        c(s[-1]),
        data(rowMajor(Shape{rows, c})),
        stat(rowMajor(Shape{rows})),
        vec(rowMajor(Shape{c})) {}
};

dnnl::layer_normalization_forward::primitive_desc forwardPd(const LnDescs& m, float eps) {
  dnnl::layer_normalization_forward::desc d(dnnl::prop_kind::forward_training, m.data, m.stat,
                                            eps, kFlags);
  return {d, withUserScratchpad(), dnnlContext().engine};
}

}  // namespace

LayerNormResult addLayerNormForward(const Tensor& a, const Tensor& b, const Tensor& gamma,
                                    const Tensor& beta, float eps) {
  LT_CHECK(a.shape() == b.shape(), ShapeError, "addLayerNorm: {} and {} differ",
           a.shape().toString(), b.shape().toString());
  if (!referenceKernels() && a.elements() <= cpu::kLayerNormSmallElements)
    return cpu::layerNormForward(a, gamma, beta, eps, b);
  return layerNormForward(binaryForward(BinaryKind::Add, a, b), gamma, beta, eps);
}

LayerNormResult layerNormForward(const Tensor& x, const Tensor& gamma, const Tensor& beta,
                                 float eps) {
  if (referenceKernels()) return ref::layerNormForward(x, gamma, beta, eps);
  if (x.elements() <= cpu::kLayerNormSmallElements) return cpu::layerNormForward(x, gamma, beta, eps);
  auto& ctx = dnnlContext();
  LnDescs m(x.shape());
  LayerNormResult r = LayerNormResult::empty(x.shape(), m.rows);
  if (m.rows == 0) return r;
  const auto& cp = ctx.cache.get(Key("lnorm_fwd").num(m.rows).num(m.c).real(eps).str(), [&] {
    auto pd = forwardPd(m, eps);
    return CachedPrimitive{dnnl::layer_normalization_forward(pd), pd};
  });
  run(cp, {{DNNL_ARG_SRC, wrap(m.data, x.rawData())},
           {DNNL_ARG_DST, wrap(m.data, r.y.rawData())},
           {DNNL_ARG_SCALE, wrap(m.vec, gamma.rawData())},
           {DNNL_ARG_SHIFT, wrap(m.vec, beta.rawData())},
           {DNNL_ARG_MEAN, wrap(m.stat, r.mean.rawData())},
           {DNNL_ARG_VARIANCE, wrap(m.stat, r.var.rawData())}});
  return r;
}

LayerNormGrads layerNormBackward(const Tensor& x, const Tensor& gamma, const Tensor& mean,
                                 const Tensor& var, const Tensor& dy, float eps) {
  if (referenceKernels()) return ref::layerNormBackward(x, gamma, mean, var, dy, eps);
  auto& ctx = dnnlContext();
  LnDescs m(x.shape());
  LayerNormGrads g;
  g.dx = Tensor::empty(x.shape());
  g.dgamma = Tensor::empty(Shape{m.c});
  g.dbeta = Tensor::empty(Shape{m.c});
  if (m.rows == 0) {
    g.dgamma.zero();
    g.dbeta.zero();
    return g;
  }
  const auto& cp = ctx.cache.get(Key("lnorm_bwd").num(m.rows).num(m.c).real(eps).str(), [&] {
    auto fpd = forwardPd(m, eps);
    dnnl::layer_normalization_backward::desc d(dnnl::prop_kind::backward, m.data, m.data,
                                               m.stat, eps, kFlags);
    dnnl::layer_normalization_backward::primitive_desc pd(d, withUserScratchpad(), ctx.engine, fpd);
    return CachedPrimitive{dnnl::layer_normalization_backward(pd), pd};
  });
  run(cp, {{DNNL_ARG_SRC, wrap(m.data, x.rawData())},
           {DNNL_ARG_MEAN, wrap(m.stat, mean.rawData())},
           {DNNL_ARG_VARIANCE, wrap(m.stat, var.rawData())},
           {DNNL_ARG_DIFF_DST, wrap(m.data, dy.rawData())},
           {DNNL_ARG_SCALE, wrap(m.vec, gamma.rawData())},
           // oneDNN 2.6 requires a shift argument here although the
           // backward never reads it; gamma stands in (read-only).
           {DNNL_ARG_SHIFT, wrap(m.vec, gamma.rawData())},
           {DNNL_ARG_DIFF_SRC, wrap(m.data, g.dx.rawData())},
           {DNNL_ARG_DIFF_SCALE, wrap(m.vec, g.dgamma.rawData())},
           {DNNL_ARG_DIFF_SHIFT, wrap(m.vec, g.dbeta.rawData())}});
  return g;
}

}  // namespace lt::kernels
