// Vectorised Philox-4x32-10 masks for dropout-style kernels (internal to kernels/cpu).
//
// lt::philoxUniform(seed, stream, i) takes word i%4 of Philox block i/4. Here
// 16 consecutive blocks (one "mask chunk" of 64 elements) are computed at once, as lane loops
// the compiler vectorises or, with AVX2, in registers; both give exactly philoxUniform's words
// (tests/kernels/dropout_test.cpp). Chunks are independent, so any thread split of a tensor
// that keeps chunk c on flat elements [64c, 64c + 64) draws the same mask.
#pragma once
#include <algorithm>
#include <cstdint>

#if defined(__AVX2__)
#include <immintrin.h>
#endif

namespace lt::kernels::cpu {

constexpr int kPhiloxLanes = 16;                  // Philox blocks per chunk
constexpr int64_t kMaskChunk = 4 * kPhiloxLanes;  // elements per chunk

// Philox-4x32 multipliers and Weyl key increments (Salmon et al.; as common/rng.cpp).
constexpr uint32_t kM0 = 0xD2511F53u, kM1 = 0xCD9E8D57u;
constexpr uint32_t kW0 = 0x9E3779B9u, kW1 = 0xBB67AE85u;

// Uniforms u[e] for elements [4*firstBlock, 4*firstBlock + kMaskChunk).
inline void philoxChunk(uint64_t firstBlock, uint64_t seed, uint64_t stream, float* u) {
  uint32_t c0[kPhiloxLanes], c1[kPhiloxLanes], c2[kPhiloxLanes], c3[kPhiloxLanes];
  for (int l = 0; l < kPhiloxLanes; ++l) {
    uint64_t b = firstBlock + uint64_t(l);
    c0[l] = uint32_t(b);
    c1[l] = uint32_t(b >> 32);
    c2[l] = uint32_t(stream);
    c3[l] = uint32_t(stream >> 32);
  }
  uint32_t k0 = uint32_t(seed), k1 = uint32_t(seed >> 32);
  for (int round = 0; round < 10; ++round) {
#pragma omp simd
    for (int l = 0; l < kPhiloxLanes; ++l) {
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
  for (int l = 0; l < kPhiloxLanes; ++l) {
    u[4 * l + 0] = float(c0[l] >> 8) * (1.0f / 16777216.0f);
    u[4 * l + 1] = float(c1[l] >> 8) * (1.0f / 16777216.0f);
    u[4 * l + 2] = float(c2[l] >> 8) * (1.0f / 16777216.0f);
    u[4 * l + 3] = float(c3[l] >> 8) * (1.0f / 16777216.0f);
  }
}

#if defined(__AVX2__)
// The same 16 Philox blocks as philoxChunk, as two groups of 8 blocks in AVX2
// registers (one 32-bit counter word per lane), interleaved for latency. The
// 32x32->64 products come from _mm256_mul_epu32 on the even and (shifted) odd
// lanes; the high and low halves are blended back into lane order. Output:
// w[v] holds the raw words of elements 8v .. 8v+7 of the chunk (element 4l+j
// is word j of block l, as philoxChunk).
inline __m256i mulHi(__m256i a, __m256i m) {
  __m256i even = _mm256_mul_epu32(a, m);
  __m256i odd = _mm256_mul_epu32(_mm256_srli_epi64(a, 32), m);
  return _mm256_blend_epi32(_mm256_srli_epi64(even, 32), odd, 0xAA);
}

inline void philoxChunk256(uint64_t firstBlock, uint64_t seed, uint64_t stream, __m256i w[8]) {
  const __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  __m256i c0[2], c1[2], c2[2], c3[2];
  for (int g = 0; g < 2; ++g) {
    const uint64_t b0 = firstBlock + uint64_t(8 * g);
    // Low words b0 + lane; the high word carries when the low word wraps.
    __m256i lo = _mm256_add_epi32(_mm256_set1_epi32(int32_t(uint32_t(b0))), lane);
    __m256i carry = _mm256_cmpgt_epi32(  // unsigned lo < low(b0) via sign flip
        _mm256_xor_si256(_mm256_set1_epi32(int32_t(uint32_t(b0))), _mm256_set1_epi32(INT32_MIN)),
        _mm256_xor_si256(lo, _mm256_set1_epi32(INT32_MIN)));
    c0[g] = lo;
    c1[g] = _mm256_sub_epi32(_mm256_set1_epi32(int32_t(uint32_t(b0 >> 32))), carry);
    c2[g] = _mm256_set1_epi32(int32_t(uint32_t(stream)));
    c3[g] = _mm256_set1_epi32(int32_t(uint32_t(stream >> 32)));
  }
  const __m256i m0 = _mm256_set1_epi32(int32_t(kM0)), m1 = _mm256_set1_epi32(int32_t(kM1));
  uint32_t k0 = uint32_t(seed), k1 = uint32_t(seed >> 32);
  for (int round = 0; round < 10; ++round) {
    const __m256i vk0 = _mm256_set1_epi32(int32_t(k0)), vk1 = _mm256_set1_epi32(int32_t(k1));
    for (int g = 0; g < 2; ++g) {
      __m256i hi0 = mulHi(c0[g], m0), lo0 = _mm256_mullo_epi32(c0[g], m0);
      __m256i hi1 = mulHi(c2[g], m1), lo1 = _mm256_mullo_epi32(c2[g], m1);
      __m256i n0 = _mm256_xor_si256(_mm256_xor_si256(hi1, c1[g]), vk0);
      __m256i n2 = _mm256_xor_si256(_mm256_xor_si256(hi0, c3[g]), vk1);
      c1[g] = lo1;
      c3[g] = lo0;
      c0[g] = n0;
      c2[g] = n2;
    }
    k0 += kW0;
    k1 += kW1;
  }
  // 4 words x 8 blocks -> element order (4x4 transposes within 128-bit halves,
  // then the halves regrouped).
  for (int g = 0; g < 2; ++g) {
    __m256i t0 = _mm256_unpacklo_epi32(c0[g], c1[g]), t1 = _mm256_unpackhi_epi32(c0[g], c1[g]);
    __m256i t2 = _mm256_unpacklo_epi32(c2[g], c3[g]), t3 = _mm256_unpackhi_epi32(c2[g], c3[g]);
    __m256i u0 = _mm256_unpacklo_epi64(t0, t2), u1 = _mm256_unpackhi_epi64(t0, t2);  // blocks 0|4, 1|5
    __m256i u2 = _mm256_unpacklo_epi64(t1, t3), u3 = _mm256_unpackhi_epi64(t1, t3);  // blocks 2|6, 3|7
    w[4 * g + 0] = _mm256_permute2x128_si256(u0, u1, 0x20);
    w[4 * g + 1] = _mm256_permute2x128_si256(u2, u3, 0x20);
    w[4 * g + 2] = _mm256_permute2x128_si256(u0, u1, 0x31);
    w[4 * g + 3] = _mm256_permute2x128_si256(u2, u3, 0x31);
  }
}
#endif

// y[e] = (base ? base[e] : 0) + (element dropped ? 0 : x[e] / (1 - p)) for the `len` elements
// of mask chunk c that start `off` elements into it (flat elements [64c + off, 64c + off + len),
// off + len <= 64); x, base and y point at the first of them. base may equal y (accumulate),
// and so may x. p == 0 keeps every element without drawing.
inline void dropoutChunk(int64_t c, int64_t off, int64_t len, const float* x, const float* base,
                         float* y, float p, uint64_t seed, uint64_t stream) {
  const float scale = 1.f / (1.f - p);
  if (p == 0.f) {
    if (base) {
#pragma omp simd
      for (int64_t e = 0; e < len; ++e) y[e] = base[e] + x[e];
    } else {
      std::copy(x, x + len, y);
    }
    return;
  }
#if defined(__AVX2__)
  if (off == 0 && len == kMaskChunk) {
    // u < p  <=>  float(word >> 8) < p * 2^24 (both sides exact in float).
    __m256i w[8];
    philoxChunk256(uint64_t(c) * kPhiloxLanes, seed, stream, w);
    const __m256 thr = _mm256_set1_ps(p * 16777216.0f), vs = _mm256_set1_ps(scale);
    for (int v = 0; v < 8; ++v) {
      __m256 u = _mm256_cvtepi32_ps(_mm256_srli_epi32(w[v], 8));
      __m256 drop = _mm256_cmp_ps(u, thr, _CMP_LT_OQ);
      __m256 val = _mm256_andnot_ps(drop, _mm256_mul_ps(_mm256_loadu_ps(x + 8 * v), vs));
      if (base) val = _mm256_add_ps(_mm256_loadu_ps(base + 8 * v), val);
      _mm256_storeu_ps(y + 8 * v, val);
    }
    return;
  }
#endif
  alignas(64) float all[kMaskChunk];
  philoxChunk(uint64_t(c) * kPhiloxLanes, seed, stream, all);
  const float* u = all + off;
  if (base) {
#pragma omp simd
    for (int64_t e = 0; e < len; ++e) y[e] = base[e] + (u[e] < p ? 0.f : x[e] * scale);
  } else {
#pragma omp simd
    for (int64_t e = 0; e < len; ++e) y[e] = u[e] < p ? 0.f : x[e] * scale;
  }
}

// dropoutChunk over any `len` elements from flat element e0, chunk-aligned or not (x, base and
// y point at element e0): the mask a whole-tensor dropout applies to those elements. Partial
// chunks at either end draw their chunk and use part of it.
inline void dropoutSpan(int64_t e0, int64_t len, const float* x, const float* base, float* y,
                        float p, uint64_t seed, uint64_t stream) {
  for (int64_t o = 0; o < len;) {
    const int64_t c = (e0 + o) / kMaskChunk, off = e0 + o - c * kMaskChunk;
    const int64_t n = std::min(kMaskChunk - off, len - o);
    dropoutChunk(c, off, n, x + o, base ? base + o : nullptr, y + o, p, seed, stream);
    o += n;
  }
}

}  // namespace lt::kernels::cpu
