#include "ops/cross_entropy.h"

#include "kernels/cross_entropy.h"
#include "kernels/gather.h"

namespace lt::ops {

CrossEntropyResult labelSmoothedCrossEntropy(const Var& logits, const Tensor& targets,
                                             float epsilon, int padId, Logits logitsUse) {
  LT_CHECK(logits.defined() && targets.defined(), ShapeError,
           "cross_entropy: undefined logits or targets");
  const Shape& ls = logits.shape();
  const Shape& ts = targets.shape();
  LT_CHECK(ls.rank() == 2 && ts.rank() == 1 && ls[0] == ts[0], ShapeError,
           "cross_entropy: logits {} and targets {}: expected logits [N, V] and targets [N]",
           ls.toString(), ts.toString());
  LT_CHECK(targets.dtype() == DType::I32, ShapeError,
           "cross_entropy: logits {} and targets {}: targets must be i32, got {}", ls.toString(),
           ts.toString(), name(targets.dtype()));
  LT_CHECK(epsilon >= 0.f && epsilon < 1.f, ConfigError,
           "cross_entropy: label smoothing {} must be in [0, 1)", epsilon);
  int64_t v = ls[1];
  LT_CHECK(v >= 1, ShapeError, "cross_entropy: logits {} has an empty vocabulary", ls.toString());
  int64_t bad = kernels::findBadIndex(targets, v, padId);
  if (bad >= 0)
    LT_THROW(DataError, "cross_entropy: target {} at row {} is outside the vocabulary of size {}",
             targets.data<int32_t>()[bad], bad, v);

  Tensor lse = Tensor::empty({ls[0]});
  kernels::CrossEntropySums s =
      kernels::crossEntropyForward(logits.value(), targets, epsilon, padId, lse);
  CrossEntropyResult r;
  r.nll = s.nll;
  r.tokens = s.tokens;
  r.loss = makeResult(Tensor::full({1}, float(s.loss)), "cross_entropy", {logits},
                      [targets, lse, epsilon, padId, logitsUse](Node& self) {
                        Node& in = *self.inputs[0];
                        if (!in.requiresGrad) return;
                        bool accumulate = in.grad.defined() || in.isParam;
                        // In place: both kernels read each element before writing it.
                        if (!accumulate)
                          in.grad = logitsUse == Logits::Consume ? in.value
                                                                 : Tensor::empty(in.value.shape());
                        kernels::crossEntropyBackward(in.value, targets, lse, epsilon, padId,
                                                      self.grad.item(), in.gradBuffer(),
                                                      accumulate);
                      });
  return r;
}

}  // namespace lt::ops
