// Which of 16 consecutive scores can still enter a beam's candidate heap.
//
// Bit j of candidateMask16(x, base, shift, bound) is set unless base + (x[j] - shift) < bound,
// the very test the beam scan applies to each token (x: logits, shift: the row's log-softmax
// shift, base: the hypothesis' score) (so a clear bit is a token the scan would
// reject, bit for bit, under the same fp32 rounding; NaN sets its bit and the scan then
// rejects it by its own rule). The scan of a 10,000-word vocabulary row runs this on
// blocks of 16 and visits only the set bits: one vector add and compare per block where
// the scalar scan spent a compare and a branch per token.
#pragma once
#include <cstdint>

#if defined(__AVX512F__) || (defined(__AVX2__) && defined(__FMA__))
#include <immintrin.h>
#endif

namespace lt::kernels::cpu {

inline uint32_t candidateMask16(const float* x, float base, float shift, float bound) {
#if defined(__AVX512F__)
  const __m512 s = _mm512_add_ps(_mm512_set1_ps(base),
                                 _mm512_sub_ps(_mm512_loadu_ps(x), _mm512_set1_ps(shift)));
  return uint32_t(_mm512_cmp_ps_mask(s, _mm512_set1_ps(bound), _CMP_NLT_UQ));
#elif defined(__AVX2__) && defined(__FMA__)
  const __m256 b = _mm256_set1_ps(base), t = _mm256_set1_ps(bound), sh = _mm256_set1_ps(shift);
  const __m256 lo = _mm256_add_ps(b, _mm256_sub_ps(_mm256_loadu_ps(x), sh));
  const __m256 hi = _mm256_add_ps(b, _mm256_sub_ps(_mm256_loadu_ps(x + 8), sh));
  const uint32_t mlo = uint32_t(_mm256_movemask_ps(_mm256_cmp_ps(lo, t, _CMP_NLT_UQ)));
  const uint32_t mhi = uint32_t(_mm256_movemask_ps(_mm256_cmp_ps(hi, t, _CMP_NLT_UQ)));
  return mlo | (mhi << 8);
#else
  uint32_t m = 0;
  for (int j = 0; j < 16; ++j)
    if (!(base + (x[j] - shift) < bound)) m |= 1u << j;
  return m;
#endif
}

}  // namespace lt::kernels::cpu
