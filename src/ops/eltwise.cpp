#include "ops/eltwise.h"

#include "common/error.h"
#include "kernels/eltwise.h"

namespace lt::ops {

namespace {

using kernels::EltwiseKind;

Var eltwiseOp(const char* name, EltwiseKind k, const Var& x, float alpha, float beta) {
  LT_CHECK(x.defined(), ShapeError, "{}: x is undefined", name);
  Tensor y = kernels::eltwiseForward(k, x.value(), alpha, beta);
  return makeResult(std::move(y), name, {x}, [k, alpha, beta](Node& self) {
    Node& in = *self.inputs[0];
    if (!in.requiresGrad) return;
    if (k == EltwiseKind::Linear && alpha == 1.f) {  // x + s: gradient passes through
      accumulateGrad(in, self.grad);
      return;
    }
    addFreshGrad(in, kernels::eltwiseBackward(k, in.value, self.value, self.grad, alpha, beta));
  });
}

}  // namespace

Var relu(const Var& x) { return eltwiseOp("relu", EltwiseKind::Relu, x, 0.f, 0.f); }
Var gelu(const Var& x) { return eltwiseOp("gelu", EltwiseKind::Gelu, x, 0.f, 0.f); }
Var elu(const Var& x, float alpha) { return eltwiseOp("elu", EltwiseKind::Elu, x, alpha, 0.f); }
Var sigmoid(const Var& x) { return eltwiseOp("sigmoid", EltwiseKind::Sigmoid, x, 0.f, 0.f); }
Var exp(const Var& x) { return eltwiseOp("exp", EltwiseKind::Exp, x, 0.f, 0.f); }
Var tanh(const Var& x) { return eltwiseOp("tanh", EltwiseKind::Tanh, x, 0.f, 0.f); }
Var scale(const Var& x, float s) { return eltwiseOp("scale", EltwiseKind::Linear, x, s, 0.f); }
Var addScalar(const Var& x, float s) {
  return eltwiseOp("addScalar", EltwiseKind::Linear, x, 1.f, s);
}

}  // namespace lt::ops
