// Broadcasting binary ops through oneDNN binary. oneDNN broadcasts only its
// second source, so: if `a` broadcasts and `b` does not, add/mul swap the
// operands and sub computes -(b - a) with a linear post-op; otherwise (div, or
// both broadcasting) `a` is first expanded with an own OpenMP copy. Dims are
// collapsed (size-1 dims dropped, dims that broadcast alike merged) so common
// patterns ([B,T,C] + [C], [B,H,T,T] * [B,1,1,T]) hit oneDNN's fast
// broadcast kernels and share primitives. Results under cpu::kSmallElems
// elements take an own serial loop (kernels/cpu/eltwise.cpp).
#include "kernels/binary.h"

#include <algorithm>

#include <vector>

#include "kernels/backend.h"
#include "kernels/cpu/binary.h"
#include "kernels/cpu/eltwise.h"
#include "kernels/dnnl/context.h"
#include "kernels/ref/binary.h"

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

dnnl::algorithm dnnlAlgorithm(BinaryKind k) {
  switch (k) {
    case BinaryKind::Add: return dnnl::algorithm::binary_add;
    case BinaryKind::Sub: return dnnl::algorithm::binary_sub;
    case BinaryKind::Mul: return dnnl::algorithm::binary_mul;
    case BinaryKind::Div: return dnnl::algorithm::binary_div;
  }
  return dnnl::algorithm::binary_add;
}

bool forceDnnl = false;

bool spans(const Shape& s, const Shape& out) { return s.elements() == out.elements(); }

// y = a (op) b, a of shape out, b broadcasting to out; optionally negated.
void runBinary(BinaryKind k, const Tensor& a, const Tensor& b, Tensor& y, bool negate) {
  auto& ctx = dnnlContext();
  cpu::BroadcastView v = cpu::collapseBroadcast(b.shape(), y.shape());
  Shape so = v.outShape(), sb = v.smallShape();
  auto mo = rowMajor(so), mb = rowMajor(sb);
  const auto& cp = ctx.cache.get(
      Key("binary").num(int(k)).dims(so).dims(sb).num(negate).str(), [&] {
        dnnl::binary::desc d(dnnlAlgorithm(k), mo, mb, mo);
        dnnl::primitive_attr attr;
        if (negate) {
          dnnl::post_ops po;
          po.append_eltwise(1.f, dnnl::algorithm::eltwise_linear, -1.f, 0.f);
          attr.set_post_ops(po);
        }
        dnnl::binary::primitive_desc pd(d, withUserScratchpad(attr), ctx.engine);
        return CachedPrimitive{dnnl::binary(pd), pd};
      });
  run(cp, {{DNNL_ARG_SRC_0, wrap(mo, a.rawData())},
           {DNNL_ARG_SRC_1, wrap(mb, b.rawData())},
           {DNNL_ARG_DST, wrap(mo, y.rawData())}});
}

}  // namespace

void forceDnnlBinary(bool on) { forceDnnl = on; }

const char* binaryName(BinaryKind k) {
  switch (k) {
    case BinaryKind::Add: return "add";
    case BinaryKind::Sub: return "sub";
    case BinaryKind::Mul: return "mul";
    case BinaryKind::Div: return "div";
  }
  return "?";
}

Shape broadcastShapes(const char* op, const Shape& a, const Shape& b) {
  int r = std::max(a.rank(), b.rank());
  std::vector<int64_t> d(static_cast<size_t>(r));
  for (int i = 0; i < r; ++i) {
    int ia = a.rank() - r + i, ib = b.rank() - r + i;
    int64_t da = ia >= 0 ? a[ia] : 1, db = ib >= 0 ? b[ib] : 1;
    LT_CHECK(da == db || da == 1 || db == 1, ShapeError,
             "{}: shapes {} and {} do not broadcast (dims {} and {} differ, neither is 1)", op,
             a.toString(), b.toString(), da, db);
    d[size_t(i)] = da == 1 ? db : da;
  }
  return Shape(d);
}

Tensor binaryForward(BinaryKind k, const Tensor& a, const Tensor& b) {
  Shape out = broadcastShapes(binaryName(k), a.shape(), b.shape());
  if (referenceKernels()) return ref::binaryForward(k, a, b);
  Tensor y = Tensor::empty(out);
  if (out.elements() == 0) return y;
  if (out.elements() < cpu::kSmallElems && !forceDnnl) {
    cpu::binarySmall(k, a, b, y);
    return y;
  }
  if (spans(a.shape(), out)) {
    runBinary(k, a, b, y, false);
  } else if (spans(b.shape(), out) && (k == BinaryKind::Add || k == BinaryKind::Mul)) {
    runBinary(k, b, a, y, false);
  } else if (spans(b.shape(), out) && k == BinaryKind::Sub) {
    runBinary(k, b, a, y, true);
  } else {
    runBinary(k, cpu::broadcastTo(a, out), b, y, false);
  }
  return y;
}

Tensor broadcastTo(const Tensor& x, const Shape& out) {
  LT_CHECK(x.rank() <= out.rank() && broadcastShapes("broadcastTo", x.shape(), out) == out,
           ShapeError, "broadcastTo: {} does not broadcast to {}", x.shape().toString(),
           out.toString());
  if (referenceKernels()) return ref::broadcastTo(x, out);
  return cpu::broadcastTo(x, out);
}

}  // namespace lt::kernels
