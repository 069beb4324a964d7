// Embedding lookup = row gather over the table; its gradient = deterministic
// scatter-add that skips padding (both in kernels/gather.h).
#include "kernels/embedding.h"

#include "kernels/backend.h"
#include "kernels/gather.h"
#include "kernels/ref/embedding.h"

namespace lt::kernels {

void embeddingForward(const Tensor& table, const Tensor& ids, Tensor& out) {
  if (referenceKernels()) return ref::embeddingForward(table, ids, out);
  int64_t n = ids.elements();
  Tensor flatIds = ids.reshape({n});
  Tensor flatOut = out.reshape({n, table.dim(1)});
  gatherRows(table, flatIds, flatOut);
}

void embeddingBackward(const Tensor& gradOut, const Tensor& ids, int padId, Tensor& gradTable) {
  if (referenceKernels()) return ref::embeddingBackward(gradOut, ids, padId, gradTable);
  int64_t n = ids.elements();
  scatterAddRows(gradOut.reshape({n, gradTable.dim(1)}), ids.reshape({n}), padId, gradTable);
}

}  // namespace lt::kernels
