#include "kernels/ref/dropout.h"

#include "common/rng.h"

namespace lt::kernels::ref {

namespace {
void apply(const Tensor& in, float p, uint64_t seed, uint64_t stream, Tensor& out, bool accumulate) {
  const float* x = in.data<float>();
  float* y = out.data<float>();
  float scale = 1.f / (1.f - p);
  for (int64_t i = 0; i < in.elements(); ++i) {
    float v = philoxUniform(seed, stream, uint64_t(i)) < p ? 0.f : x[i] * scale;
    y[i] = accumulate ? y[i] + v : v;
  }
}
}  // namespace

void dropoutForward(const Tensor& x, float p, uint64_t seed, uint64_t stream, Tensor& y) {
  apply(x, p, seed, stream, y, false);
}

void dropoutAddForward(const Tensor& a, const Tensor& b, float p, uint64_t seed, uint64_t stream,
                       Tensor& y) {
  const float* pa = a.data<float>();
  const float* pb = b.data<float>();
  float* py = y.data<float>();
  const float scale = 1.f / (1.f - p);
  for (int64_t i = 0; i < b.elements(); ++i)
    py[i] = pa[i] + (p > 0.f && philoxUniform(seed, stream, uint64_t(i)) < p ? 0.f : pb[i] * scale);
}

void dropoutBackward(const Tensor& dy, float p, uint64_t seed, uint64_t stream, Tensor& dx,
                     bool accumulate) {
  apply(dy, p, seed, stream, dx, accumulate);
}

}  // namespace lt::kernels::ref
