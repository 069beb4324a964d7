// Axis block copies: for each of `outer` slabs, one contiguous run of
// len * inner elements moves (memcpy, or a vectorised add when accumulating).
// Parallel over slabs when there is enough to move.
#include "kernels/concat.h"

#include <cstring>

#include "kernels/backend.h"
#include "kernels/ref/concat.h"

namespace lt::kernels {

namespace {
// Runs of `run` elements: to[o * toStride + toOff ...] (=|+=) from[o * fromStride + fromOff ...].
void copyRuns(const Tensor& from, Tensor& to, int64_t outer, int64_t run, int64_t fromStride,
              int64_t fromOff, int64_t toStride, int64_t toOff, bool accumulate) {
  bool parallel = outer > 1 && outer * run > 65536;
  if (accumulate) {
    const float* f = from.data<float>();
    float* t = to.data<float>();
#pragma omp parallel for schedule(static) if (parallel)
    for (int64_t o = 0; o < outer; ++o) {
      const float* fr = f + o * fromStride + fromOff;
      float* tr = t + o * toStride + toOff;
#pragma omp simd
      for (int64_t k = 0; k < run; ++k) tr[k] += fr[k];
    }
  } else {
    size_t es = sizeOf(from.dtype());
    auto* f = static_cast<const std::byte*>(from.rawData());
    auto* t = static_cast<std::byte*>(to.rawData());
#pragma omp parallel for schedule(static) if (parallel)
    for (int64_t o = 0; o < outer; ++o)
      std::memcpy(t + size_t(o * toStride + toOff) * es, f + size_t(o * fromStride + fromOff) * es,
                  size_t(run) * es);
  }
}
}  // namespace

void narrowAxis(const Tensor& src, int axis, int64_t start, Tensor& dst, bool accumulate) {
  if (referenceKernels()) return ref::narrowAxis(src, axis, start, dst, accumulate);
  int64_t outer = src.shape().outer(axis);
  int64_t inner = src.shape().inner(axis + 1);
  int64_t len = dst.dim(axis);
  copyRuns(src, dst, outer, len * inner, src.dim(axis) * inner, start * inner, len * inner, 0,
           accumulate);
}

void insertAxis(const Tensor& src, int axis, int64_t start, Tensor& dst, bool accumulate) {
  if (referenceKernels()) return ref::insertAxis(src, axis, start, dst, accumulate);
  int64_t outer = dst.shape().outer(axis);
  int64_t inner = dst.shape().inner(axis + 1);
  int64_t len = src.dim(axis);
  copyRuns(src, dst, outer, len * inner, len * inner, 0, dst.dim(axis) * inner, start * inner,
           accumulate);
}

}  // namespace lt::kernels
