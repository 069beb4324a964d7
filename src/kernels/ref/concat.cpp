#include "kernels/ref/concat.h"

namespace lt::kernels::ref {

namespace {
// Element-by-element copy between a [outer, big, inner] tensor and a [outer, small, inner]
// window of it at `start`; toBig: window -> big, else big -> window. Byte-wise for =,
// float-wise for +=.
void copyWindow(const Tensor& from, Tensor& to, int axis, int64_t start, bool toBig, bool accumulate) {
  const Tensor& big = toBig ? to : from;
  const Tensor& small = toBig ? from : to;
  int64_t outer = big.shape().outer(axis);
  int64_t inner = big.shape().inner(axis + 1);
  int64_t nb = big.dim(axis), ns = small.dim(axis);
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t a = 0; a < ns; ++a)
      for (int64_t k = 0; k < inner; ++k) {
        int64_t ib = (o * nb + start + a) * inner + k;
        int64_t is = (o * ns + a) * inner + k;
        int64_t iFrom = toBig ? is : ib, iTo = toBig ? ib : is;
        if (accumulate) {
          to.data<float>()[iTo] += from.data<float>()[iFrom];
        } else {
          size_t es = sizeOf(from.dtype());
          auto* f = static_cast<const std::byte*>(from.rawData());
          auto* t = static_cast<std::byte*>(to.rawData());
          for (size_t b = 0; b < es; ++b) t[size_t(iTo) * es + b] = f[size_t(iFrom) * es + b];
        }
      }
}
}  // namespace

void narrowAxis(const Tensor& src, int axis, int64_t start, Tensor& dst, bool accumulate) {
  copyWindow(src, dst, axis, start, false, accumulate);
}

void insertAxis(const Tensor& src, int axis, int64_t start, Tensor& dst, bool accumulate) {
  copyWindow(src, dst, axis, start, true, accumulate);
}

}  // namespace lt::kernels::ref
