#include "ops/dropout.h"

#include "kernels/dropout.h"

namespace lt::ops {

Var dropout(const Var& x, float p, uint64_t seed, uint64_t stream) {
  LT_CHECK(p >= 0.f && p < 1.f, ConfigError, "dropout: probability {} must be in [0, 1)", p);
  LT_CHECK(x.defined(), ShapeError, "dropout: undefined input");
  if (p == 0.f) return x;
  Tensor y = Tensor::empty(x.shape());
  kernels::dropoutForward(x.value(), p, seed, stream, y);
  return makeResult(y, "dropout", {x}, [p, seed, stream](Node& self) {
    Node& in = *self.inputs[0];
    if (!in.requiresGrad) return;
    bool accumulate = in.grad.defined() || in.isParam;
    if (!accumulate) in.grad = Tensor::empty(in.value.shape());
    kernels::dropoutBackward(self.grad, p, seed, stream, in.gradBuffer(), accumulate);
  });
}

}  // namespace lt::ops
