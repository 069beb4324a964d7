#include "kernels/ref/binary.h"

namespace lt::kernels::ref {

std::vector<int64_t> broadcastStrides(const Shape& s, const Shape& out) {
  int r = out.rank();
  std::vector<int64_t> st(size_t(r), 0);
  int64_t stride = 1;
  for (int i = s.rank() - 1, o = r - 1; i >= 0; --i, --o) {
    st[size_t(o)] = s[i] == 1 ? 0 : stride;
    stride *= s[i];
  }
  return st;
}

int64_t broadcastOffset(int64_t linear, const Shape& out, const std::vector<int64_t>& st) {
  int64_t off = 0;
  for (int d = out.rank() - 1; d >= 0; --d) {
    int64_t i = linear % out[d];
    linear /= out[d];
    off += i * st[size_t(d)];
  }
  return off;
}

Tensor binaryForward(BinaryKind k, const Tensor& a, const Tensor& b) {
  Shape out = broadcastShapes(binaryName(k), a.shape(), b.shape());
  Tensor y = Tensor::empty(out);
  auto sa = broadcastStrides(a.shape(), out);
  auto sb = broadcastStrides(b.shape(), out);
  const float* pa = a.data<float>();
  const float* pb = b.data<float>();
  float* py = y.data<float>();
  for (int64_t i = 0; i < out.elements(); ++i) {
    float u = pa[broadcastOffset(i, out, sa)];
    float v = pb[broadcastOffset(i, out, sb)];
    switch (k) {
      case BinaryKind::Add: py[i] = u + v; break;
      case BinaryKind::Sub: py[i] = u - v; break;
      case BinaryKind::Mul: py[i] = u * v; break;
      case BinaryKind::Div: py[i] = u / v; break;
    }
  }
  return y;
}

Tensor broadcastTo(const Tensor& x, const Shape& out) {
  Tensor y = Tensor::empty(out);
  auto sx = broadcastStrides(x.shape(), out);
  const float* px = x.data<float>();
  float* py = y.data<float>();
  for (int64_t i = 0; i < out.elements(); ++i) py[i] = px[broadcastOffset(i, out, sx)];
  return y;
}

}  // namespace lt::kernels::ref
