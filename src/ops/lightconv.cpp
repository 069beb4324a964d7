#include "ops/lightconv.h"

#include "kernels/lightconv.h"

namespace lt::ops {

namespace {

void checkWeight(const char* op, const Tensor& x, const char* xName, const Tensor& w) {
  LT_CHECK(w.rank() == 2 && w.dim(0) > 0 && w.dim(1) > 0, ShapeError,
           "{}: {} {} and weight {}: weight must be [heads, k]", op, xName,
           x.shape().toString(), w.shape().toString());
  LT_CHECK(x.dim(-1) % w.dim(0) == 0, ShapeError,
           "{}: {} {} and weight {}: {} channels are not divisible by {} heads", op, xName,
           x.shape().toString(), w.shape().toString(), x.dim(-1), w.dim(0));
}

}  // namespace

Var lightConv(const Var& x, const Var& weight, int padLeft, float dropConnect, uint64_t seed,
              uint64_t stream, bool softmaxWeights) {
  const Tensor& xv = x.value();
  const Tensor& wv = weight.value();
  LT_CHECK(xv.rank() == 3, ShapeError, "lightConv: x {} and weight {}: x must be [B, T, C]",
           xv.shape().toString(), wv.shape().toString());
  checkWeight("lightConv", xv, "x", wv);
  const int64_t k = wv.dim(1);
  LT_CHECK(padLeft >= 0 && padLeft < k, ShapeError,
           "lightConv: x {} and weight {}: padLeft {} outside [0, k-1 = {}]",
           xv.shape().toString(), wv.shape().toString(), padLeft, k - 1);
  LT_CHECK(dropConnect >= 0.f && dropConnect < 1.f, ConfigError,
           "lightConv: dropConnect {} outside [0, 1)", dropConnect);

  Tensor wn = Tensor::empty(wv.shape());
  Tensor w = Tensor::empty(wv.shape());
  kernels::normalizeConvKernel(wv, softmaxWeights, dropConnect, seed, stream, wn, w);
  Tensor y = Tensor::empty(xv.shape());
  kernels::lightConvForward(xv, w, padLeft, y);
  return makeResult(y, "lightConv", {x, weight},
                    [wn, w, padLeft, dropConnect, seed, stream, softmaxWeights](Node& self) {
                      Node& nx = *self.inputs[0];
                      Node& nw = *self.inputs[1];
                      if (nx.requiresGrad)
                        kernels::lightConvBackwardData(self.grad, w, padLeft, nx.gradBuffer());
                      if (nw.requiresGrad) {
                        Tensor dw = Tensor::zeros(w.shape());
                        kernels::lightConvBackwardWeight(self.grad, nx.value, padLeft, dw);
                        kernels::normalizeConvKernelBackward(dw, wn, softmaxWeights, dropConnect,
                                                             seed, stream, nw.gradBuffer());
                      }
                    });
}

Tensor lightConvStep(const Tensor& window, const Tensor& weight, bool softmaxWeights,
                     int64_t oldest) {
  LT_CHECK(window.rank() == 3, ShapeError,
           "lightConvStep: window {} and weight {}: window must be [N, k, C]",
           window.shape().toString(), weight.shape().toString());
  checkWeight("lightConvStep", window, "window", weight);
  LT_CHECK(window.dim(1) == weight.dim(1), ShapeError,
           "lightConvStep: window {} and weight {}: window holds {} steps, kernel has {} taps",
           window.shape().toString(), weight.shape().toString(), window.dim(1), weight.dim(1));
  LT_CHECK(oldest >= 0 && oldest < window.dim(1), ShapeError,
           "lightConvStep: oldest slot {} outside [0, {})", oldest, window.dim(1));
  Tensor y = Tensor::empty({window.dim(0), window.dim(2)});
  kernels::lightConvStep(window, kernels::stepConvKernel(weight, softmaxWeights, oldest), y);
  return y;
}

}  // namespace lt::ops
