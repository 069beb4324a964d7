#include "ops/random_fourier.h"

#include "common/error.h"
#include "kernels/random_fourier.h"

namespace lt::ops {

Var randomFourierFeatures(const Var& x, const Tensor& w, const Var& s) {
  LT_CHECK(x.defined() && s.defined() && w.defined(), ShapeError,
           "randomFourierFeatures: undefined input");
  const int64_t H = x.rank() == 3 ? x.dim(0) : -1;
  LT_CHECK(x.rank() == 3 && w.rank() == 3 && w.dim(0) == H && w.dim(2) == x.dim(2) &&
               s.rank() == 1 && s.dim(0) == H,
           ShapeError, "randomFourierFeatures: x {} w {} s {}: expected [H, N, dh], [H, m, dh], [H]",
           x.shape().toString(), w.shape().toString(), s.shape().toString());
  Tensor y = Tensor::empty(Shape{H, x.dim(1), 2 * w.dim(1)});
  kernels::randomFourierForward(x.value(), w, s.value(), y);
  return makeResult(std::move(y), "randomFourierFeatures", {x, s}, [w](Node& self) {
    Node& xn = *self.inputs[0];
    Node& sn = *self.inputs[1];
    if (!xn.requiresGrad && !sn.requiresGrad) return;
    Tensor dx = Tensor::empty(xn.value.shape());
    Tensor ds = sn.requiresGrad ? sn.gradBuffer() : Tensor();  // a handle: adds into s's grad
    kernels::randomFourierBackward(xn.value, w, sn.value, self.grad, dx,
                                   sn.requiresGrad ? &ds : nullptr);
    if (xn.requiresGrad) accumulateGrad(xn, dx);
  });
}

}  // namespace lt::ops
