// Plain-loop reference for kernels/dropout.h: the test oracle. Same contracts;
// draws each element with philoxUniform directly.
#pragma once
#include <cstdint>

#include "tensor/tensor.h"

namespace lt::kernels::ref {

void dropoutForward(const Tensor& x, float p, uint64_t seed, uint64_t stream, Tensor& y);
void dropoutAddForward(const Tensor& a, const Tensor& b, float p, uint64_t seed, uint64_t stream,
                       Tensor& y);
void dropoutBackward(const Tensor& dy, float p, uint64_t seed, uint64_t stream, Tensor& dx,
                     bool accumulate);

}  // namespace lt::kernels::ref
