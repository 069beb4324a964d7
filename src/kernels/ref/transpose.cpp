#include "kernels/ref/transpose.h"

namespace lt::kernels::ref {

Tensor transpose(const Tensor& x, const std::vector<int>& perm) {
  const Shape& s = x.shape();
  int r = s.rank();
  std::vector<int64_t> od(static_cast<size_t>(r)), xs(static_cast<size_t>(r));
  int64_t st = 1;
  for (int d = r - 1; d >= 0; --d) {
    xs[size_t(d)] = st;
    st *= s[d];
  }
  for (int i = 0; i < r; ++i) od[size_t(i)] = s[perm[size_t(i)]];
  Shape out(od);
  Tensor y = Tensor::empty(out);
  const float* px = x.data<float>();
  float* py = y.data<float>();
  for (int64_t i = 0; i < out.elements(); ++i) {
    int64_t rem = i, off = 0;
    for (int d = r - 1; d >= 0; --d) {
      off += (rem % od[size_t(d)]) * xs[size_t(perm[size_t(d)])];
      rem /= od[size_t(d)];
    }
    py[i] = px[off];
  }
  return y;
}

}  // namespace lt::kernels::ref
