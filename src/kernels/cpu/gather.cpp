// OpenMP row gather / deterministic scatter-add (see kernels/gather.h).
#include "kernels/gather.h"

#include <cstring>
#include <vector>

#include "kernels/backend.h"
#include "kernels/ref/gather.h"

namespace lt::kernels {

namespace {
constexpr int64_t kParallelBytes = int64_t(1) << 16;  // below this, one thread is faster
}

void gatherRows(const Tensor& src, const Tensor& index, Tensor& out) {
  if (referenceKernels()) return ref::gatherRows(src, index, out);
  const int32_t* idx = index.data<int32_t>();
  int64_t m = index.elements();
  size_t rowBytes = src.dim(0) ? src.bytes() / size_t(src.dim(0)) : 0;
  auto* s = static_cast<const std::byte*>(src.rawData());
  auto* d = static_cast<std::byte*>(out.rawData());
#pragma omp parallel for schedule(static) if (int64_t(rowBytes) * m > kParallelBytes)
  for (int64_t i = 0; i < m; ++i)
    std::memcpy(d + size_t(i) * rowBytes, s + size_t(idx[i]) * rowBytes, rowBytes);
}

void scatterAddRows(const Tensor& src, const Tensor& index, int64_t skip, Tensor& dst) {
  if (referenceKernels()) return ref::scatterAddRows(src, index, skip, dst);
  const int32_t* idx = index.data<int32_t>();
  int64_t m = index.elements();
  if (m == 0) return;
  int64_t n = dst.dim(0);
  int64_t row = src.elements() / m;
  const float* s = src.data<float>();
  float* d = dst.data<float>();
  // Counting sort of source positions by destination row (stable: increasing m),
  // then one task per distinct destination row. No two tasks touch the same row,
  // and each row adds its sources in the reference's order.
  std::vector<int64_t> start(size_t(n) + 1, 0);
  for (int64_t i = 0; i < m; ++i)
    if (idx[i] != skip) ++start[size_t(idx[i]) + 1];
  std::vector<int32_t> rows;
  for (int64_t r = 0; r < n; ++r) {
    if (start[size_t(r) + 1]) rows.push_back(int32_t(r));
    start[size_t(r) + 1] += start[size_t(r)];
  }
  std::vector<int64_t> fill(start.begin(), start.end() - 1);
  std::vector<int64_t> order(size_t(start[size_t(n)]));
  for (int64_t i = 0; i < m; ++i)
    if (idx[i] != skip) order[size_t(fill[size_t(idx[i])]++)] = i;
  int64_t nr = int64_t(rows.size());
#pragma omp parallel for schedule(dynamic, 16) if (m * row * 4 > kParallelBytes)
  for (int64_t k = 0; k < nr; ++k) {
    int64_t r = rows[size_t(k)];
    float* dr = d + r * row;
    for (int64_t o = start[size_t(r)]; o < start[size_t(r) + 1]; ++o) {
      const float* sr = s + order[size_t(o)] * row;
#pragma omp simd
      for (int64_t c = 0; c < row; ++c) dr[c] += sr[c];
    }
  }
}

int64_t findBadIndex(const Tensor& index, int64_t n, int64_t skip) {
  const int32_t* idx = index.data<int32_t>();
  int64_t m = index.elements();
  for (int64_t i = 0; i < m; ++i)
    if ((idx[i] < 0 || idx[i] >= n) && idx[i] != skip) return i;
  return -1;
}

}  // namespace lt::kernels
