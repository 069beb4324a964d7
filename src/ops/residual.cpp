#include "ops/residual.h"

#include "common/error.h"
#include "kernels/dropout.h"
#include "kernels/residual_norm.h"
#include "ops/layer_norm.h"

namespace lt::ops {

namespace {

void checkJunction(const char* what, const Var& x, const Var& f, float p) {
  LT_CHECK(p >= 0.f && p < 1.f, ConfigError, "{}: dropout probability {} must be in [0, 1)", what, p);
  LT_CHECK(x.defined() && f.defined(), ShapeError, "{}: undefined input", what);
  LT_CHECK(x.shape() == f.shape() && x.value().dtype() == DType::F32 && f.value().dtype() == DType::F32, ShapeError,
           "{}: residual {} and sublayer output {} must be f32 of one shape", what,
           x.shape().toString(), f.shape().toString());
}

}  // namespace

Var dropoutAdd(const Var& x, const Var& f, float p, uint64_t seed, uint64_t stream) {
  checkJunction("dropoutAdd", x, f, p);
  Tensor y = Tensor::empty(x.shape());
  kernels::dropoutAddForward(x.value(), f.value(), p, seed, stream, y);
  return makeResult(std::move(y), "dropoutAdd", {x, f}, [p, seed, stream](Node& self) {
    Node& nx = *self.inputs[0];
    Node& nf = *self.inputs[1];
    if (nf.requiresGrad) {
      const bool accumulate = nf.grad.defined() || nf.isParam;
      if (!accumulate) nf.grad = Tensor::empty(nf.value.shape());
      kernels::dropoutBackward(self.grad, p, seed, stream, nf.gradBuffer(), accumulate);
    }
    // dx = dy: hand over the output's gradient when x has none yet (nothing reads it after
    // this node), else add it in.
    if (nx.requiresGrad) addFreshGrad(nx, std::move(self.grad));
  });
}

Var dropoutAddLayerNorm(const Var& x, const Var& f, float p, uint64_t seed, uint64_t stream,
                        const Var& gamma, const Var& beta, float eps) {
  checkJunction("dropoutAddLayerNorm", x, f, p);
  if (!gradEnabled() && p == 0.f) return addLayerNorm(x, f, gamma, beta, eps);
  const int64_t c = x.rank() ? x.dim(-1) : 0;
  LT_CHECK(x.rank() >= 1 && gamma.defined() && beta.defined() && gamma.rank() == 1 &&
               gamma.dim(0) == c && beta.rank() == 1 && beta.dim(0) == c && eps >= 0.f,
           ShapeError, "dropoutAddLayerNorm: x {}, gamma {}, beta {}: gamma and beta must be [{}], eps >= 0",
           x.shape().toString(), gamma.defined() ? gamma.shape().toString() : "undefined",
           beta.defined() ? beta.shape().toString() : "undefined", c);
  kernels::ResidualNormResult r = kernels::dropoutAddLayerNormForward(
      x.value(), f.value(), p, seed, stream, gamma.value(), beta.value(), eps);
  Tensor sum = r.sum, mean = r.ln.mean, var = r.ln.var;
  return makeResult(std::move(r.ln.y), "dropoutAddLayerNorm", {x, f, gamma, beta},
                    [sum, mean, var, p, seed, stream, eps](Node& self) {
                      Node& nx = *self.inputs[0];
                      Node& nf = *self.inputs[1];
                      Node& ng = *self.inputs[2];
                      Node& nb = *self.inputs[3];
                      kernels::ResidualNormGrads g = kernels::dropoutAddLayerNormBackward(
                          self.grad, sum, mean, var, ng.value, p, seed, stream, eps,
                          nx.requiresGrad, nf.requiresGrad);
                      if (nx.requiresGrad) addFreshGrad(nx, std::move(g.da));
                      if (nf.requiresGrad) addFreshGrad(nf, std::move(g.db));
                      if (ng.requiresGrad) addFreshGrad(ng, std::move(g.dgamma));
                      if (nb.requiresGrad) addFreshGrad(nb, std::move(g.dbeta));
                    });
}

}  // namespace lt::ops
