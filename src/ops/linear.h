// Affine map op (OPS_API.md "linear.h").
//
//   linear(x, w, b) = x · wᵀ + b
//   x [..., in], w [out, in], b [out] or undefined -> [..., out]
// Leading dims of x are flattened into rows: one GEMM forward (bias fused),
// and backward dx = dy·w, dw = dyᵀ·x (accumulated into the gradient buffers),
// db = column sums of dy over all leading dims.
//
// act = Relu fuses max(·, 0) into the GEMM (oneDNN eltwise post-op): the
// pre-activation is never stored, and backward masks dy by y > 0 (equal to
// x·wᵀ + b > 0) before the two GEMMs. Same values and gradients as
// relu(linear(x, w, b)), one pass over [rows, out] less each way.
#pragma once
#include <cstdint>

#include "autodiff/var.h"

namespace lt::ops {

enum class Activation : uint8_t { None, Relu };

Var linear(const Var& x, const Var& w, const Var& b = Var(), Activation act = Activation::None);

// Inference layout of a linear weight w [out, in]: wᵀ as [in, ld], ld >= out, columns
// [out, ld) zero. oneDNN's GEMM (AVX2) reads a transposed [out, in] weight 1.2-1.9x slower
// than an [in, out] one when x has few rows, as in beam decoding, and an [in, out] matrix
// whose row stride is a multiple of 256 bytes (out = 512, 2048) slower still (cache-set
// conflicts), so ld pads such rows by 16 floats (docs/performance.md).
//
// InferencePrecision::Int8 packs w as i8 [in, out] instead, one symmetric scale per output
// (s_n = max_k |w_nk| / 127, q = nearbyint(w / s_n)), plus offset_n = 128 · Σ_k q_kn. At
// run time each row of x is quantized with its own scale (kernels/quantize.h), multiplied
// in int32 (kernels::matmulU8S8, VNNI) and scaled back with bias and activation fused:
//   y_mn = fma(float(Σ_k xq_mk q_kn − offset_n), sx_m · s_n, b_n).
struct PackedLinearWeight {
  Tensor data;  // f32 [in, ld] or i8 [in, out]; heap-held
  int64_t out = 0;
  Tensor scale;   // int8 only: f32 [out]
  Tensor offset;  // int8 only: i32 [out]
  bool defined() const { return data.defined(); }
  bool int8() const { return data.defined() && data.dtype() == DType::I8; }
};
int64_t packedRowStride(int64_t out);

// The int8 rule for a weight's rows, shared by the int8 packing and int8 model files, and the
// same rule as the activation rows (kernels::quantizeRowsU8, without its +128 shift):
// s_r = max_c |w_rc| / 127, q_rc = clamp(nearbyint(w_rc · (127 / max_c |w_rc|)), ±127) (0 and
// s_r = 0 for an all-zero row). w must be f32 [rows, cols] and finite (Error otherwise).
// Re-quantizing q·s gives q back, so the linears of an int8 model file pack to the very int8
// weights of its source (its embedding lookups, though, read q·s).
struct QuantizedRows {
  Tensor q;      // i8 [rows, cols]
  Tensor scale;  // f32 [rows]
};
QuantizedRows quantizeWeightRows(const Tensor& w);
PackedLinearWeight packLinearWeight(const Tensor& w,
                                    InferencePrecision precision = InferencePrecision::F32);
// The int8 packed form straight from int8 rows and their scales (what quantizeWeightRows
// returns, or an int8 model file holds): packLinearWeight(w, Int8) is
// packInt8Rows(quantizeWeightRows(w)). Rows of several matrices quantized one by one and
// stacked are the rows of the stacked matrix quantized (one scale per row).
PackedLinearWeight packInt8Rows(const Tensor& q, const Tensor& scale);

// linear(x, w, b, act) through w's packed copy. Records nothing: inference only, it throws
// Error when gradients are enabled (a backward would silently miss w and x).
Var linearPacked(const Var& x, const PackedLinearWeight& w, const Var& b = Var(),
                 Activation act = Activation::None);

}  // namespace lt::ops
