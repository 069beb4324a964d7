// Sum / mean reductions. Dims are collapsed first (size-1 dims dropped,
// adjacent kept or reduced dims merged), so e.g. a bias gradient [B,T,C] -> [C]
// runs as [B*T, C] -> [1, C]. reduce() runs the own OpenMP loop
// (kernels/cpu/reduce.cpp); reduceDnnl() the oneDNN reduction, for comparison.
#include "kernels/reduce.h"

#include <vector>

#include "kernels/backend.h"
#include "kernels/cpu/binary.h"
#include "kernels/cpu/reduce.h"
#include "kernels/dnnl/context.h"
#include "kernels/ref/reduce.h"

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
}  // namespace

namespace {

void checkReduce(const Shape& s, const Shape& out) {
  bool ok = out.rank() <= s.rank();
  for (int i = 0; ok && i < out.rank(); ++i) {
    int64_t d = out[out.rank() - 1 - i], sd = s[s.rank() - 1 - i];
    ok = d == sd || d == 1;
  }
  LT_CHECK(ok, ShapeError, "reduce: cannot reduce {} to {} (each dim must be kept or 1)",
           s.toString(), out.toString());
}

}  // namespace

Tensor reduce(ReduceKind k, const Tensor& x, const Shape& out) {
  const Shape& s = x.shape();
  checkReduce(s, out);
  if (referenceKernels()) return ref::reduce(k, x, out);
  Tensor y = Tensor::empty(out);
  if (out.elements() == s.elements()) {  // nothing reduced
    if (y.elements()) y.copyFrom(x.reshape(out));
    return y;
  }
  if (s.elements() == 0) {
    y.zero();
    return y;
  }
  cpu::BroadcastView v = cpu::collapseBroadcast(out, s);
  float scale = k == ReduceKind::Mean ? float(out.elements()) / float(s.elements()) : 1.f;
  cpu::reduceSum(x.data<float>(), v, y.data<float>(), scale);
  return y;
}

Tensor reduceDnnl(ReduceKind k, const Tensor& x, const Shape& out) {
  const Shape& s = x.shape();
  checkReduce(s, out);
  Tensor y = Tensor::empty(out);
  cpu::BroadcastView v = cpu::collapseBroadcast(out, s);
  Shape ss = v.outShape(), so = v.smallShape();
  auto& ctx = dnnlContext();
  auto ms = rowMajor(ss), mo = rowMajor(so);
  const auto& cp = ctx.cache.get(Key("reduce").num(int(k)).dims(ss).dims(so).str(), [&] {
    dnnl::reduction::desc d(
        k == ReduceKind::Sum ? dnnl::algorithm::reduction_sum : dnnl::algorithm::reduction_mean,
        ms, mo, 0.f, 0.f);
    dnnl::reduction::primitive_desc pd(d, withUserScratchpad(), ctx.engine);
    return CachedPrimitive{dnnl::reduction(pd), pd};
  });
  run(cp, {{DNNL_ARG_SRC, wrap(ms, x.rawData())}, {DNNL_ARG_DST, wrap(mo, y.rawData())}});
  return y;
}

}  // namespace lt::kernels
