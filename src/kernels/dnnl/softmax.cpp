// Softmax entry points. The fused OpenMP loop (kernels/cpu/softmax.cpp) runs
// every case; oneDNN softmax_v2 is kept for comparison (softmaxDnnl*), used by
// the kernel tests and the timings in the kernels test.
#include "kernels/softmax.h"

#include <vector>

#include "kernels/backend.h"
#include "kernels/cpu/softmax.h"
#include "kernels/dnnl/context.h"
#include "kernels/ref/softmax.h"

namespace lt::kernels {

void checkSoftmaxMask(const char* op, const Shape& x, const Shape& mask) {
  bool ok = mask.rank() == x.rank();
  for (int d = 0; ok && d < x.rank(); ++d) ok = mask[d] == x[d] || mask[d] == 1;
  LT_CHECK(ok, ShapeError,
           "{}: mask {} does not broadcast to x {} (same rank, each dim equal or 1)", op,
           mask.toString(), x.toString());
}

Tensor softmaxForward(const Tensor& x, const Tensor& mask, bool logSoftmax) {
  if (mask.defined()) checkSoftmaxMask(logSoftmax ? "logSoftmax" : "softmax", x.shape(), mask.shape());
  if (referenceKernels()) return ref::softmaxForward(x, mask, logSoftmax);
  return cpu::softmaxForward(x, mask, logSoftmax);
}

Tensor logSoftmaxShifts(const Tensor& x) {
  LT_CHECK(x.defined() && x.dtype() == DType::F32 && x.rank() >= 1, ShapeError,
           "logSoftmaxShifts: x must be f32 [..., N], got {}", x.defined() ? x.shape().toString() : "undefined");
  if (referenceKernels()) return ref::logSoftmaxShifts(x);
  return cpu::logSoftmaxShifts(x);
}

Tensor softmaxBackward(const Tensor& y, const Tensor& dy, bool logSoftmax) {
  checkSameShape(logSoftmax ? "logSoftmax backward" : "softmax backward", y, dy);
  if (referenceKernels()) return ref::softmaxBackward(y, dy, logSoftmax);
  return cpu::softmaxBackward(y, dy, logSoftmax);
}

namespace {

// Row-major f32 descriptor. (Not context.h's plainDesc, which builds its dims
// from two different temporaries of Shape::dims(); reported to its owner.)
dnnl::memory::desc rowMajor(const Shape& s) {
  std::vector<int64_t> v = s.dims();
  dnnl::memory::dims d(v.begin(), v.end()), st(v.size(), 1);
  for (int i = int(v.size()) - 2; i >= 0; --i) st[size_t(i)] = st[size_t(i) + 1] * d[size_t(i) + 1];
  return dnnl::memory::desc(d, dnnl::memory::data_type::f32, st);
}
dnnl::memory::desc rowsDesc(const Shape& s) {
  int64_t n = s[-1];
  return rowMajor(Shape{n ? s.elements() / n : 0, n});
}
}  // namespace

Tensor softmaxDnnlForward(const Tensor& x, bool logSoftmax) {
  auto& ctx = dnnlContext();
  auto md = rowsDesc(x.shape());
  const auto& cp = ctx.cache.get(
      Key("softmax_fwd").num(md.dims()[0]).num(md.dims()[1]).num(logSoftmax).str(), [&] {
        dnnl::softmax_v2_forward::desc d(
            dnnl::prop_kind::forward_training,
            logSoftmax ? dnnl::algorithm::softmax_log : dnnl::algorithm::softmax_accurate, md,
            md, 1);
        dnnl::softmax_v2_forward::primitive_desc pd(d, withUserScratchpad(), ctx.engine);
        return CachedPrimitive{dnnl::softmax_v2_forward(pd), pd};
      });
  Tensor y = Tensor::empty(x.shape());
  run(cp, {{DNNL_ARG_SRC, wrap(md, x.rawData())},
           {DNNL_ARG_DST, wrap(md, y.rawData())}});
  return y;
}

Tensor softmaxDnnlBackward(const Tensor& y, const Tensor& dy, bool logSoftmax) {
  auto& ctx = dnnlContext();
  auto md = rowsDesc(y.shape());
  auto alg = logSoftmax ? dnnl::algorithm::softmax_log : dnnl::algorithm::softmax_accurate;
  const auto& cp = ctx.cache.get(
      Key("softmax_bwd").num(md.dims()[0]).num(md.dims()[1]).num(logSoftmax).str(), [&] {
        dnnl::softmax_v2_forward::desc fd(dnnl::prop_kind::forward_training, alg, md, md, 1);
        dnnl::softmax_v2_forward::primitive_desc fpd(fd, ctx.engine);
        dnnl::softmax_v2_backward::desc d(alg, md, md, md, 1);
        dnnl::softmax_v2_backward::primitive_desc pd(d, withUserScratchpad(), ctx.engine, fpd);
        return CachedPrimitive{dnnl::softmax_v2_backward(pd), pd};
      });
  Tensor dx = Tensor::empty(y.shape());
  run(cp, {{DNNL_ARG_DST, wrap(md, y.rawData())},
           {DNNL_ARG_DIFF_DST, wrap(md, dy.rawData())},
           {DNNL_ARG_DIFF_SRC, wrap(md, dx.rawData())}});
  return dx;
}

}  // namespace lt::kernels
