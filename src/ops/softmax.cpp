#include "ops/softmax.h"

#include "common/error.h"
#include "kernels/softmax.h"

namespace lt::ops {

namespace {

Var softmaxOp(const char* name, const Var& x, const Tensor& mask, bool log) {
  LT_CHECK(x.defined() && x.rank() >= 1, ShapeError, "{}: x must have at least one axis", name);
  if (mask.defined()) {
    LT_CHECK(mask.dtype() == DType::F32, ShapeError, "{}: mask {} must be f32, is {}", name,
             mask.shape().toString(), lt::name(mask.dtype()));
    kernels::checkSoftmaxMask(name, x.shape(), mask.shape());
  }
  Tensor y = kernels::softmaxForward(x.value(), mask, log);
  return makeResult(std::move(y), name, {x}, [log](Node& self) {
    Node& in = *self.inputs[0];
    if (!in.requiresGrad) return;
    addFreshGrad(in, kernels::softmaxBackward(self.value, self.grad, log));
  });
}

}  // namespace

Var softmax(const Var& x, const Tensor& mask) { return softmaxOp("softmax", x, mask, false); }
Var logSoftmax(const Var& x, const Tensor& mask) { return softmaxOp("logSoftmax", x, mask, true); }

}  // namespace lt::ops
