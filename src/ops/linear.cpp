#include "ops/linear.h"

#include <algorithm>
#include <cmath>

#include "common/error.h"
#include "kernels/eltwise.h"
#include "kernels/matmul.h"
#include "kernels/quantize.h"
#include "ops/matmul.h"

namespace lt::ops {

namespace {
// y [..., out] = act(x · w (+ b)) for a checked x [..., in]; `o` says how w is stored
// (transB for [out, in], bColumns for a packed [in, ld]).
Tensor forwardGemm(const Var& x, const Tensor& w, kernels::MatmulOptions o, int64_t in,
                   int64_t out, const Var& b, bool relu) {
  const int64_t rows = x.shape().outer(x.rank() - 1);
  Tensor y = Tensor::empty(x.shape().with(-1, out));
  if (relu) o.post = kernels::PostOp::Relu;
  kernels::matmul(x.value().reshape({rows, in}), w, y.reshape({rows, out}), o,
                  b.defined() ? b.value() : Tensor());
  return y;
}
}  // namespace

Var linear(const Var& x, const Var& w, const Var& b, Activation act) {
  LT_CHECK(x.defined() && w.defined(), ShapeError, "linear: undefined input (x {}, w {})",
           x.defined(), w.defined());
  LT_CHECK(w.rank() == 2 && x.rank() >= 1, ShapeError,
           "linear: x {} and w {}: w must be [out, in] and x [..., in]", x.shape().toString(),
           w.shape().toString());
  const int64_t in = w.dim(1), out = w.dim(0);
  LT_CHECK(x.dim(-1) == in, ShapeError, "linear: x {} and w {}: input features {} and {} differ",
           x.shape().toString(), w.shape().toString(), x.dim(-1), in);
  if (b.defined()) {
    LT_CHECK(b.rank() == 1 && b.dim(0) == out, ShapeError,
             "linear: x {} and w {}: bias {} should be [{}]", x.shape().toString(),
             w.shape().toString(), b.shape().toString(), out);
  }
  const int64_t rows = x.shape().outer(x.rank() - 1);
  const bool relu = act == Activation::Relu;
  kernels::MatmulOptions o;
  o.transB = true;
  Tensor y = forwardGemm(x, w.value(), o, in, out, b, relu);
  std::vector<Var> inputs = {x, w};
  if (b.defined()) inputs.push_back(b);
  const char* name = relu ? "linear_relu" : "linear";
  return makeResult(std::move(y), name, std::move(inputs), [rows, in, out, relu](Node& self) {
    Node& X = *self.inputs[0];
    Node& W = *self.inputs[1];
    // relu'(pre) = [pre > 0] = [y > 0]: relu's backward evaluated at y.
    Tensor dy = relu ? kernels::eltwiseBackward(kernels::EltwiseKind::Relu, self.value,
                                                self.value, self.grad)
                           .reshape({rows, out})
                     : self.grad.reshape({rows, out});
    kernels::MatmulOptions o;
    if (X.requiresGrad) {  // dx [rows, in] (+)= dy · w
      Tensor& g = detail::gradTarget(X, o.accumulate);
      kernels::matmul(dy, W.value, g.reshape({rows, in}), o);
    }
    if (W.requiresGrad) {  // dw [out, in] (+)= dyᵀ · x
      o.transA = true;
      Tensor& g = detail::gradTarget(W, o.accumulate);
      kernels::matmul(dy, X.value.reshape({rows, in}), g, o);
    }
    if (self.inputs.size() > 2 && self.inputs[2]->requiresGrad) {  // db [out] += Σ_rows dy
      kernels::addColumnSums(dy, self.inputs[2]->gradBuffer());
    }
  });
}

int64_t packedRowStride(int64_t out) {
  return out % 64 == 0 ? out + 16 : out;  // 64 floats = 256 bytes
}

QuantizedRows quantizeWeightRows(const Tensor& w) {
  LT_CHECK(w.defined() && w.rank() == 2 && w.dtype() == DType::F32, ShapeError,
           "quantizeWeightRows: w {} must be f32 [rows, cols]", w.defined() ? w.shape().toString() : "undefined");
  const int64_t rows = w.dim(0), cols = w.dim(1);
  HeapScope heap;
  // The activation rows' rule (kernels::quantizeRowsU8), without its +128 shift.
  Tensor shifted = Tensor::empty(Shape{rows, cols}, DType::U8);
  QuantizedRows r;
  r.scale = Tensor::empty(Shape{rows});
  kernels::quantizeRowsU8(w, shifted, r.scale);
  r.q = Tensor::empty(Shape{rows, cols}, DType::I8);
  const uint8_t* u = shifted.data<uint8_t>();
  int8_t* q = r.q.data<int8_t>();
  for (int64_t o = 0; o < rows; ++o) {
    if (std::isnan(r.scale.data<float>()[o])) {  // the kernel's mark of a non-finite row
      const float* row = w.data<float>() + o * cols;
      LT_THROW(Error, "int8 weights: row {} holds {} (not finite)", o,
               *std::find_if(row, row + cols, [](float v) { return !std::isfinite(v); }));
    }
    for (int64_t i = 0; i < cols; ++i) q[o * cols + i] = int8_t(int(u[o * cols + i]) - 128);
  }
  return r;
}

PackedLinearWeight packInt8Rows(const Tensor& qRows, const Tensor& scale) {
  LT_CHECK(qRows.defined() && qRows.rank() == 2 && qRows.dtype() == DType::I8 && scale.defined() &&
               scale.dtype() == DType::F32 && scale.rank() == 1 && scale.dim(0) == qRows.dim(0),
           ShapeError, "packInt8Rows: q {} must be i8 [out, in] with f32 [out] scales, scales are {}",
           qRows.defined() ? qRows.shape().toString() : "undefined",
           scale.defined() ? scale.shape().toString() : "undefined");
  const int64_t out = qRows.dim(0), in = qRows.dim(1);
  // The u8·s8 sums must fit int32: 255 · 127 · in < 2^31.
  LT_CHECK(in <= 66000, ShapeError, "packLinearWeight: int8 needs at most 66000 input features, w is {}",
           qRows.shape().toString());
  HeapScope heap;
  PackedLinearWeight p;
  p.out = out;
  p.data = Tensor::empty(Shape{in, out}, DType::I8);
  p.scale = scale;  // shared: every caller passes heap-held scales it does not change
  p.offset = Tensor::empty(Shape{out}, DType::I32);
  const int8_t* q = qRows.data<int8_t>();
  int8_t* dst = p.data.data<int8_t>();
  for (int64_t o = 0; o < out; ++o) {
    int32_t sum = 0;
    for (int64_t i = 0; i < in; ++i) {
      dst[i * out + o] = q[o * in + i];
      sum += q[o * in + i];
    }
    p.offset.data<int32_t>()[o] = 128 * sum;
  }
  return p;
}

namespace {
PackedLinearWeight packInt8(const Tensor& w) {
  QuantizedRows r = quantizeWeightRows(w);
  return packInt8Rows(r.q, r.scale);
}
}  // namespace

PackedLinearWeight packLinearWeight(const Tensor& w, InferencePrecision precision) {
  LT_CHECK(w.defined() && w.rank() == 2 && w.dtype() == DType::F32, ShapeError,
           "packLinearWeight: w {} must be f32 [out, in]", w.defined() ? w.shape().toString() : "undefined");
  HeapScope heap;
  if (precision == InferencePrecision::Int8) return packInt8(w);
  const int64_t out = w.dim(0), in = w.dim(1), ld = packedRowStride(out);
  PackedLinearWeight p;
  p.out = out;
  p.data = Tensor::zeros(Shape{in, ld});
  const float* src = w.data<float>();
  float* dst = p.data.data<float>();
  for (int64_t o = 0; o < out; ++o)
    for (int64_t i = 0; i < in; ++i) dst[i * ld + o] = src[o * in + i];
  return p;
}

Var linearPacked(const Var& x, const PackedLinearWeight& w, const Var& b, Activation act) {
  LT_CHECK(!gradEnabled(), Error,
           "linearPacked: packed weights are for inference; gradients are enabled (use NoGradScope)");
  LT_CHECK(x.defined() && w.defined(), ShapeError, "linearPacked: undefined input (x {}, w {})",
           x.defined(), w.defined());
  const int64_t in = w.data.dim(0), out = w.out;
  LT_CHECK(x.rank() >= 1 && x.dim(-1) == in, ShapeError,
           "linearPacked: x {} and packed w [{}, {}]: input features {} and {} differ",
           x.shape().toString(), in, out, x.rank() >= 1 ? x.dim(-1) : 0, in);
  if (b.defined()) {
    LT_CHECK(b.rank() == 1 && b.dim(0) == out, ShapeError,
             "linearPacked: x {}: bias {} should be [{}]", x.shape().toString(), b.shape().toString(), out);
  }
  const bool relu = act == Activation::Relu;
  if (w.int8()) {
    const int64_t rows = x.shape().outer(x.rank() - 1);
    Tensor xq = Tensor::empty(Shape{rows, in}, DType::U8);
    Tensor xs = Tensor::empty(Shape{rows});
    kernels::quantizeRowsU8(x.value().reshape({rows, in}), xq, xs);
    Tensor y = Tensor::empty(x.shape().with(-1, out));
    Tensor y2 = y.reshape({rows, out});
    Tensor acc = y2.bitcast(DType::I32);  // the int32 sums, scaled back in place
    kernels::matmulU8S8(xq, w.data, acc);
    kernels::dequantizeRows(acc, xs, w.scale, w.offset, b.defined() ? b.value() : Tensor(), relu, y2);
    return lt::detail::untracked(std::move(y), relu ? "linear_relu" : "linear");
  }
  kernels::MatmulOptions o;
  o.bColumns = out;
  return lt::detail::untracked(forwardGemm(x, w.data, o, in, out, b, relu),
                               relu ? "linear_relu" : "linear");
}

}  // namespace lt::ops
