#include "ops/reduce.h"

#include <vector>

#include "common/error.h"
#include "kernels/binary.h"
#include "kernels/eltwise.h"
#include "kernels/reduce.h"

namespace lt::ops {

namespace {

using kernels::ReduceKind;

Var reduceAxis(const char* name, ReduceKind k, const Var& x, int axis, bool keepDim) {
  LT_CHECK(x.defined(), ShapeError, "{}: x is undefined", name);
  const Shape& s = x.shape();
  LT_CHECK(axis >= -s.rank() && axis < s.rank(), ShapeError,
           "{}: axis {} out of range for x {}", name, axis, s.toString());
  int a = s.normAxis(axis);
  Shape keep = s.with(a, 1);
  Tensor y = kernels::reduce(k, x.value(), keep);
  if (!keepDim) {
    std::vector<int64_t> d = s.dims();
    d.erase(d.begin() + a);
    y = y.reshape(d.empty() ? Shape{1} : Shape(d));
  }
  float gscale = k == ReduceKind::Mean ? 1.f / float(s[a]) : 1.f;
  return makeResult(std::move(y), name, {x}, [keep, gscale](Node& self) {
    Node& in = *self.inputs[0];
    if (!in.requiresGrad) return;
    Tensor g = self.grad.reshape(keep);
    if (gscale != 1.f) g = kernels::eltwiseForward(kernels::EltwiseKind::Linear, g, gscale, 0.f);
    addFreshGrad(in, kernels::broadcastTo(g, in.value.shape()));
  });
}

}  // namespace

Var sum(const Var& x, int axis, bool keepDim) {
  return reduceAxis("sum", ReduceKind::Sum, x, axis, keepDim);
}

Var mean(const Var& x, int axis, bool keepDim) {
  return reduceAxis("mean", ReduceKind::Mean, x, axis, keepDim);
}

Var sumAll(const Var& x) {
  LT_CHECK(x.defined(), ShapeError, "sumAll: x is undefined");
  Tensor y = kernels::reduce(ReduceKind::Sum, x.value(), Shape{1});
  return makeResult(std::move(y), "sumAll", {x}, [](Node& self) {
    Node& in = *self.inputs[0];
    if (!in.requiresGrad) return;
    addFreshGrad(in, kernels::broadcastTo(self.grad, in.value.shape()));
  });
}

}  // namespace lt::ops
