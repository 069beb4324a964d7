// Sum over the reduced dims of a collapsed view. x is walked in rows of its
// last merged dim; each row adds into its output row (last dim kept: a
// vectorised row add) or output element (last dim reduced: a row sum). Threads
// take contiguous blocks of rows with private accumulators, summed at the end,
// so any pattern of kept and reduced dims runs in parallel without races.
#include "kernels/cpu/reduce.h"

#include <omp.h>

#include <cstring>
#include <vector>

namespace lt::kernels::cpu {

void reduceSum(const float* x, const BroadcastView& v, float* y, float scale) {
  int r = v.rank();
  int64_t inner = v.dims[size_t(r - 1)];
  bool innerKept = v.full[size_t(r - 1)];
  int64_t total = 1, outN = 1;
  for (int d = 0; d < r; ++d) {
    total *= v.dims[size_t(d)];
    if (v.full[size_t(d)]) outN *= v.dims[size_t(d)];
  }
  int64_t rows = total / inner;
  // Output strides of the leading merged dims (0 where reduced).
  std::vector<int64_t> ost(static_cast<size_t>(r), 0);
  int64_t s = 1;
  for (int d = r - 1; d >= 0; --d) {
    if (v.full[size_t(d)]) {
      ost[size_t(d)] = s;
      s *= v.dims[size_t(d)];
    }
  }
  if (r == 1 && !innerKept) {  // everything reduced
    double sum = 0;
#pragma omp parallel for simd reduction(+ : sum) if (total >= 32768)
    for (int64_t i = 0; i < total; ++i) sum += x[i];
    y[0] = float(sum) * scale;
    return;
  }
  int maxThreads = total >= 32768 ? omp_get_max_threads() : 1;
  // Private accumulators only when they are small next to the input.
  if (outN * maxThreads > total) maxThreads = 1;
  std::vector<float> partial(size_t(outN) * size_t(std::max(maxThreads - 1, 0)), 0.f);
  std::memset(y, 0, size_t(outN) * sizeof(float));
#pragma omp parallel num_threads(maxThreads) if (maxThreads > 1)
  {
    int nt = omp_get_num_threads(), t = omp_get_thread_num();
    float* acc = t == 0 ? y : partial.data() + size_t(t - 1) * size_t(outN);
    int64_t r0 = rows * t / nt, r1 = rows * (t + 1) / nt;
    // Odometer over the leading dims, starting at row r0.
    std::vector<int64_t> idx(static_cast<size_t>(r), 0);
    int64_t off = 0, rem = r0;
    for (int d = r - 2; d >= 0; --d) {
      idx[size_t(d)] = rem % v.dims[size_t(d)];
      rem /= v.dims[size_t(d)];
      off += idx[size_t(d)] * ost[size_t(d)];
    }
    for (int64_t row = r0; row < r1; ++row) {
      const float* xr = x + row * inner;
      if (innerKept) {
        float* o = acc + off;
#pragma omp simd
        for (int64_t j = 0; j < inner; ++j) o[j] += xr[j];
      } else {
        float sum = 0.f;
#pragma omp simd reduction(+ : sum)
        for (int64_t j = 0; j < inner; ++j) sum += xr[j];
        acc[off] += sum;
      }
      for (int d = r - 2; d >= 0; --d) {
        off += ost[size_t(d)];
        if (++idx[size_t(d)] < v.dims[size_t(d)]) break;
        off -= ost[size_t(d)] * v.dims[size_t(d)];
        idx[size_t(d)] = 0;
      }
    }
  }
  for (int t = 1; t < maxThreads; ++t) {
    const float* p = partial.data() + size_t(t - 1) * size_t(outN);
    for (int64_t i = 0; i < outN; ++i) y[i] += p[i];
  }
  if (scale != 1.f)
    for (int64_t i = 0; i < outN; ++i) y[i] *= scale;
}

}  // namespace lt::kernels::cpu
