#include "ops/gather.h"

#include "kernels/gather.h"

namespace lt::ops {

Var gatherRows(const Var& x, const Tensor& index) {
  LT_CHECK(x.defined() && index.defined(), ShapeError, "gatherRows: undefined x or index");
  const Shape& xs = x.shape();
  const Shape& is = index.shape();
  LT_CHECK(xs.rank() >= 1 && is.rank() == 1 && index.dtype() == DType::I32, ShapeError,
           "gatherRows: x {} and index {} {}: expected x [N, ...] and an i32 index [M]",
           xs.toString(), name(index.dtype()), is.toString());
  int64_t bad = kernels::findBadIndex(index, xs[0]);
  if (bad >= 0)
    LT_THROW(ShapeError, "gatherRows: index {} at position {} is outside rows [0, {}) of x {}",
             index.data<int32_t>()[bad], bad, xs[0], xs.toString());
  Tensor out = Tensor::empty(xs.with(0, is[0]), x.value().dtype());
  kernels::gatherRows(x.value(), index, out);
  return makeResult(out, "gatherRows", {x}, [index](Node& self) {
    Node& in = *self.inputs[0];
    if (!in.requiresGrad) return;
    kernels::scatterAddRows(self.grad, index, -1, in.gradBuffer());
  });
}

}  // namespace lt::ops
