// Dropout with a vectorised Philox-4x32-10 mask.
//
// lt::philoxUniform(seed, stream, i) takes word i%4 of Philox block i/4. Here
// 16 consecutive blocks (64 elements) are computed at once as lane loops the
// compiler turns into AVX code, giving exactly the same words (checked against
// philoxUniform by tests/kernels/dropout_test.cpp). Chunks of 64 elements are
// independent, so any thread split yields the same mask.
//
// Why regenerate rather than store the mask: storing even a bitmask keeps n/8
// bytes alive per dropout site from forward to backward, while regenerating
// costs ~10 vector multiply rounds per 4 elements, small next to the memory
// traffic of the multiply itself.
#include "kernels/dropout.h"

#include <algorithm>

#include "kernels/backend.h"
#include "kernels/ref/dropout.h"

namespace lt::kernels {

namespace {
constexpr int kLanes = 16;                // Philox blocks per chunk
constexpr int64_t kChunk = 4 * kLanes;    // elements per chunk
// Philox-4x32 multipliers and Weyl key increments (Salmon et al.; as common/rng.cpp).
constexpr uint32_t kM0 = 0xD2511F53u, kM1 = 0xCD9E8D57u;
constexpr uint32_t kW0 = 0x9E3779B9u, kW1 = 0xBB67AE85u;

// Uniforms u[e] for elements [4*firstBlock, 4*firstBlock + kChunk).
inline void philoxChunk(uint64_t firstBlock, uint64_t seed, uint64_t stream, float* u) {
  uint32_t c0[kLanes], c1[kLanes], c2[kLanes], c3[kLanes];
  for (int l = 0; l < kLanes; ++l) {
    uint64_t b = firstBlock + uint64_t(l);
    c0[l] = uint32_t(b);
    c1[l] = uint32_t(b >> 32);
    c2[l] = uint32_t(stream);
    c3[l] = uint32_t(stream >> 32);
  }
  uint32_t k0 = uint32_t(seed), k1 = uint32_t(seed >> 32);
  for (int round = 0; round < 10; ++round) {
#pragma omp simd
    for (int l = 0; l < kLanes; ++l) {
      uint64_t p0 = uint64_t(kM0) * c0[l];
      uint64_t p1 = uint64_t(kM1) * c2[l];
      uint32_t n0 = uint32_t(p1 >> 32) ^ c1[l] ^ k0;
      uint32_t n2 = uint32_t(p0 >> 32) ^ c3[l] ^ k1;
      c1[l] = uint32_t(p1);
      c3[l] = uint32_t(p0);
      c0[l] = n0;
      c2[l] = n2;
    }
    k0 += kW0;
    k1 += kW1;
  }
  for (int l = 0; l < kLanes; ++l) {
    u[4 * l + 0] = float(c0[l] >> 8) * (1.0f / 16777216.0f);
    u[4 * l + 1] = float(c1[l] >> 8) * (1.0f / 16777216.0f);
    u[4 * l + 2] = float(c2[l] >> 8) * (1.0f / 16777216.0f);
    u[4 * l + 3] = float(c3[l] >> 8) * (1.0f / 16777216.0f);
  }
}

void apply(const Tensor& in, float p, uint64_t seed, uint64_t stream, Tensor& out, bool accumulate) {
  const float* x = in.data<float>();
  float* y = out.data<float>();
  int64_t n = in.elements();
  float scale = 1.f / (1.f - p);
  int64_t chunks = (n + kChunk - 1) / kChunk;
#pragma omp parallel for schedule(static) if (n > 32768)
  for (int64_t c = 0; c < chunks; ++c) {
    alignas(64) float u[kChunk];
    philoxChunk(uint64_t(c) * kLanes, seed, stream, u);
    int64_t e0 = c * kChunk;
    int64_t len = std::min(kChunk, n - e0);
    const float* xc = x + e0;
    float* yc = y + e0;
    if (accumulate) {
#pragma omp simd
      for (int64_t e = 0; e < len; ++e) yc[e] += u[e] < p ? 0.f : xc[e] * scale;
    } else {
#pragma omp simd
      for (int64_t e = 0; e < len; ++e) yc[e] = u[e] < p ? 0.f : xc[e] * scale;
    }
  }
}
}  // namespace

void dropoutForward(const Tensor& x, float p, uint64_t seed, uint64_t stream, Tensor& y) {
  if (referenceKernels()) return ref::dropoutForward(x, p, seed, stream, y);
  apply(x, p, seed, stream, y, false);
}

void dropoutBackward(const Tensor& dy, float p, uint64_t seed, uint64_t stream, Tensor& dx,
                     bool accumulate) {
  if (referenceKernels()) return ref::dropoutBackward(dy, p, seed, stream, dx, accumulate);
  apply(dy, p, seed, stream, dx, accumulate);
}

}  // namespace lt::kernels
