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
    normalizeRow(xi, yi, g, b, c, eps, pm[i], pv[i]);
  }
  return r;
}

}  // namespace lt::kernels::cpu
