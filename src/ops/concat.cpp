#include "ops/concat.h"

#include "kernels/concat.h"

namespace lt::ops {

Var concat(const std::vector<Var>& xs, int axis) {
  LT_CHECK(!xs.empty(), ShapeError, "concat: no inputs");
  for (size_t i = 0; i < xs.size(); ++i)
    LT_CHECK(xs[i].defined(), ShapeError, "concat: input {} is undefined", i);
  const Shape& s0 = xs[0].shape();
  int a = s0.normAxis(axis);
  int64_t total = 0;
  for (size_t i = 0; i < xs.size(); ++i) {
    const Shape& si = xs[i].shape();
    bool fits = si.rank() == s0.rank() && xs[i].value().dtype() == xs[0].value().dtype();
    for (int d = 0; fits && d < s0.rank(); ++d) fits = d == a || si[d] == s0[d];
    LT_CHECK(fits, ShapeError, "concat: input 0 {} and input {} {} differ outside axis {}",
             s0.toString(), i, si.toString(), a);
    total += si[a];
  }
  Tensor out = Tensor::empty(s0.with(a, total), xs[0].value().dtype());
  int64_t off = 0;
  for (const Var& x : xs) {
    kernels::insertAxis(x.value(), a, off, out, false);
    off += x.shape()[a];
  }
  return makeResult(out, "concat", xs, [a](Node& self) {
    int64_t start = 0;
    for (auto& inp : self.inputs) {
      Node& in = *inp;
      int64_t len = in.value.dim(a);
      if (in.requiresGrad) {
        bool accumulate = in.grad.defined() || in.isParam;
        if (!accumulate) in.grad = Tensor::empty(in.value.shape());
        kernels::narrowAxis(self.grad, a, start, in.gradBuffer(), accumulate);
      }
      start += len;
    }
  });
}

Var narrow(const Var& x, int axis, int64_t start, int64_t length) {
  LT_CHECK(x.defined(), ShapeError, "narrow: undefined input");
  const Shape& s = x.shape();
  int a = s.normAxis(axis);
  LT_CHECK(start >= 0 && length >= 0 && start + length <= s[a], ShapeError,
           "narrow: range [{}, {}) is outside axis {} of x {}", start, start + length, a,
           s.toString());
  Tensor out = Tensor::empty(s.with(a, length), x.value().dtype());
  kernels::narrowAxis(x.value(), a, start, out, false);
  return makeResult(out, "narrow", {x}, [a, start](Node& self) {
    Node& in = *self.inputs[0];
    if (!in.requiresGrad) return;
    kernels::insertAxis(self.grad, a, start, in.gradBuffer(), true);
  });
}

}  // namespace lt::ops
