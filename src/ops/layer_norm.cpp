#include "ops/layer_norm.h"

#include "common/error.h"
#include "kernels/layer_norm.h"

namespace lt::ops {

namespace {
void addFreshGrad(Node& n, Tensor g) {
  if (!n.grad.defined() && !n.isParam) n.grad = std::move(g);
  else accumulateGrad(n, g);
}
}  // namespace

Var layerNorm(const Var& x, const Var& gamma, const Var& beta, float eps) {
  LT_CHECK(x.defined() && gamma.defined() && beta.defined(), ShapeError,
           "layerNorm: x, gamma and beta must all be defined");
  LT_CHECK(x.rank() >= 1, ShapeError, "layerNorm: x {} must have at least one axis",
           x.shape().toString());
  int64_t c = x.dim(-1);
  LT_CHECK(gamma.rank() == 1 && gamma.dim(0) == c, ShapeError,
           "layerNorm: x {} and gamma {}: gamma must be [{}]", x.shape().toString(),
           gamma.shape().toString(), c);
  LT_CHECK(beta.rank() == 1 && beta.dim(0) == c, ShapeError,
           "layerNorm: x {} and beta {}: beta must be [{}]", x.shape().toString(),
           beta.shape().toString(), c);
  LT_CHECK(eps >= 0.f, ShapeError, "layerNorm: eps {} must not be negative", eps);
  kernels::LayerNormResult r = kernels::layerNormForward(x.value(), gamma.value(), beta.value(), eps);
  Tensor mean = r.mean, var = r.var;
  return makeResult(std::move(r.y), "layerNorm", {x, gamma, beta},
                    [mean, var, eps](Node& self) {
                      Node& nx = *self.inputs[0];
                      Node& ng = *self.inputs[1];
                      Node& nb = *self.inputs[2];
                      kernels::LayerNormGrads g = kernels::layerNormBackward(
                          nx.value, ng.value, mean, var, self.grad, eps);
                      if (nx.requiresGrad) addFreshGrad(nx, std::move(g.dx));
                      if (ng.requiresGrad) addFreshGrad(ng, std::move(g.dgamma));
                      if (nb.requiresGrad) addFreshGrad(nb, std::move(g.dbeta));
                    });
}

}  // namespace lt::ops
