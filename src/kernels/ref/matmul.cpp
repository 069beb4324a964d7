#include "kernels/ref/matmul.h"

#include <cmath>
#include <string>
#include <vector>

#include "common/error.h"

namespace lt::kernels {

namespace {

const char* transNote(bool tA, bool tB) {
  if (tA && tB) return " (transA, transB)";
  if (tA) return " (transA)";
  if (tB) return " (transB)";
  return "";
}

Shape leading(const Shape& s) {
  std::vector<int64_t> d = s.dims();
  d.resize(d.size() - 2);
  return Shape(d);
}

}  // namespace

Shape matmulShape(const Shape& a, const Shape& b, bool transA, bool transB, const char* op) {
  const char* note = transNote(transA, transB);
  LT_CHECK(a.rank() >= 2 && b.rank() >= 2, ShapeError,
           "{}: a {} and b {}{}: both operands need rank >= 2", op, a.toString(), b.toString(),
           note);
  int64_t M = transA ? a[-1] : a[-2];
  int64_t Ka = transA ? a[-2] : a[-1];
  int64_t Kb = transB ? b[-1] : b[-2];
  int64_t N = transB ? b[-2] : b[-1];
  LT_CHECK(Ka == Kb, ShapeError, "{}: a {} and b {}{}: inner dimensions {} and {} differ", op,
           a.toString(), b.toString(), note, Ka, Kb);
  // Output = the batched side's shape with its last two dims replaced (no allocation).
  const Shape& base = a.rank() == 2 ? b : a;
  if (a.rank() > 2 && b.rank() > 2) {
    bool same = a.rank() == b.rank();
    for (int i = 0; same && i < a.rank() - 2; ++i) same = a[i] == b[i];
    LT_CHECK(same, ShapeError,
             "{}: a {} and b {}{}: batch dimensions {} and {} differ (need equal, or one "
             "operand of rank 2)",
             op, a.toString(), b.toString(), note, leading(a).toString(), leading(b).toString());
  }
  return base.with(-2, M).with(-1, N);
}

MatmulDims checkMatmulU8S8Args(const Tensor& a, const Tensor& b, const Tensor& c) {
  LT_CHECK(a.defined() && b.defined() && c.defined() && a.dtype() == DType::U8 &&
               b.dtype() == DType::I8 && c.dtype() == DType::I32 && a.rank() == 2 &&
               b.rank() == 2 && c.rank() == 2 && a.dim(1) == b.dim(0) && c.dim(0) == a.dim(0) &&
               c.dim(1) <= b.dim(1),
           ShapeError,
           "matmulU8S8: a {} {}, b {} {}, c {} {}: expected u8 [M, K], i8 [K, ldb], i32 [M, N] "
           "with N <= ldb",
           name(a.dtype()), a.shape().toString(), name(b.dtype()), b.shape().toString(),
           name(c.dtype()), c.shape().toString());
  MatmulDims d;
  d.M = a.dim(0);
  d.K = a.dim(1);
  d.N = c.dim(1);
  d.ldb = b.dim(1);
  return d;
}

MatmulDims checkMatmulArgs(const Tensor& a, const Tensor& b, const Tensor& c,
                           const MatmulOptions& o, const Tensor& bias) {
  LT_CHECK(a.defined() && b.defined() && c.defined(), ShapeError,
           "matmul: undefined operand (a {}, b {}, c {})", a.defined(), b.defined(), c.defined());
  LT_CHECK(a.dtype() == DType::F32 && b.dtype() == DType::F32 && c.dtype() == DType::F32,
           ShapeError, "matmul: a {} and b {} into c {}: only f32 is supported (got {}, {}, {})",
           a.shape().toString(), b.shape().toString(), c.shape().toString(), name(a.dtype()),
           name(b.dtype()), name(c.dtype()));
  Shape bLogical = b.shape();
  if (o.bColumns > 0) {
    LT_CHECK(b.rank() == 2 && !o.transB && o.bColumns <= b.dim(1), ShapeError,
             "matmul: b {} with bColumns {}: a padded b must be 2-D [K, ldb >= bColumns] and "
             "not transposed",
             b.shape().toString(), o.bColumns);
    bLogical = Shape{b.dim(0), o.bColumns};
  }
  Shape out = matmulShape(a.shape(), bLogical, o.transA, o.transB);
  LT_CHECK(c.shape() == out, ShapeError, "matmul: a {} and b {}: output c {} should be {}",
           a.shape().toString(), b.shape().toString(), c.shape().toString(), out.toString());
  MatmulDims d;
  d.M = out[-2];
  d.N = out[-1];
  d.K = o.transA ? a.dim(-2) : a.dim(-1);
  d.batch = out.outer(out.rank() - 2);
  d.batchA = a.shape().outer(a.rank() - 2);
  d.batchB = b.shape().outer(b.rank() - 2);
  d.ldb = o.bColumns > 0 ? b.dim(1) : d.N;
  if (bias.defined()) {
    LT_CHECK(bias.dtype() == DType::F32 && bias.elements() == d.N && bias.rank() == 1,
             ShapeError, "matmul: a {} and b {}: bias {} should be [{}] f32",
             a.shape().toString(), b.shape().toString(), bias.shape().toString(), d.N);
  }
  return d;
}

float applyPostOp(PostOp p, float v) {
  switch (p) {
    case PostOp::None: return v;
    case PostOp::Relu: return v > 0.f ? v : 0.f;
    case PostOp::GeluErf: return float(0.5 * v * (1.0 + std::erf(double(v) / std::sqrt(2.0))));
    case PostOp::GeluTanh: {
      double x = v;
      double k = std::sqrt(2.0 / M_PI);
      return float(0.5 * x * (1.0 + std::tanh(k * (x + 0.044715 * x * x * x))));
    }
  }
  return v;
}

namespace ref {

void matmul(const Tensor& a, const Tensor& b, const Tensor& c, const MatmulOptions& o,
            const Tensor& bias) {
  MatmulDims d = checkMatmulArgs(a, b, c, o, bias);
  const float* pa = a.data<float>();
  const float* pb = b.data<float>();
  float* pc = c.data<float>();
  const float* pbias = bias.defined() ? bias.data<float>() : nullptr;
  const int64_t M = d.M, N = d.N, K = d.K, ldb = d.ldb;
  for (int64_t i = 0; i < d.batch; ++i) {
    const float* ai = pa + (d.batchA == 1 ? 0 : i * M * K);
    const float* bi = pb + (d.batchB == 1 ? 0 : i * K * N);  // batched b is never padded
    float* ci = pc + i * M * N;
    for (int64_t m = 0; m < M; ++m) {
      for (int64_t n = 0; n < N; ++n) {
        double s = 0;
        for (int64_t k = 0; k < K; ++k) {
          float x = o.transA ? ai[k * M + m] : ai[m * K + k];
          float y = o.transB ? bi[n * K + k] : bi[k * ldb + n];
          s += double(x) * double(y);
        }
        float v = float(double(o.alpha) * s + (pbias ? double(pbias[n]) : 0.0));
        v = applyPostOp(o.post, v);
        float& dst = ci[m * N + n];
        dst = o.accumulate ? dst + v : v;
      }
    }
  }
}

void matmulU8S8(const Tensor& a, const Tensor& b, const Tensor& c) {
  const MatmulDims d = checkMatmulU8S8Args(a, b, c);
  const uint8_t* pa = a.data<uint8_t>();
  const int8_t* pb = b.data<int8_t>();
  int32_t* pc = c.data<int32_t>();
  for (int64_t m = 0; m < d.M; ++m)
    for (int64_t n = 0; n < d.N; ++n) {
      int32_t s = 0;
      for (int64_t k = 0; k < d.K; ++k) s += int32_t(pa[m * d.K + k]) * int32_t(pb[k * d.ldb + n]);
      pc[m * d.N + n] = s;
    }
}

void addColumnSums(const Tensor& x, const Tensor& out) {
  LT_CHECK(x.dtype() == DType::F32 && out.dtype() == DType::F32 && out.rank() == 1 &&
               x.rank() >= 1 && x.dim(-1) == out.dim(0),
           ShapeError, "addColumnSums: x {} and out {}: out should be [{}]", x.shape().toString(),
           out.shape().toString(), x.rank() >= 1 ? x.dim(-1) : 0);
  int64_t n = out.dim(0);
  int64_t rows = n == 0 ? 0 : x.elements() / n;
  const float* px = x.data<float>();
  float* po = out.data<float>();
  for (int64_t j = 0; j < n; ++j) {
    double s = 0;
    for (int64_t r = 0; r < rows; ++r) s += px[r * n + j];
    po[j] = float(po[j] + s);
  }
}

}  // namespace ref
}  // namespace lt::kernels
