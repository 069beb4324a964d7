// Dropout with a vectorised Philox-4x32-10 mask (kernels/cpu/philox.h).
//
// Why regenerate rather than store the mask: storing even a bitmask keeps n/8
// bytes alive per dropout site from forward to backward, while regenerating
// costs ~10 vector multiply rounds per 4 elements, small next to the memory
// traffic of the multiply itself.
#include "kernels/dropout.h"

#include <algorithm>

#include "kernels/backend.h"
#include "kernels/cpu/philox.h"
#include "kernels/ref/dropout.h"

namespace lt::kernels {

namespace {
// y = (base ? base : 0) + dropout(x), chunk by chunk (any thread split draws the same mask).
void apply(const float* x, const float* base, float* y, int64_t n, float p, uint64_t seed,
           uint64_t stream) {
  const int64_t chunks = (n + cpu::kMaskChunk - 1) / cpu::kMaskChunk;
#pragma omp parallel for schedule(static) if (n > 32768)
  for (int64_t c = 0; c < chunks; ++c) {
    const int64_t e0 = c * cpu::kMaskChunk;
    cpu::dropoutChunk(c, 0, std::min(cpu::kMaskChunk, n - e0), x + e0, base ? base + e0 : nullptr,
                      y + e0, p, seed, stream);
  }
}
}  // namespace

namespace detail {
void dropoutChunkUniforms(uint64_t firstBlock, uint64_t seed, uint64_t stream, float u[64]) {
#if defined(__AVX2__)
  __m256i w[8];
  cpu::philoxChunk256(firstBlock, seed, stream, w);
  for (int v = 0; v < 8; ++v)
    _mm256_storeu_ps(u + 8 * v, _mm256_mul_ps(_mm256_cvtepi32_ps(_mm256_srli_epi32(w[v], 8)),
                                              _mm256_set1_ps(1.0f / 16777216.0f)));
#else
  cpu::philoxChunk(firstBlock, seed, stream, u);
#endif
}
}  // namespace detail

void dropoutForward(const Tensor& x, float p, uint64_t seed, uint64_t stream, Tensor& y) {
  if (referenceKernels()) return ref::dropoutForward(x, p, seed, stream, y);
  apply(x.data<float>(), nullptr, y.data<float>(), x.elements(), p, seed, stream);
}

void dropoutAddForward(const Tensor& a, const Tensor& b, float p, uint64_t seed, uint64_t stream,
                       Tensor& y) {
  if (referenceKernels()) return ref::dropoutAddForward(a, b, p, seed, stream, y);
  apply(b.data<float>(), a.data<float>(), y.data<float>(), b.elements(), p, seed, stream);
}

void dropoutBackward(const Tensor& dy, float p, uint64_t seed, uint64_t stream, Tensor& dx,
                     bool accumulate) {
  if (referenceKernels()) return ref::dropoutBackward(dy, p, seed, stream, dx, accumulate);
  apply(dy.data<float>(), accumulate ? dx.data<float>() : nullptr, dx.data<float>(), dy.elements(), p,
        seed, stream);
}

}  // namespace lt::kernels
