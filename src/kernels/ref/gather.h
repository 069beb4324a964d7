// Plain-loop reference for kernels/gather.h: the test oracle. Same contracts.
#pragma once
#include <cstdint>

#include "tensor/tensor.h"

namespace lt::kernels::ref {

void gatherRows(const Tensor& src, const Tensor& index, Tensor& out);
void scatterAddRows(const Tensor& src, const Tensor& index, int64_t skip, Tensor& dst);

}  // namespace lt::kernels::ref
