#include "ops/embedding.h"

#include "kernels/embedding.h"
#include "kernels/gather.h"

namespace lt::ops {

Var embedding(const Var& table, const Tensor& ids, int padId) {
  LT_CHECK(table.defined() && ids.defined(), ShapeError, "embedding: undefined table or ids");
  const Shape& ts = table.shape();
  const Shape& is = ids.shape();
  LT_CHECK(ts.rank() == 2, ShapeError, "embedding: table {} and ids {}: table must be [V, d]",
           ts.toString(), is.toString());
  LT_CHECK(ids.dtype() == DType::I32, ShapeError,
           "embedding: table {} and ids {}: ids must be i32, got {}", ts.toString(), is.toString(),
           name(ids.dtype()));
  LT_CHECK(is.rank() < Shape::kMaxRank, ShapeError,
           "embedding: table {} and ids {}: ids rank must be below {}", ts.toString(),
           is.toString(), Shape::kMaxRank);
  int64_t v = ts[0];
  int64_t bad = kernels::findBadIndex(ids.reshape({ids.elements()}), v);
  if (bad >= 0)
    LT_THROW(DataError, "embedding: id {} at position {} is outside the vocabulary of size {}",
             ids.data<int32_t>()[bad], bad, v);

  auto dims = is.dims();
  dims.push_back(ts[1]);
  Tensor out = Tensor::empty(Shape(dims));
  kernels::embeddingForward(table.value(), ids, out);
  return makeResult(out, "embedding", {table}, [ids, padId](Node& self) {
    Node& t = *self.inputs[0];
    if (!t.requiresGrad) return;
    kernels::embeddingBackward(self.grad, ids, padId, t.gradBuffer());
  });
}

}  // namespace lt::ops
