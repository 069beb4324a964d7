// Own OpenMP layer-normalization forward for small inputs (decoder steps: a few to a few
// hundred rows). oneDNN's primitive costs about 10 µs per call there, mostly fixed overhead
// (argument memory objects, stream, thread start-up), for work of 1-2 µs;
// kernels::layerNormForward sends inputs of at most kSmallElements here and larger ones to
// oneDNN. Same contract as kernels/layer_norm.h.
#pragma once
#include <cmath>
#include <cstdint>

#include "kernels/layer_norm.h"

namespace lt::kernels::cpu {

constexpr int64_t kLayerNormSmallElements = int64_t(1) << 17;  // 256 rows of 512

// One row: y = (x - mean) / sqrt(var + eps) * gamma + beta over c values (y may be x). Two
// passes (mean, then the centred sum of squares): exact for rows whose mean is far from 0,
// unlike E[x²] - E[x]². Writes the row's mean and biased variance.
inline void normalizeRow(const float* x, float* y, const float* gamma, const float* beta, int64_t c,
                         float eps, float& mean, float& var) {
  float sum = 0.f;
#pragma omp simd reduction(+ : sum)
  for (int64_t j = 0; j < c; ++j) sum += x[j];
  const float m = sum / float(c);
  float sq = 0.f;
#pragma omp simd reduction(+ : sq)
  for (int64_t j = 0; j < c; ++j) sq += (x[j] - m) * (x[j] - m);
  const float v = sq / float(c);
  const float rstd = 1.f / std::sqrt(v + eps);
#pragma omp simd
  for (int64_t j = 0; j < c; ++j) y[j] = (x[j] - m) * rstd * gamma[j] + beta[j];
  mean = m;
  var = v;
}

// residual defined (x's shape): normalises x + residual, summed row by row in the same loop
// (bit-identical to a separate add, one pass less over memory).
LayerNormResult layerNormForward(const Tensor& x, const Tensor& gamma, const Tensor& beta,
                                 float eps, const Tensor& residual = Tensor());

}  // namespace lt::kernels::cpu
