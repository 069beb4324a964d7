#include "kernels/ref/gather.h"

#include <cstring>

namespace lt::kernels::ref {

void gatherRows(const Tensor& src, const Tensor& index, Tensor& out) {
  const int32_t* idx = index.data<int32_t>();
  int64_t m = index.elements();
  size_t rowBytes = src.dim(0) ? src.bytes() / size_t(src.dim(0)) : 0;
  auto* s = static_cast<const std::byte*>(src.rawData());
  auto* d = static_cast<std::byte*>(out.rawData());
  for (int64_t i = 0; i < m; ++i)
    for (size_t b = 0; b < rowBytes; ++b) d[size_t(i) * rowBytes + b] = s[size_t(idx[i]) * rowBytes + b];
}

void scatterAddRows(const Tensor& src, const Tensor& index, int64_t skip, Tensor& dst) {
  const int32_t* idx = index.data<int32_t>();
  int64_t m = index.elements();
  int64_t row = m ? src.elements() / m : 0;
  const float* s = src.data<float>();
  float* d = dst.data<float>();
  for (int64_t i = 0; i < m; ++i) {
    if (idx[i] == skip) continue;
    for (int64_t k = 0; k < row; ++k) d[idx[i] * row + k] += s[i * row + k];
  }
}

}  // namespace lt::kernels::ref
