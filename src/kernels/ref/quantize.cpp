#include "kernels/ref/quantize.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "kernels/quantize.h"

namespace lt::kernels::ref {

void quantizeRowsU8(const Tensor& x, const Tensor& q, const Tensor& scale) {
  checkQuantizeArgs(x, q, scale);
  const int64_t K = x.dim(-1), M = scale.elements();
  const float* px = x.data<float>();
  uint8_t* pq = q.data<uint8_t>();
  float* ps = scale.data<float>();
  for (int64_t m = 0; m < M; ++m) {
    const float* row = px + m * K;
    float a = 0.f;
    bool finite = true;
    for (int64_t k = 0; k < K; ++k) {
      if (!std::isfinite(row[k])) finite = false;
      a = std::max(a, std::fabs(row[k]));
    }
    if (!finite) {
      ps[m] = std::numeric_limits<float>::quiet_NaN();
      for (int64_t k = 0; k < K; ++k) pq[m * K + k] = 128;
      continue;
    }
    ps[m] = a / 127.f;
    const float inv = a > 0.f ? 127.f / a : 0.f;
    for (int64_t k = 0; k < K; ++k) {
      float v = std::nearbyint(row[k] * inv);
      v = std::min(127.f, std::max(-127.f, v));
      pq[m * K + k] = uint8_t(int(v) + 128);
    }
  }
}

void dequantizeRows(const Tensor& acc, const Tensor& rowScale, const Tensor& colScale,
                    const Tensor& colOffset, const Tensor& bias, bool relu, const Tensor& y) {
  checkDequantizeArgs(acc, rowScale, colScale, colOffset, bias, y);
  const int64_t N = acc.dim(-1), M = rowScale.elements();
  const int32_t* pa = static_cast<const int32_t*>(acc.rawData());
  float* py = static_cast<float*>(y.rawData());
  const float* rs = rowScale.data<float>();
  const float* cs = colScale.data<float>();
  const int32_t* off = colOffset.data<int32_t>();
  const float* b = bias.defined() ? bias.data<float>() : nullptr;
  for (int64_t m = 0; m < M; ++m) {
    for (int64_t n = 0; n < N; ++n) {
      const int32_t a = pa[m * N + n];  // read before the (possibly aliasing) write
      float v = std::fma(float(a - off[n]), rs[m] * cs[n], b ? b[n] : 0.f);
      if (relu) v = v < 0.f ? 0.f : v;  // NaN stays NaN
      py[m * N + n] = v;
    }
  }
}

}  // namespace lt::kernels::ref
