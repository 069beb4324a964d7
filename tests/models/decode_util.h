// Helpers shared by the decoding tests: padded id batches, the column of
// previous tokens fed at step t, and the step-vs-full logit difference.
#pragma once
#include <algorithm>
#include <cmath>
#include <vector>

#include "tensor/tensor.h"

namespace lt::test {

// [rows.size(), width] I32, right-padded with 0.
inline Tensor ids(const std::vector<std::vector<int>>& rows, int width) {
  std::vector<int32_t> v;
  for (const auto& r : rows)
    for (int t = 0; t < width; ++t) v.push_back(t < int(r.size()) ? r[size_t(t)] : 0);
  return Tensor::fromVector(Shape{int64_t(rows.size()), width}, v);
}

// Token t of batch row rowOf[i], for every decoding row i.
inline Tensor column(const Tensor& tgt, const std::vector<int>& rowOf, int t) {
  std::vector<int32_t> v;
  int64_t T = tgt.dim(1);
  for (int r : rowOf) v.push_back(tgt.data<int32_t>()[r * T + t]);
  return Tensor::fromVector(Shape{int64_t(rowOf.size())}, v);
}

// Max |step logits row i - full logits [rowOf[i], t]|.
inline float stepDiff(const Tensor& stepLogits, const Tensor& full, const std::vector<int>& rowOf,
                      int t) {
  int64_t T = full.dim(1), V = full.dim(2);
  const float* f = full.data<float>();
  const float* s = stepLogits.data<float>();
  float m = 0;
  for (size_t i = 0; i < rowOf.size(); ++i)
    for (int64_t v = 0; v < V; ++v)
      m = std::max(m, std::fabs(s[int64_t(i) * V + v] - f[(rowOf[i] * T + t) * V + v]));
  return m;
}

}  // namespace lt::test
