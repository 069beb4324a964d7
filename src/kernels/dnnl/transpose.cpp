// Axis permutation through a oneDNN reorder: the source is described with the
// output's dims and the input's strides permuted, the destination is plain.
// Adjacent axes that stay adjacent and in order are merged first, so e.g.
// [B,T,H,d] -> [B,H,T,d] reorders a rank-4 view and [N,C] -> [N,C] is a copy.
#include "kernels/transpose.h"

#include <string>

#include <vector>

#include "kernels/backend.h"
#include "kernels/dnnl/context.h"
#include "kernels/ref/transpose.h"

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

Tensor transpose(const Tensor& x, const std::vector<int>& perm) {
  if (referenceKernels()) return ref::transpose(x, perm);
  const Shape& s = x.shape();
  int r = s.rank();
  std::vector<int64_t> od(static_cast<size_t>(r));
  for (int i = 0; i < r; ++i) od[size_t(i)] = s[perm[size_t(i)]];
  Tensor y = Tensor::empty(Shape(od));
  if (y.elements() == 0) return y;

  // Drop size-1 axes, then merge output axes i, i+1 when they are input axes
  // p, p+1 (contiguous in both layouts).
  std::vector<int> keep;  // input axes of size > 1, in output order
  for (int i = 0; i < r; ++i)
    if (s[perm[size_t(i)]] != 1) keep.push_back(perm[size_t(i)]);
  if (keep.empty()) {
    y.copyFrom(x.reshape(y.shape()));
    return y;
  }
  std::vector<int64_t> xStride(static_cast<size_t>(r));
  int64_t st = 1;
  for (int d = r - 1; d >= 0; --d) {
    xStride[size_t(d)] = st;
    st *= s[d];
  }
  // Groups of consecutive input axes in output order: (size, input stride).
  std::vector<int64_t> dims, strides;
  for (size_t i = 0; i < keep.size(); ++i) {
    int a = keep[i];
    bool merge = false;
    if (i > 0) {
      // previous kept axis is the next-outer kept input axis of a
      int prev = keep[i - 1];
      int between = prev + 1;
      while (between < a && s[between] == 1) ++between;
      merge = prev < a && between == a;
    }
    if (merge) {
      dims.back() *= s[a];
      strides.back() = xStride[size_t(a)];
    } else {
      dims.push_back(s[a]);
      strides.push_back(xStride[size_t(a)]);
    }
  }
  if (dims.size() == 1) {  // order preserved: a plain copy
    y.copyFrom(x.reshape(y.shape()));
    return y;
  }
  dnnl::memory::dims dd(dims.begin(), dims.end()), ds(strides.begin(), strides.end());
  dnnl::memory::desc src(dd, dnnl::memory::data_type::f32, ds);
  auto dst = rowMajor(Shape(dims));
  std::string sig;
  for (size_t i = 0; i < dims.size(); ++i) sig += std::to_string(dims[i]) + ":" + std::to_string(strides[i]) + ",";
  auto& ctx = dnnlContext();
  const auto& cp = ctx.cache.get(Key("transpose").tag(sig.c_str()).str(), [&] {
    dnnl::reorder::primitive_desc pd(ctx.engine, src, ctx.engine, dst, withUserScratchpad());
    return CachedPrimitive{dnnl::reorder(pd), pd};
  });
  run(cp, {{DNNL_ARG_FROM, wrap(src, x.rawData())}, {DNNL_ARG_TO, wrap(dst, y.rawData())}});
  return y;
}

}  // namespace lt::kernels
