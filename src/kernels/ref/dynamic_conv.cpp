#include "kernels/ref/dynamic_conv.h"

namespace lt::kernels::ref {

void dynamicConvForward(const Tensor& x, const Tensor& w, int padLeft, Tensor& y) {
  const int64_t B = x.dim(0), T = x.dim(1), C = x.dim(2), H = w.dim(2), k = w.dim(3);
  const int64_t R = C / H;
  const float* xp = x.data<float>();
  const float* wp = w.data<float>();
  float* yp = y.data<float>();
  for (int64_t b = 0; b < B; ++b)
    for (int64_t t = 0; t < T; ++t)
      for (int64_t c = 0; c < C; ++c) {
        double s = 0;
        for (int64_t j = 0; j < k; ++j) {
          int64_t src = t + j - padLeft;
          if (src < 0 || src >= T) continue;
          s += double(wp[((b * T + t) * H + c / R) * k + j]) * xp[(b * T + src) * C + c];
        }
        yp[(b * T + t) * C + c] = float(s);
      }
}

void dynamicConvBackwardData(const Tensor& dy, const Tensor& w, int padLeft, Tensor& dx) {
  const int64_t B = dy.dim(0), T = dy.dim(1), C = dy.dim(2), H = w.dim(2), k = w.dim(3);
  const int64_t R = C / H;
  const float* g = dy.data<float>();
  const float* wp = w.data<float>();
  float* d = dx.data<float>();
  for (int64_t b = 0; b < B; ++b)
    for (int64_t t = 0; t < T; ++t)
      for (int64_t j = 0; j < k; ++j) {
        int64_t src = t + j - padLeft;
        if (src < 0 || src >= T) continue;
        for (int64_t c = 0; c < C; ++c)
          d[(b * T + src) * C + c] +=
              wp[((b * T + t) * H + c / R) * k + j] * g[(b * T + t) * C + c];
      }
}

void dynamicConvBackwardKernel(const Tensor& dy, const Tensor& x, int padLeft, Tensor& dw) {
  const int64_t B = dy.dim(0), T = dy.dim(1), C = dy.dim(2), H = dw.dim(2), k = dw.dim(3);
  const int64_t R = C / H;
  const float* g = dy.data<float>();
  const float* xp = x.data<float>();
  float* d = dw.data<float>();
  for (int64_t b = 0; b < B; ++b)
    for (int64_t t = 0; t < T; ++t)
      for (int64_t h = 0; h < H; ++h)
        for (int64_t j = 0; j < k; ++j) {
          int64_t src = t + j - padLeft;
          if (src < 0 || src >= T) continue;
          double s = 0;
          for (int64_t c = h * R; c < (h + 1) * R; ++c)
            s += double(g[(b * T + t) * C + c]) * xp[(b * T + src) * C + c];
          d[((b * T + t) * H + h) * k + j] += float(s);
        }
}

void dynamicConvStep(const Tensor& window, const Tensor& w, Tensor& y) {
  const int64_t N = window.dim(0), k = window.dim(1), C = window.dim(2), H = w.dim(1);
  const int64_t R = C / H;
  const float* xp = window.data<float>();
  const float* wp = w.data<float>();
  float* yp = y.data<float>();
  for (int64_t n = 0; n < N; ++n)
    for (int64_t c = 0; c < C; ++c) {
      double s = 0;
      for (int64_t j = 0; j < k; ++j)
        s += double(wp[(n * H + c / R) * k + j]) * xp[(n * k + j) * C + c];
      yp[n * C + c] = float(s);
    }
}

}  // namespace lt::kernels::ref
