// Branch-free float math that GCC vectorises without -ffast-math (glibc's
// vector expf needs it). Shared by the exp-heavy kernels (cross-entropy, GLU).
#pragma once
#include <bit>
#include <cmath>
#include <cstdint>

namespace lt::kernels::vec {

// exp(x) as 2^n * p(r) (Cephes expf polynomial, ~2 ulp), valid for x in [-87.3, 88.3]:
// callers clamp the argument first, in a separate loop (kExpLo/kExpHi). Clamping inside
// makes GCC predicate the whole polynomial and run 2-3x slower.
constexpr float kExpLo = -87.3f, kExpHi = 88.3f;  // exp(kExpLo) = 1.2e-38, "zero" in sums
// Softmax weights below exp(kSoftmaxCut) = 9.4e-14 of the largest are set to exactly 0:
// padded keys (mask -1e9) would otherwise give weights near FLT_MIN whose products are
// subnormal, and on x86 every subnormal operand costs a microcode assist (10x slower
// cross-attention decoding). Dropped terms are below fp32 resolution of the sum (>= 1).
constexpr float kSoftmaxCut = -30.f;
constexpr int64_t kTile = 512;                     // clamp-then-exp tile (stays in L1)

// The constants of that polynomial, shared with the softmax rows (kernels/cpu/softmax.cpp).
constexpr float kExpRound = 12582912.f;            // 1.5 * 2^23: adding it rounds to an integer
constexpr float kLog2e = 1.44269504088896341f;
constexpr float kLn2Hi = 0.693359375f, kLn2Lo = 2.12194440e-4f;  // ln 2 = kLn2Hi - kLn2Lo
constexpr float kExpP[6] = {1.9875691500e-4f, 1.3981999507e-3f, 8.3334519073e-3f,
                            4.1665795894e-2f, 1.6666665459e-1f, 5.0000001201e-1f};

inline float expVec(float x) {
  float fn = (x * kLog2e + kExpRound) - kExpRound;
  float r = x - fn * kLn2Hi - fn * -kLn2Lo;
  float p = kExpP[0];
  p = std::fma(p, r, kExpP[1]);
  p = std::fma(p, r, kExpP[2]);
  p = std::fma(p, r, kExpP[3]);
  p = std::fma(p, r, kExpP[4]);
  p = std::fma(p, r, kExpP[5]);
  float e = std::fma(p, r * r, r) + 1.f;
  return e * std::bit_cast<float>((int32_t(fn) + 127) << 23);
}

}  // namespace lt::kernels::vec
