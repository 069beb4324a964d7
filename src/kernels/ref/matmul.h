// Reference (plain-loop) matmul: the oracle for kernels/matmul.h, kept forever.
// Same semantics and shape rules as lt::kernels::matmul; accumulates in double.
#pragma once
#include <cstdint>

#include "kernels/matmul.h"
#include "tensor/tensor.h"

namespace lt::kernels {

// Flattened problem: batch GEMMs of [M, K]·[K, N]; batchA / batchB are 1 for a
// broadcast (rank-2) operand, else batch.
struct MatmulDims {
  int64_t batch = 1, batchA = 1, batchB = 1, M = 0, N = 0, K = 0;
  int64_t ldb = 0;  // b's row stride when not transposed (N, or b.dim(1) with bColumns)
};

// Validates a, b, c, bias (dtype f32, shapes) for the kernel and returns the
// flattened dims. Throws ShapeError naming the op and the shapes.
MatmulDims checkMatmulArgs(const Tensor& a, const Tensor& b, const Tensor& c,
                           const MatmulOptions& opts, const Tensor& bias);

// Validates matmulU8S8's operands; returns {M, N, K, ldb} in a MatmulDims.
MatmulDims checkMatmulU8S8Args(const Tensor& a, const Tensor& b, const Tensor& c);

// Applies an eltwise post-op to one value (shared by the reference paths).
float applyPostOp(PostOp p, float v);

namespace ref {

void matmul(const Tensor& a, const Tensor& b, const Tensor& c, const MatmulOptions& opts = {},
            const Tensor& bias = Tensor());

void addColumnSums(const Tensor& x, const Tensor& out);

void matmulU8S8(const Tensor& a, const Tensor& b, const Tensor& c);

}  // namespace ref
}  // namespace lt::kernels
