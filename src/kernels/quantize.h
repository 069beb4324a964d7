// Row-wise int8 quantization around the int8 inference GEMM (ops::linearPacked with an
// int8-packed weight; kernels::matmulU8S8 in between).
//
//   quantizeRowsU8(x f32 [M, K], q u8 [M, K], scale f32 [M])
//     a_m     = max_k |x_mk|,  scale_m = a_m / 127
//     q_mk    = 128 + clamp(nearbyint(x_mk · (127 / a_m)), -127, 127)
//   Symmetric, one scale per row, stored with a +128 shift because VNNI multiplies unsigned
//   by signed bytes; the shift is taken out after the GEMM through colOffset. One scale per
//   row (not per tensor, as Marian's intgemm has it) keeps every row's result independent
//   of the other rows of its batch: a sentence translates the same alone or batched.
//   An all-zero row gets scale 0 and q = 128. A row holding NaN or ±Inf gets scale NaN, so
//   its outputs are NaN rather than silently finite.
//
//   dequantizeRows(acc i32 [M, N], rowScale [M], colScale [N], colOffset i32 [N], bias,
//                  relu, y f32 [M, N])
//     y_mn = fma(float(acc_mn − colOffset_n), rowScale_m · colScale_n, bias_n)
//   (bias_n = 0 when bias is undefined), then max(y, 0) when relu. y may be acc's own
//   storage (y = acc.bitcast(F32)): every element is read before it is written.
//
// Both run over rows in parallel (OpenMP) when large; with referenceKernels() on they run the
// plain loops of kernels/ref/quantize.h, which give bit-identical results.
#pragma once

#include "tensor/tensor.h"

namespace lt::kernels {

void quantizeRowsU8(const Tensor& x, const Tensor& q, const Tensor& scale);

void dequantizeRows(const Tensor& acc, const Tensor& rowScale, const Tensor& colScale,
                    const Tensor& colOffset, const Tensor& bias, bool relu, const Tensor& y);

// Shape and dtype checks shared by both implementations (ShapeError naming the tensors).
void checkQuantizeArgs(const Tensor& x, const Tensor& q, const Tensor& scale);
void checkDequantizeArgs(const Tensor& acc, const Tensor& rowScale, const Tensor& colScale,
                         const Tensor& colOffset, const Tensor& bias, const Tensor& y);

}  // namespace lt::kernels
