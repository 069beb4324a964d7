// Own fused OpenMP softmax / log-softmax over the last axis (see
// kernels/softmax.h for the contract and the choice against oneDNN).
#pragma once
#include "tensor/tensor.h"

namespace lt::kernels::cpu {

Tensor softmaxForward(const Tensor& x, const Tensor& mask, bool logSoftmax);
Tensor softmaxBackward(const Tensor& y, const Tensor& dy, bool logSoftmax);
// Per-row shift of log-softmax over the last axis: x - shift[r] equals softmaxForward(x, {},
// true) bit for bit (the same row routine, stopped before its write pass); +inf for a row
// that is all -inf.
Tensor logSoftmaxShifts(const Tensor& x);

// y = softmax(x + m) of one row of n (m null or a full row; x, y distinct), by
// the same row routine softmaxForward uses on this build (fused attention).
void softmaxRowF32(const float* x, const float* m, float* y, int64_t n);

// Tests only: run the portable (auto-vectorised) row loop even where the
// AVX-512 one is compiled in.
void setPortableSoftmax(bool on);

}  // namespace lt::kernels::cpu
