// Test helper: a decoding window [N, k, C] (oldest first) laid out as the ring the decoder
// keeps, with its oldest input in slot `oldest` (slot (oldest + j) % k holds the j-th oldest).
#pragma once
#include <cstring>

#include "tensor/tensor.h"

namespace lt::test {

inline Tensor ringWindow(const Tensor& window, int64_t oldest) {
  const int64_t N = window.dim(0), k = window.dim(1), C = window.dim(2);
  Tensor r = Tensor::empty({N, k, C});
  for (int64_t n = 0; n < N; ++n)
    for (int64_t j = 0; j < k; ++j)
      std::memcpy(r.data<float>() + (n * k + (oldest + j) % k) * C,
                  window.data<float>() + (n * k + j) * C, sizeof(float) * size_t(C));
  return r;
}

}  // namespace lt::test
