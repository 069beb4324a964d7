// Plain-loop reference for kernels/concat.h: the test oracle. Same contracts.
#pragma once
#include <cstdint>

#include "tensor/tensor.h"

namespace lt::kernels::ref {

void narrowAxis(const Tensor& src, int axis, int64_t start, Tensor& dst, bool accumulate);
void insertAxis(const Tensor& src, int axis, int64_t start, Tensor& dst, bool accumulate);

}  // namespace lt::kernels::ref
