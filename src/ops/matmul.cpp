#include "ops/matmul.h"

#include "common/error.h"
#include "kernels/matmul.h"

namespace lt::ops {

namespace detail {
Tensor& gradTarget(Node& n, bool& accumulate) {
  if (!n.grad.defined() && !n.isParam) {
    n.grad = Tensor::empty(n.value.shape(), n.value.dtype());
    accumulate = false;
    return n.grad;
  }
  accumulate = true;
  return n.gradBuffer();
}
}  // namespace detail

namespace {

using kernels::MatmulOptions;

// Batch i of a batched tensor viewed as [batch, r, c].
Tensor batchItem(const Tensor& t, int64_t batch, int64_t i) {
  return t.reshape({batch, t.dim(-2), t.dim(-1)}).slice(i, i + 1).reshape({t.dim(-2), t.dim(-1)});
}

// target (+)= alpha · op(x) · op(y), shapes as the kernel expects.
void gemmInto(Node& target, const Tensor& x, const Tensor& y, bool tX, bool tY, float alpha) {
  bool acc = false;
  Tensor& g = detail::gradTarget(target, acc);
  MatmulOptions o;
  o.transA = tX;
  o.transB = tY;
  o.alpha = alpha;
  o.accumulate = acc;
  kernels::matmul(x, y, g, o);
}

// target [r, c] (+)= Σ_i alpha · op(x_i) · op(y_i) over the batch of whichever
// of x, y is batched (the gradient of an operand broadcast over the batch).
void gemmReduceInto(Node& target, const Tensor& x, const Tensor& y, bool tX, bool tY,
                    float alpha, int64_t batch) {
  bool acc = false;
  Tensor& g = detail::gradTarget(target, acc);
  MatmulOptions o;
  o.transA = tX;
  o.transB = tY;
  o.alpha = alpha;
  for (int64_t i = 0; i < batch; ++i) {
    o.accumulate = acc || i > 0;
    Tensor xi = x.rank() > 2 ? batchItem(x, batch, i) : x;
    Tensor yi = y.rank() > 2 ? batchItem(y, batch, i) : y;
    kernels::matmul(xi, yi, g, o);
  }
  if (batch == 0 && !acc) g.zero();
}

}  // namespace

Var matmul(const Var& a, const Var& b, bool transA, bool transB, float alpha) {
  LT_CHECK(a.defined() && b.defined(), ShapeError, "matmul: undefined input (a {}, b {})",
           a.defined(), b.defined());
  Shape out = kernels::matmulShape(a.shape(), b.shape(), transA, transB, "matmul");
  Tensor y = Tensor::empty(out);
  MatmulOptions o;
  o.transA = transA;
  o.transB = transB;
  o.alpha = alpha;
  kernels::matmul(a.value(), b.value(), y, o);
  return makeResult(std::move(y), "matmul", {a, b}, [transA, transB, alpha](Node& self) {
    Node& A = *self.inputs[0];
    Node& B = *self.inputs[1];
    const Tensor& dC = self.grad;          // [..., M, N]
    const Tensor& av = A.value;
    const Tensor& bv = B.value;
    const int64_t batch = dC.shape().outer(dC.rank() - 2);
    const bool aBroadcast = av.rank() == 2 && dC.rank() > 2;
    const bool bBroadcast = bv.rank() == 2 && dC.rank() > 2;
    if (A.requiresGrad) {
      // op(a)' = alpha · dC · op(b)ᵀ; stored transposed when transA.
      if (!aBroadcast) {
        if (!transA) gemmInto(A, dC, bv, false, !transB, alpha);
        else gemmInto(A, bv, dC, transB, true, alpha);
      } else if (!transA) {
        gemmReduceInto(A, dC, bv, false, !transB, alpha, batch);
      } else {
        gemmReduceInto(A, bv, dC, transB, true, alpha, batch);
      }
    }
    if (B.requiresGrad) {
      // op(b)' = alpha · op(a)ᵀ · dC; stored transposed when transB.
      if (!bBroadcast) {
        if (!transB) gemmInto(B, av, dC, !transA, false, alpha);
        else gemmInto(B, dC, av, true, transA, alpha);
      } else if (!transA) {
        // a [batch, M, K] rows flatten: one GEMM over batch·M rows.
        Tensor a2 = av.reshape({batch * av.dim(-2), av.dim(-1)});
        Tensor dC2 = dC.reshape({batch * dC.dim(-2), dC.dim(-1)});
        if (!transB) gemmInto(B, a2, dC2, true, false, alpha);
        else gemmInto(B, dC2, a2, true, false, alpha);
      } else if (!transB) {
        gemmReduceInto(B, av, dC, false, false, alpha, batch);
      } else {
        gemmReduceInto(B, dC, av, true, true, alpha, batch);
      }
    }
  });
}

}  // namespace lt::ops
