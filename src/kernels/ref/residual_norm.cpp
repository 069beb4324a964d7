#include "kernels/ref/residual_norm.h"

#include "kernels/ref/dropout.h"
#include "kernels/ref/layer_norm.h"

namespace lt::kernels::ref {

ResidualNormResult dropoutAddLayerNormForward(const Tensor& a, const Tensor& b, float p,
                                              uint64_t seed, uint64_t stream, const Tensor& gamma,
                                              const Tensor& beta, float eps) {
  ResidualNormResult r;
  r.sum = Tensor::empty(a.shape());
  dropoutAddForward(a, b, p, seed, stream, r.sum);
  r.ln = layerNormForward(r.sum, gamma, beta, eps);
  return r;
}

ResidualNormGrads dropoutAddLayerNormBackward(const Tensor& dy, const Tensor& sum,
                                              const Tensor& mean, const Tensor& var,
                                              const Tensor& gamma, float p, uint64_t seed,
                                              uint64_t stream, float eps, bool needA, bool needB) {
  LayerNormGrads g = layerNormBackward(sum, gamma, mean, var, dy, eps);
  ResidualNormGrads r{Tensor(), Tensor(), g.dgamma, g.dbeta};
  if (needB) {
    r.db = Tensor::empty(sum.shape());
    dropoutBackward(g.dx, p, seed, stream, r.db, false);
  }
  if (needA) r.da = g.dx;
  return r;
}

}  // namespace lt::kernels::ref
