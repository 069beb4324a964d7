#include "ops/binary.h"

#include "common/error.h"
#include "kernels/binary.h"
#include "kernels/eltwise.h"
#include "kernels/reduce.h"

namespace lt::ops {

namespace {

using kernels::BinaryKind;

// Adds g (the gradient w.r.t. the broadcast result) into n, summed down to
// n's shape. `fresh`: g was computed for this call and may be moved in.
void addReduced(Node& n, const Tensor& g, bool fresh) {
  if (g.shape() == n.value.shape()) {
    if (fresh) addFreshGrad(n, g);
    else accumulateGrad(n, g);
    return;
  }
  addFreshGrad(n, kernels::reduce(kernels::ReduceKind::Sum, g, n.value.shape()));
}

Tensor negate(const Tensor& t) {
  return kernels::eltwiseForward(kernels::EltwiseKind::Linear, t, -1.f, 0.f);
}

Var binaryOp(BinaryKind k, const Var& a, const Var& b) {
  const char* name = kernels::binaryName(k);
  LT_CHECK(a.defined() && b.defined(), ShapeError, "{}: both operands must be defined", name);
  Tensor y = kernels::binaryForward(k, a.value(), b.value());  // checks the shapes
  return makeResult(std::move(y), name, {a, b}, [k](Node& self) {
    Node& na = *self.inputs[0];
    Node& nb = *self.inputs[1];
    const Tensor& dy = self.grad;
    switch (k) {
      case BinaryKind::Add:
        if (na.requiresGrad) addReduced(na, dy, false);
        if (nb.requiresGrad) addReduced(nb, dy, false);
        break;
      case BinaryKind::Sub:
        if (na.requiresGrad) addReduced(na, dy, false);
        if (nb.requiresGrad) {
          // -sum(dy): reduce first (smaller), then negate.
          Tensor g = dy.shape() == nb.value.shape()
                         ? dy
                         : kernels::reduce(kernels::ReduceKind::Sum, dy, nb.value.shape());
          addFreshGrad(nb, negate(g));
        }
        break;
      case BinaryKind::Mul:
        if (na.requiresGrad) addReduced(na, kernels::binaryForward(BinaryKind::Mul, dy, nb.value), true);
        if (nb.requiresGrad) addReduced(nb, kernels::binaryForward(BinaryKind::Mul, dy, na.value), true);
        break;
      case BinaryKind::Div:
        // y = a / b: da = dy / b, db = -dy * y / b.
        if (na.requiresGrad) addReduced(na, kernels::binaryForward(BinaryKind::Div, dy, nb.value), true);
        if (nb.requiresGrad) {
          Tensor t = kernels::binaryForward(BinaryKind::Mul, dy, self.value);
          t = kernels::binaryForward(BinaryKind::Div, t, nb.value);
          Tensor g = t.shape() == nb.value.shape()
                         ? t
                         : kernels::reduce(kernels::ReduceKind::Sum, t, nb.value.shape());
          addFreshGrad(nb, negate(g));
        }
        break;
    }
  });
}

}  // namespace

Var add(const Var& a, const Var& b) { return binaryOp(BinaryKind::Add, a, b); }
Var sub(const Var& a, const Var& b) { return binaryOp(BinaryKind::Sub, a, b); }
Var mul(const Var& a, const Var& b) { return binaryOp(BinaryKind::Mul, a, b); }
Var div(const Var& a, const Var& b) { return binaryOp(BinaryKind::Div, a, b); }

}  // namespace lt::ops
