#include "ops/linear.h"

#include "common/error.h"
#include "kernels/eltwise.h"
#include "kernels/matmul.h"
#include "ops/matmul.h"

namespace lt::ops {

Var linear(const Var& x, const Var& w, const Var& b, Activation act) {
  LT_CHECK(x.defined() && w.defined(), ShapeError, "linear: undefined input (x {}, w {})",
           x.defined(), w.defined());
  LT_CHECK(w.rank() == 2 && x.rank() >= 1, ShapeError,
           "linear: x {} and w {}: w must be [out, in] and x [..., in]", x.shape().toString(),
           w.shape().toString());
  const int64_t in = w.dim(1), out = w.dim(0);
  LT_CHECK(x.dim(-1) == in, ShapeError, "linear: x {} and w {}: input features {} and {} differ",
           x.shape().toString(), w.shape().toString(), x.dim(-1), in);
  if (b.defined()) {
    LT_CHECK(b.rank() == 1 && b.dim(0) == out, ShapeError,
             "linear: x {} and w {}: bias {} should be [{}]", x.shape().toString(),
             w.shape().toString(), b.shape().toString(), out);
  }
  const int64_t rows = x.shape().outer(x.rank() - 1);
  Tensor y = Tensor::empty(x.shape().with(-1, out));
  kernels::MatmulOptions o;
  o.transB = true;
  const bool relu = act == Activation::Relu;
  if (relu) o.post = kernels::PostOp::Relu;
  kernels::matmul(x.value().reshape({rows, in}), w.value(), y.reshape({rows, out}), o,
                  b.defined() ? b.value() : Tensor());
  std::vector<Var> inputs = {x, w};
  if (b.defined()) inputs.push_back(b);
  const char* name = relu ? "linear_relu" : "linear";
  return makeResult(std::move(y), name, std::move(inputs), [rows, in, out, relu](Node& self) {
    Node& X = *self.inputs[0];
    Node& W = *self.inputs[1];
    // relu'(pre) = [pre > 0] = [y > 0]: relu's backward evaluated at y.
    Tensor dy = relu ? kernels::eltwiseBackward(kernels::EltwiseKind::Relu, self.value,
                                                self.value, self.grad)
                           .reshape({rows, out})
                     : self.grad.reshape({rows, out});
    kernels::MatmulOptions o;
    if (X.requiresGrad) {  // dx [rows, in] (+)= dy · w
      Tensor& g = detail::gradTarget(X, o.accumulate);
      kernels::matmul(dy, W.value, g.reshape({rows, in}), o);
    }
    if (W.requiresGrad) {  // dw [out, in] (+)= dyᵀ · x
      o.transA = true;
      Tensor& g = detail::gradTarget(W, o.accumulate);
      kernels::matmul(dy, X.value.reshape({rows, in}), g, o);
    }
    if (self.inputs.size() > 2 && self.inputs[2]->requiresGrad) {  // db [out] += Σ_rows dy
      kernels::addColumnSums(dy, self.inputs[2]->gradBuffer());
    }
  });
}

}  // namespace lt::ops
