#include "ops/dynamic_conv.h"

#include "kernels/dynamic_conv.h"
#include "kernels/lightconv.h"

namespace lt::ops {

Var dynamicConv(const Var& x, const Var& kernel, int padLeft, float dropConnect, uint64_t seed,
                uint64_t stream, bool softmaxWeights) {
  const Tensor& xv = x.value();
  const Tensor& kv = kernel.value();
  const std::string xs = xv.shape().toString(), ks = kv.shape().toString();
  LT_CHECK(xv.rank() == 3 && kv.rank() == 4, ShapeError,
           "dynamicConv: x {} and kernel {}: expected x [B, T, C] and kernel [B, T, H, k]", xs,
           ks);
  LT_CHECK(xv.dim(0) == kv.dim(0) && xv.dim(1) == kv.dim(1), ShapeError,
           "dynamicConv: x {} and kernel {}: batch and time dimensions differ", xs, ks);
  LT_CHECK(kv.dim(2) > 0 && kv.dim(3) > 0 && xv.dim(2) % kv.dim(2) == 0, ShapeError,
           "dynamicConv: x {} and kernel {}: {} channels are not divisible by {} heads", xs, ks,
           xv.dim(2), kv.dim(2));
  const int64_t k = kv.dim(3);
  LT_CHECK(padLeft >= 0 && padLeft < k, ShapeError,
           "dynamicConv: x {} and kernel {}: padLeft {} outside [0, k-1 = {}]", xs, ks, padLeft,
           k - 1);
  LT_CHECK(dropConnect >= 0.f && dropConnect < 1.f, ConfigError,
           "dynamicConv: dropConnect {} outside [0, 1)", dropConnect);

  Tensor wn = Tensor::empty(kv.shape());
  Tensor w = Tensor::empty(kv.shape());
  kernels::normalizeConvKernel(kv, softmaxWeights, dropConnect, seed, stream, wn, w);
  Tensor y = Tensor::empty(xv.shape());
  kernels::dynamicConvForward(xv, w, padLeft, y);
  return makeResult(y, "dynamicConv", {x, kernel},
                    [wn, w, padLeft, dropConnect, seed, stream, softmaxWeights](Node& self) {
                      Node& nx = *self.inputs[0];
                      Node& nk = *self.inputs[1];
                      if (nx.requiresGrad)
                        kernels::dynamicConvBackwardData(self.grad, w, padLeft, nx.gradBuffer());
                      if (nk.requiresGrad) {
                        Tensor dw = Tensor::zeros(w.shape());
                        kernels::dynamicConvBackwardKernel(self.grad, nx.value, padLeft, dw);
                        kernels::normalizeConvKernelBackward(dw, wn, softmaxWeights, dropConnect,
                                                             seed, stream, nk.gradBuffer());
                      }
                    });
}

Tensor dynamicConvStep(const Tensor& window, const Tensor& kernel, bool softmaxWeights,
                       int64_t oldest) {
  const std::string ws = window.shape().toString(), ks = kernel.shape().toString();
  LT_CHECK(window.rank() == 3 && kernel.rank() == 3, ShapeError,
           "dynamicConvStep: window {} and kernel {}: expected window [N, k, C] and kernel "
           "[N, H, k]",
           ws, ks);
  LT_CHECK(window.dim(0) == kernel.dim(0) && window.dim(1) == kernel.dim(2), ShapeError,
           "dynamicConvStep: window {} and kernel {}: N or k differ", ws, ks);
  LT_CHECK(kernel.dim(1) > 0 && window.dim(2) % kernel.dim(1) == 0, ShapeError,
           "dynamicConvStep: window {} and kernel {}: {} channels are not divisible by {} heads",
           ws, ks, window.dim(2), kernel.dim(1));
  LT_CHECK(oldest >= 0 && oldest < window.dim(1), ShapeError,
           "dynamicConvStep: oldest slot {} outside [0, {})", oldest, window.dim(1));
  Tensor y = Tensor::empty({window.dim(0), window.dim(2)});
  kernels::dynamicConvStep(window, kernels::stepConvKernel(kernel, softmaxWeights, oldest), y);
  return y;
}

}  // namespace lt::ops
