#include "kernels/cpu/binary.h"

#include <cstring>

namespace lt::kernels::cpu {

Shape BroadcastView::smallShape() const {
  std::vector<int64_t> d(dims);
  for (size_t i = 0; i < d.size(); ++i)
    if (!full[i]) d[i] = 1;
  return Shape(d);
}

BroadcastView collapseBroadcast(const Shape& small, const Shape& out) {
  BroadcastView v;
  int off = out.rank() - small.rank();
  for (int d = 0; d < out.rank(); ++d) {
    if (out[d] == 1) continue;
    bool full = d >= off && small[d - off] != 1;
    if (!v.dims.empty() && v.full.back() == full) {
      v.dims.back() *= out[d];
    } else {
      v.dims.push_back(out[d]);
      v.full.push_back(full);
    }
  }
  if (v.dims.empty()) {
    v.dims.push_back(1);
    v.full.push_back(true);
  }
  return v;
}

Tensor broadcastTo(const Tensor& x, const Shape& out) {
  Tensor y = Tensor::empty(out);
  BroadcastView v = collapseBroadcast(x.shape(), out);
  int r = v.rank();
  // Source strides per merged dim (0 where broadcast).
  std::vector<int64_t> st(size_t(r), 0);
  int64_t s = 1;
  for (int d = r - 1; d >= 0; --d) {
    if (v.full[size_t(d)]) {
      st[size_t(d)] = s;
      s *= v.dims[size_t(d)];
    }
  }
  int64_t inner = v.dims[size_t(r - 1)];
  bool innerFull = v.full[size_t(r - 1)];
  int64_t rows = out.elements() / inner;
  const float* px = x.data<float>();
  float* py = y.data<float>();
#pragma omp parallel for schedule(static) if (out.elements() >= 32768)
  for (int64_t row = 0; row < rows; ++row) {
    int64_t rem = row, off = 0;
    for (int d = r - 2; d >= 0; --d) {
      off += (rem % v.dims[size_t(d)]) * st[size_t(d)];
      rem /= v.dims[size_t(d)];
    }
    float* dst = py + row * inner;
    if (innerFull) {
      std::memcpy(dst, px + off, size_t(inner) * sizeof(float));
    } else {
      float val = px[off];
      for (int64_t j = 0; j < inner; ++j) dst[j] = val;
    }
  }
  return y;
}

}  // namespace lt::kernels::cpu
