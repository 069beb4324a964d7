#include "kernels/ref/softmax.h"

#include <cmath>
#include <limits>
#include <vector>

#include "kernels/ref/binary.h"

namespace lt::kernels::ref {

Tensor softmaxForward(const Tensor& x, const Tensor& mask, bool logSoftmax) {
  const Shape& s = x.shape();
  int64_t n = s[-1];
  int64_t rows = n ? s.elements() / n : 0;
  Tensor y = Tensor::empty(s);
  std::vector<int64_t> ms;
  if (mask.defined()) ms = broadcastStrides(mask.shape(), s);
  const float* px = x.data<float>();
  const float* pm = mask.defined() ? mask.data<float>() : nullptr;
  float* py = y.data<float>();
  std::vector<double> v(static_cast<size_t>(n));
  const double inf = std::numeric_limits<double>::infinity();
  for (int64_t r = 0; r < rows; ++r) {
    double mx = -inf;
    for (int64_t j = 0; j < n; ++j) {
      int64_t i = r * n + j;
      v[size_t(j)] = double(px[i]) + (pm ? double(pm[broadcastOffset(i, s, ms)]) : 0.0);
      mx = std::max(mx, v[size_t(j)]);
    }
    if (mx == -inf) {  // fully masked row
      for (int64_t j = 0; j < n; ++j) py[r * n + j] = logSoftmax ? float(-inf) : 0.f;
      continue;
    }
    double z = 0;
    for (int64_t j = 0; j < n; ++j) z += std::exp(v[size_t(j)] - mx);
    for (int64_t j = 0; j < n; ++j) {
      double d = v[size_t(j)] - mx;
      py[r * n + j] = logSoftmax ? float(d - std::log(z)) : float(std::exp(d) / z);
    }
  }
  return y;
}

Tensor logSoftmaxShifts(const Tensor& x) {
  const int64_t n = x.shape()[-1], rows = n ? x.elements() / n : 0;
  Tensor shift = Tensor::empty(Shape{rows});
  const double inf = std::numeric_limits<double>::infinity();
  for (int64_t r = 0; r < rows; ++r) {
    const float* row = x.data<float>() + r * n;
    double mx = -inf, z = 0;
    for (int64_t j = 0; j < n; ++j) mx = std::max(mx, double(row[j]));
    if (mx == -inf) {
      shift.data<float>()[r] = float(inf);
      continue;
    }
    for (int64_t j = 0; j < n; ++j) z += std::exp(double(row[j]) - mx);
    shift.data<float>()[r] = float(mx + std::log(z));
  }
  return shift;
}

Tensor softmaxBackward(const Tensor& y, const Tensor& dy, bool logSoftmax) {
  const Shape& s = y.shape();
  int64_t n = s[-1];
  int64_t rows = n ? s.elements() / n : 0;
  Tensor dx = Tensor::empty(s);
  const float* py = y.data<float>();
  const float* pd = dy.data<float>();
  float* px = dx.data<float>();
  const float inf = std::numeric_limits<float>::infinity();
  for (int64_t r = 0; r < rows; ++r) {
    const float* yr = py + r * n;
    const float* dr = pd + r * n;
    float* xr = px + r * n;
    // log-softmax: masked elements (y = -inf) take no gradient and their dy
    // does not enter the sum.
    double acc = 0;
    for (int64_t j = 0; j < n; ++j) {
      if (logSoftmax) acc += yr[j] == -inf ? 0.0 : double(dr[j]);
      else acc += double(dr[j]) * double(yr[j]);
    }
    for (int64_t j = 0; j < n; ++j) {
      if (logSoftmax)
        xr[j] = yr[j] == -inf ? 0.f : float(double(dr[j]) - std::exp(double(yr[j])) * acc);
      else
        xr[j] = float(double(yr[j]) * (double(dr[j]) - acc));
    }
  }
  return dx;
}

}  // namespace lt::kernels::ref
