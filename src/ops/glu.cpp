#include "ops/glu.h"

#include "kernels/glu.h"

namespace lt::ops {

Var glu(const Var& x) {
  LT_CHECK(x.defined() && x.rank() >= 1, ShapeError, "glu: input must have rank >= 1");
  int64_t last = x.shape()[-1];
  LT_CHECK(last % 2 == 0, ShapeError, "glu: x {}: last dimension {} must be even",
           x.shape().toString(), last);
  Tensor y = Tensor::empty(x.shape().with(-1, last / 2));
  kernels::gluForward(x.value(), y);
  return makeResult(y, "glu", {x}, [](Node& self) {
    Node& in = *self.inputs[0];
    if (!in.requiresGrad) return;
    bool accumulate = in.grad.defined() || in.isParam;
    if (!accumulate) in.grad = Tensor::empty(in.value.shape());
    kernels::gluBackward(in.value, self.grad, in.gradBuffer(), accumulate);
  });
}

}  // namespace lt::ops
