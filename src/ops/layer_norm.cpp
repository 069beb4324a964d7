#include "ops/layer_norm.h"

#include "common/error.h"
#include "kernels/layer_norm.h"
#include "ops/binary.h"

namespace lt::ops {

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

Var addLayerNorm(const Var& a, const Var& b, const Var& gamma, const Var& beta, float eps) {
  if (gradEnabled() || !a.defined() || !b.defined() || a.shape() != b.shape() || !gamma.defined() ||
      !beta.defined())
    return layerNorm(add(a, b), gamma, beta, eps);  // also reports bad shapes
  const int64_t c = a.rank() ? a.dim(-1) : 0;
  LT_CHECK(a.rank() >= 1 && gamma.rank() == 1 && gamma.dim(0) == c && beta.rank() == 1 &&
               beta.dim(0) == c && eps >= 0.f,
           ShapeError, "addLayerNorm: x {}, gamma {}, beta {}: gamma and beta must be [{}], eps >= 0",
           a.shape().toString(), gamma.shape().toString(), beta.shape().toString(), c);
  return lt::detail::untracked(
      kernels::addLayerNormForward(a.value(), b.value(), gamma.value(), beta.value(), eps).y,
      "addLayerNorm");
}

}  // namespace lt::ops
