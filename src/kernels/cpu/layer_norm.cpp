#include "kernels/cpu/layer_norm.h"

#include <cmath>

namespace lt::kernels::cpu {

LayerNormResult layerNormForward(const Tensor& x, const Tensor& gamma, const Tensor& beta,
                                 float eps, const Tensor& residual) {
  const int64_t c = x.rank() ? x.dim(-1) : 0, rows = c ? x.elements() / c : 0;
  LayerNormResult r = LayerNormResult::empty(x.shape(), rows);
  const float* px = x.data<float>();
  const float* g = gamma.data<float>();
  const float* b = beta.data<float>();
  float* py = r.y.data<float>();
  float* pm = r.mean.data<float>();
  float* pv = r.var.data<float>();
  const float* pr = residual.defined() ? residual.data<float>() : nullptr;
  // Two passes per row (mean, then the centred sum of squares): exact for rows whose mean
  // is far from 0, unlike E[x²] - E[x]².
#pragma omp parallel for schedule(static) if (rows * c >= 65536)
  for (int64_t i = 0; i < rows; ++i) {
    const float* xi = px + i * c;
    float* yi = py + i * c;
    if (pr) {  // z = x + residual, normalised in place
      const float* ri = pr + i * c;
#pragma omp simd
      for (int64_t j = 0; j < c; ++j) yi[j] = xi[j] + ri[j];
      xi = yi;
    }
    float sum = 0.f;
#pragma omp simd reduction(+ : sum)
    for (int64_t j = 0; j < c; ++j) sum += xi[j];
    const float mean = sum / float(c);
    float sq = 0.f;
#pragma omp simd reduction(+ : sq)
    for (int64_t j = 0; j < c; ++j) sq += (xi[j] - mean) * (xi[j] - mean);
    const float var = sq / float(c);
    const float rstd = 1.f / std::sqrt(var + eps);
#pragma omp simd
    for (int64_t j = 0; j < c; ++j) yi[j] = (xi[j] - mean) * rstd * g[j] + b[j];
    pm[i] = mean;
    pv[i] = var;
  }
  return r;
}

}  // namespace lt::kernels::cpu
