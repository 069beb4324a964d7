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
constexpr int64_t kTile = 512;                     // clamp-then-exp tile (stays in L1)

inline float expVec(float x) {
  constexpr float kRound = 12582912.f;  // 1.5 * 2^23: adding it rounds to an integer
  float fn = (x * 1.44269504088896341f + kRound) - kRound;
  float r = x - fn * 0.693359375f - fn * -2.12194440e-4f;
  float p = 1.9875691500e-4f;
  p = std::fma(p, r, 1.3981999507e-3f);
  p = std::fma(p, r, 8.3334519073e-3f);
  p = std::fma(p, r, 4.1665795894e-2f);
  p = std::fma(p, r, 1.6666665459e-1f);
  p = std::fma(p, r, 5.0000001201e-1f);
  float e = std::fma(p, r * r, r) + 1.f;
  return e * std::bit_cast<float>((int32_t(fn) + 127) << 23);
}

}  // namespace lt::kernels::vec
