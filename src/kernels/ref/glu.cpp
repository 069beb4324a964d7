#include "kernels/ref/glu.h"

#include <cmath>

namespace lt::kernels::ref {

namespace {
double sigmoid(double v) { return 1.0 / (1.0 + std::exp(-v)); }
}  // namespace

void gluForward(const Tensor& x, Tensor& y) {
  int64_t c = y.dim(-1);
  int64_t rows = c ? y.elements() / c : 0;
  const float* in = x.data<float>();
  float* out = y.data<float>();
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t j = 0; j < c; ++j)
      out[r * c + j] = float(in[r * 2 * c + j] * sigmoid(in[r * 2 * c + c + j]));
}

void gluBackward(const Tensor& x, const Tensor& dy, Tensor& dx, bool accumulate) {
  int64_t c = dy.dim(-1);
  int64_t rows = c ? dy.elements() / c : 0;
  const float* in = x.data<float>();
  const float* g = dy.data<float>();
  float* gx = dx.data<float>();
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t j = 0; j < c; ++j) {
      double a = in[r * 2 * c + j];
      double s = sigmoid(in[r * 2 * c + c + j]);
      double gy = g[r * c + j];
      float da = float(gy * s), db = float(gy * a * s * (1.0 - s));
      float* pa = gx + r * 2 * c + j;
      float* pb = pa + c;
      *pa = accumulate ? *pa + da : da;
      *pb = accumulate ? *pb + db : db;
    }
}

}  // namespace lt::kernels::ref
