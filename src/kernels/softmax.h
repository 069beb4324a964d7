// Softmax and log-softmax over the last axis, with an optional additive mask.
//
//   x    [..., N]
//   mask undefined, or f32 with x's rank and each dim equal to x's or 1
//        (e.g. [B,1,1,S] key padding, [1,1,T,T] causal); -inf (or a large
//        negative value) masks an element. The mask takes no gradient.
//
// Fully masked rows: a row whose every element is -inf after adding the mask
// has no distribution. softmax gives zeros there and log-softmax gives -inf
// (= log 0, so logSoftmax == log(softmax) still holds), never NaN; the backward
// of such a row is zero for both. With a finite mask value (-1e9) the row is
// an ordinary (uniform) distribution, as in PyTorch.
//
// Fast path (kernels/cpu/softmax.cpp): one fused OpenMP loop per row (mask add,
// max, exp with a vectorised polynomial, normalise), for both the masked and
// unmasked cases. It measured faster than oneDNN softmax_v2 on attention shapes
// with a mask, because oneDNN needs a separate binary-add pass and still gives
// NaN on fully masked rows; see the numbers in the header of cpu/softmax.cpp.
#pragma once
#include "tensor/tensor.h"

namespace lt::kernels {

// Throws ShapeError naming `op`, x and mask when the mask does not broadcast.
void checkSoftmaxMask(const char* op, const Shape& x, const Shape& mask);

// y [..., N] = softmax(x + mask) (or log-softmax) over the last axis.
Tensor softmaxForward(const Tensor& x, const Tensor& mask, bool logSoftmax);

// dx from the forward output y and dy (both [..., N]):
//   softmax:     dx = y * (dy - sum(dy * y))
//   log-softmax: dx = dy - exp(y) * sum(dy)
Tensor softmaxBackward(const Tensor& y, const Tensor& dy, bool logSoftmax);

// oneDNN softmax_v2 (no mask), kept only as the comparison point for the fused
// kernel above (kernel tests and timings); not used by ops.
Tensor softmaxDnnlForward(const Tensor& x, bool logSoftmax);
Tensor softmaxDnnlBackward(const Tensor& y, const Tensor& dy, bool logSoftmax);

}  // namespace lt::kernels
