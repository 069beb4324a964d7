#include "kernels/cpu/eltwise.h"

#include <cmath>
#include <vector>

namespace lt::kernels::cpu {

void eltwiseSmall(EltwiseKind k, const float* x, float* y, int64_t n, float alpha, float beta) {
  switch (k) {
    case EltwiseKind::Relu:
      for (int64_t i = 0; i < n; ++i) y[i] = x[i] > 0.f ? x[i] : 0.f;
      break;
    case EltwiseKind::Gelu:
      for (int64_t i = 0; i < n; ++i) y[i] = 0.5f * x[i] * (1.f + std::erf(x[i] * float(M_SQRT1_2)));
      break;
    case EltwiseKind::Elu:
      for (int64_t i = 0; i < n; ++i) y[i] = x[i] > 0.f ? x[i] : alpha * std::expm1(x[i]);
      break;
    case EltwiseKind::Sigmoid:
      for (int64_t i = 0; i < n; ++i) y[i] = 1.f / (1.f + std::exp(-x[i]));
      break;
    case EltwiseKind::Exp:
      for (int64_t i = 0; i < n; ++i) y[i] = std::exp(x[i]);
      break;
    case EltwiseKind::Tanh:
      for (int64_t i = 0; i < n; ++i) y[i] = std::tanh(x[i]);
      break;
    case EltwiseKind::Linear:
      for (int64_t i = 0; i < n; ++i) y[i] = alpha * x[i] + beta;
      break;
  }
}

void eltwiseBackwardSmall(EltwiseKind k, const float* x, const float* y, const float* dy,
                          float* dx, int64_t n, float alpha) {
  switch (k) {
    case EltwiseKind::Relu:
      for (int64_t i = 0; i < n; ++i) dx[i] = x[i] > 0.f ? dy[i] : 0.f;
      break;
    case EltwiseKind::Gelu: {
      const float kInvSqrt2Pi = 0.39894228040143268f;
      for (int64_t i = 0; i < n; ++i) {
        float cdf = 0.5f * (1.f + std::erf(x[i] * float(M_SQRT1_2)));
        dx[i] = dy[i] * (cdf + x[i] * kInvSqrt2Pi * std::exp(-0.5f * x[i] * x[i]));
      }
      break;
    }
    case EltwiseKind::Elu:
      for (int64_t i = 0; i < n; ++i) dx[i] = x[i] > 0.f ? dy[i] : dy[i] * alpha * std::exp(x[i]);
      break;
    case EltwiseKind::Sigmoid:
      for (int64_t i = 0; i < n; ++i) dx[i] = dy[i] * y[i] * (1.f - y[i]);
      break;
    case EltwiseKind::Exp:
      for (int64_t i = 0; i < n; ++i) dx[i] = dy[i] * y[i];
      break;
    case EltwiseKind::Tanh:
      for (int64_t i = 0; i < n; ++i) dx[i] = dy[i] * (1.f - y[i] * y[i]);
      break;
    case EltwiseKind::Linear:
      for (int64_t i = 0; i < n; ++i) dx[i] = alpha * dy[i];
      break;
  }
}

void affine(const float* x, float* y, int64_t n, float alpha, float beta) {
#pragma omp parallel for simd schedule(static) if (n >= kSmallElems)
  for (int64_t i = 0; i < n; ++i) y[i] = alpha * x[i] + beta;
}

namespace {

// Element strides of `s` read as `out` (0 on broadcast and missing dims).
std::vector<int64_t> stridesAs(const Shape& s, const Shape& out) {
  std::vector<int64_t> st(static_cast<size_t>(out.rank()), 0);
  int64_t stride = 1;
  for (int i = s.rank() - 1, o = out.rank() - 1; i >= 0; --i, --o) {
    st[size_t(o)] = s[i] == 1 ? 0 : stride;
    stride *= s[i];
  }
  return st;
}

template <typename F>
void walk(const Tensor& a, const Tensor& b, Tensor& y, F f) {
  const Shape& out = y.shape();
  if (a.shape() == out && b.shape() == out) {  // no broadcast (residual adds): one flat loop
    const float* __restrict pa = a.data<float>();
    const float* __restrict pb = b.data<float>();
    float* __restrict py = y.data<float>();
    const int64_t n = out.elements();
#pragma omp simd
    for (int64_t i = 0; i < n; ++i) py[i] = f(pa[i], pb[i]);
    return;
  }
  int r = out.rank();
  auto sa = stridesAs(a.shape(), out), sb = stridesAs(b.shape(), out);
  const float* pa = a.data<float>();
  const float* pb = b.data<float>();
  float* py = y.data<float>();
  int64_t inner = r ? out[r - 1] : 1;
  int64_t ia = r ? sa[size_t(r - 1)] : 0, ib = r ? sb[size_t(r - 1)] : 0;
  int64_t rows = inner ? out.elements() / inner : 0;
  std::vector<int64_t> idx(static_cast<size_t>(std::max(r - 1, 0)), 0);
  int64_t oa = 0, ob = 0;
  for (int64_t row = 0; row < rows; ++row) {
    float* yr = py + row * inner;
    for (int64_t j = 0; j < inner; ++j) yr[j] = f(pa[oa + j * ia], pb[ob + j * ib]);
    for (int d = r - 2; d >= 0; --d) {  // odometer over the leading dims
      oa += sa[size_t(d)];
      ob += sb[size_t(d)];
      if (++idx[size_t(d)] < out[d]) break;
      oa -= sa[size_t(d)] * out[d];
      ob -= sb[size_t(d)] * out[d];
      idx[size_t(d)] = 0;
    }
  }
}

}  // namespace

void binarySmall(BinaryKind k, const Tensor& a, const Tensor& b, Tensor& y) {
  switch (k) {
    case BinaryKind::Add: walk(a, b, y, [](float u, float v) { return u + v; }); break;
    case BinaryKind::Sub: walk(a, b, y, [](float u, float v) { return u - v; }); break;
    case BinaryKind::Mul: walk(a, b, y, [](float u, float v) { return u * v; }); break;
    case BinaryKind::Div: walk(a, b, y, [](float u, float v) { return u / v; }); break;
  }
}

}  // namespace lt::kernels::cpu
