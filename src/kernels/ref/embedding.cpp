#include "kernels/ref/embedding.h"

namespace lt::kernels::ref {

void embeddingForward(const Tensor& table, const Tensor& ids, Tensor& out) {
  const int32_t* id = ids.data<int32_t>();
  const float* t = table.data<float>();
  float* o = out.data<float>();
  int64_t d = table.dim(1);
  for (int64_t i = 0; i < ids.elements(); ++i)
    for (int64_t k = 0; k < d; ++k) o[i * d + k] = t[int64_t(id[i]) * d + k];
}

void embeddingBackward(const Tensor& gradOut, const Tensor& ids, int padId, Tensor& gradTable) {
  const int32_t* id = ids.data<int32_t>();
  const float* g = gradOut.data<float>();
  float* gt = gradTable.data<float>();
  int64_t d = gradTable.dim(1);
  for (int64_t i = 0; i < ids.elements(); ++i) {
    if (id[i] == padId) continue;
    for (int64_t k = 0; k < d; ++k) gt[int64_t(id[i]) * d + k] += g[i * d + k];
  }
}

}  // namespace lt::kernels::ref
