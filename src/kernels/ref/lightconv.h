// Plain-loop reference for kernels/lightconv.h: the test oracle. Same contracts, no
// threading, no vectorisation, no MAC counting.
#pragma once
#include <cstdint>

#include "tensor/tensor.h"

namespace lt::kernels::ref {

void normalizeConvKernel(const Tensor& raw, bool softmax, float p, uint64_t seed,
                         uint64_t stream, Tensor& wn, Tensor& w);
void normalizeConvKernelBackward(const Tensor& dw, const Tensor& wn, bool softmax, float p,
                                 uint64_t seed, uint64_t stream, Tensor& draw);
void lightConvForward(const Tensor& x, const Tensor& w, int padLeft, Tensor& y);
void lightConvBackwardData(const Tensor& dy, const Tensor& w, int padLeft, Tensor& dx);
void lightConvBackwardWeight(const Tensor& dy, const Tensor& x, int padLeft, Tensor& dw);
void lightConvStep(const Tensor& window, const Tensor& w, Tensor& y);

}  // namespace lt::kernels::ref
