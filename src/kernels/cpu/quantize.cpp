// Row quantization and the int8 GEMM epilogue: AVX-512 where the build has it, the same
// arithmetic in portable loops otherwise; bit-identical to kernels/ref/quantize.cpp
// (nearbyint and cvtps2dq both round to nearest even; the epilogue is one fma per element).
#include "kernels/quantize.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "common/error.h"
#include "kernels/backend.h"
#include "kernels/ref/quantize.h"

#if defined(__AVX512F__)
#include <immintrin.h>
#endif

namespace lt::kernels {

void checkQuantizeArgs(const Tensor& x, const Tensor& q, const Tensor& scale) {
  LT_CHECK(x.defined() && q.defined() && scale.defined() && x.dtype() == DType::F32 &&
               q.dtype() == DType::U8 && scale.dtype() == DType::F32 && x.rank() >= 1 &&
               q.shape() == x.shape() && scale.elements() == x.shape().outer(x.rank() - 1),
           ShapeError, "quantizeRowsU8: x {} {}, q {} {}, scale {}: expected f32 [M, K], u8 [M, K], f32 [M]",
           name(x.dtype()), x.shape().toString(), name(q.dtype()), q.shape().toString(),
           scale.shape().toString());
}

void checkDequantizeArgs(const Tensor& acc, const Tensor& rowScale, const Tensor& colScale,
                         const Tensor& colOffset, const Tensor& bias, const Tensor& y) {
  LT_CHECK(acc.defined() && acc.rank() >= 1, ShapeError, "dequantizeRows: acc must be i32 [M, N]");
  const int64_t N = acc.dim(-1), M = acc.shape().outer(acc.rank() - 1);
  LT_CHECK(acc.dtype() == DType::I32 && y.dtype() == DType::F32 &&
               y.shape() == acc.shape() && rowScale.dtype() == DType::F32 &&
               rowScale.elements() == M && colScale.dtype() == DType::F32 &&
               colScale.elements() == N && colOffset.dtype() == DType::I32 &&
               colOffset.elements() == N &&
               (!bias.defined() || (bias.dtype() == DType::F32 && bias.elements() == N)),
           ShapeError,
           "dequantizeRows: acc {} {}, y {} {}, rowScale {}, colScale {}, colOffset {}, bias {}: "
           "expected i32 [M, N], f32 [M, N], [M], [N], i32 [N], [N]",
           name(acc.dtype()), acc.shape().toString(), name(y.dtype()), y.shape().toString(),
           rowScale.shape().toString(), colScale.shape().toString(), colOffset.shape().toString(),
           bias.defined() ? bias.shape().toString() : "undefined");
}

namespace {

// One row of quantizeRowsU8.
void quantizeRow(const float* x, int64_t K, uint8_t* q, float* scale) {
  float a = 0.f;
  bool finite = true;
  int64_t k = 0;
#if defined(__AVX512F__)
  __m512 va = _mm512_setzero_ps();
  __mmask16 bad = 0;
  const __m512 inf = _mm512_set1_ps(std::numeric_limits<float>::infinity());
  for (; k + 16 <= K; k += 16) {
    const __m512 v = _mm512_abs_ps(_mm512_loadu_ps(x + k));
    bad |= _mm512_cmp_ps_mask(v, inf, _CMP_NLT_UQ);  // |x| >= Inf or NaN
    va = _mm512_max_ps(va, v);
  }
  a = _mm512_reduce_max_ps(va);
  finite = bad == 0;
#endif
  for (; k < K; ++k) {
    if (!std::isfinite(x[k])) finite = false;
    a = std::max(a, std::fabs(x[k]));
  }
  if (!finite) {
    *scale = std::numeric_limits<float>::quiet_NaN();
    std::fill(q, q + K, uint8_t(128));
    return;
  }
  *scale = a / 127.f;
  const float inv = a > 0.f ? 127.f / a : 0.f;
  k = 0;
#if defined(__AVX512F__)
  const __m512 vinv = _mm512_set1_ps(inv);
  const __m512 lo = _mm512_set1_ps(-127.f), hi = _mm512_set1_ps(127.f);
  const __m512i shift = _mm512_set1_epi32(128);
  for (; k + 16 <= K; k += 16) {
    __m512 v = _mm512_roundscale_ps(_mm512_mul_ps(_mm512_loadu_ps(x + k), vinv),
                                    _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    v = _mm512_min_ps(hi, _mm512_max_ps(lo, v));
    const __m512i i = _mm512_add_epi32(_mm512_cvtps_epi32(v), shift);
    _mm_storeu_si128(reinterpret_cast<__m128i*>(q + k), _mm512_cvtepi32_epi8(i));
  }
#endif
  for (; k < K; ++k) {
    float v = std::nearbyint(x[k] * inv);
    v = std::min(127.f, std::max(-127.f, v));
    q[k] = uint8_t(int(v) + 128);
  }
}

// One row of dequantizeRows (acc and y may alias).
void dequantizeRow(const int32_t* acc, float rs, const float* cs, const int32_t* off,
                   const float* b, bool relu, float* y, int64_t N) {
  int64_t n = 0;
#if defined(__AVX512F__)
  const __m512 vrs = _mm512_set1_ps(rs), zero = _mm512_setzero_ps();
  for (; n + 16 <= N; n += 16) {
    const __m512i a = _mm512_sub_epi32(_mm512_loadu_si512(acc + n), _mm512_loadu_si512(off + n));
    const __m512 s = _mm512_mul_ps(vrs, _mm512_loadu_ps(cs + n));
    __m512 v = _mm512_fmadd_ps(_mm512_cvtepi32_ps(a), s, b ? _mm512_loadu_ps(b + n) : zero);
    if (relu) v = _mm512_max_ps(zero, v);  // max(0, NaN) = NaN: the second operand
    _mm512_storeu_ps(y + n, v);
  }
#endif
  for (; n < N; ++n) {
    const int32_t a = acc[n];
    float v = std::fma(float(a - off[n]), rs * cs[n], b ? b[n] : 0.f);
    if (relu) v = v < 0.f ? 0.f : v;
    y[n] = v;
  }
}

}  // namespace

void quantizeRowsU8(const Tensor& x, const Tensor& q, const Tensor& scale) {
  if (referenceKernels()) return ref::quantizeRowsU8(x, q, scale);
  checkQuantizeArgs(x, q, scale);
  const int64_t K = x.dim(-1), M = scale.elements();
  const float* px = x.data<float>();
  uint8_t* pq = q.data<uint8_t>();
  float* ps = scale.data<float>();
#pragma omp parallel for schedule(static) if (M * K > 65536)
  for (int64_t m = 0; m < M; ++m) quantizeRow(px + m * K, K, pq + m * K, ps + m);
}

void dequantizeRows(const Tensor& acc, const Tensor& rowScale, const Tensor& colScale,
                    const Tensor& colOffset, const Tensor& bias, bool relu, const Tensor& y) {
  if (referenceKernels()) return ref::dequantizeRows(acc, rowScale, colScale, colOffset, bias, relu, y);
  checkDequantizeArgs(acc, rowScale, colScale, colOffset, bias, y);
  const int64_t N = acc.dim(-1), M = rowScale.elements();
  const int32_t* pa = static_cast<const int32_t*>(acc.rawData());
  float* py = static_cast<float*>(y.rawData());
  const float* rs = rowScale.data<float>();
  const float* cs = colScale.data<float>();
  const int32_t* off = colOffset.data<int32_t>();
  const float* b = bias.defined() ? bias.data<float>() : nullptr;
#pragma omp parallel for schedule(static) if (M * N > 65536)
  for (int64_t m = 0; m < M; ++m) dequantizeRow(pa + m * N, rs[m], cs, off, b, relu, py + m * N, N);
}

}  // namespace lt::kernels
