#include "ops/shape_ops.h"

#include <fmt/ranges.h>

#include "common/error.h"
#include "kernels/transpose.h"

namespace lt::ops {

Var transpose(const Var& x, const std::vector<int>& perm) {
  LT_CHECK(x.defined(), ShapeError, "transpose: x is undefined");
  int r = x.rank();
  std::vector<bool> seen(size_t(r), false);
  bool ok = int(perm.size()) == r;
  for (size_t i = 0; ok && i < perm.size(); ++i) {
    ok = perm[i] >= 0 && perm[i] < r && !seen[size_t(perm[i])];
    if (ok) seen[size_t(perm[i])] = true;
  }
  LT_CHECK(ok, ShapeError, "transpose: perm [{}] is not a permutation of the {} axes of x {}",
           fmt::join(perm, ", "), r, x.shape().toString());
  std::vector<int> inverse(static_cast<size_t>(r));
  for (int i = 0; i < r; ++i) inverse[size_t(perm[size_t(i)])] = i;
  Tensor y = kernels::transpose(x.value(), perm);
  return makeResult(std::move(y), "transpose", {x}, [inverse](Node& self) {
    Node& in = *self.inputs[0];
    if (!in.requiresGrad) return;
    addFreshGrad(in, kernels::transpose(self.grad, inverse));
  });
}

Var reshape(const Var& x, const Shape& s) {
  LT_CHECK(x.defined(), ShapeError, "reshape: x is undefined");
  LT_CHECK(s.elements() == x.value().elements(), ShapeError,
           "reshape: cannot view x {} ({} elements) as {} ({} elements)", x.shape().toString(),
           x.value().elements(), s.toString(), s.elements());
  Tensor y = x.value().reshape(s);
  return makeResult(std::move(y), "reshape", {x}, [](Node& self) {
    Node& in = *self.inputs[0];
    if (!in.requiresGrad) return;
    // self.grad belongs to this node alone and is dead after this call, so a fresh input
    // gradient can take it as a view instead of a copy (saves a logits-sized copy per update).
    addFreshGrad(in, self.grad.reshape(in.value.shape()));
  });
}

}  // namespace lt::ops
