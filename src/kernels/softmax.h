// Softmax and log-softmax over the last axis, with an optional additive mask.
//
//   x    [..., N]
//   mask undefined, or f32 with x's rank and each dim equal to x's or 1
//        (e.g. [B,1,1,S] key padding, [1,1,T,T] causal); -inf (or a large
//        negative value) masks an element. The mask takes no gradient.
//
// Masked elements (-inf after adding the mask) get probability 0 (log-softmax
// -inf = log 0) and no gradient. Fully masked rows (every element -inf) have no
// distribution: softmax gives zeros there and log-softmax -inf (so logSoftmax
// == log(softmax) still holds), never NaN, and zero gradient. With a finite
// mask value (-1e9) a fully masked row is an ordinary (uniform) distribution,
// as in PyTorch.
//
// Fast path (kernels/cpu/softmax.cpp): one fused OpenMP loop per row (mask add,
// max, exp by a vectorised polynomial, normalise; AVX-512 with masked tails,
// rows <= 64 kept in registers). oneDNN 2.6 softmax_v2 has no mask input, so
// the alternative is a binary add then softmax_v2, which also gives NaN on
// fully masked rows. Measured, 1 thread, best of 30 (softmax test "timings"):
//   [64,4,30,30] + [64,1,1,30] mask: fused 0.24-0.26 ms, oneDNN add+softmax
//   0.26-0.27 ms; [64,8,50,50]: fused 0.82 ms, oneDNN 1.39 ms. Without a mask
//   oneDNN alone is a little faster on 30-wide rows (0.19 vs 0.23 ms) and
//   equal on wide ones; the fused loop is used everywhere for one code path
//   and one fully-masked-row rule. softmaxDnnl* below are the comparison.
#pragma once
#include "tensor/tensor.h"

namespace lt::kernels {

// Throws ShapeError naming `op`, x and mask when the mask does not broadcast.
void checkSoftmaxMask(const char* op, const Shape& x, const Shape& mask);

// y [..., N] = softmax(x + mask) (or log-softmax) over the last axis.
Tensor softmaxForward(const Tensor& x, const Tensor& mask, bool logSoftmax);

// shift [rows] with logSoftmax(x) = x - shift per row (last axis, no mask): what a beam
// search needs to score log-probabilities while reading the logits once. On the fast path
// x - shift equals softmaxForward(x, {}, true) bit for bit; a row of all -inf gets +inf.
Tensor logSoftmaxShifts(const Tensor& x);

// dx from the forward output y and dy (both [..., N]):
//   softmax:     dx = y * (dy - sum(dy * y))
//   log-softmax: dx = dy - exp(y) * sum(dy), sums and dx over elements with
//                y > -inf (dx = 0 where y = -inf)
Tensor softmaxBackward(const Tensor& y, const Tensor& dy, bool logSoftmax);

// oneDNN softmax_v2 (no mask), kept only as the comparison point for the fused
// kernel above (kernel tests and timings); not used by ops.
Tensor softmaxDnnlForward(const Tensor& x, bool logSoftmax);
Tensor softmaxDnnlBackward(const Tensor& y, const Tensor& dy, bool logSoftmax);

}  // namespace lt::kernels
