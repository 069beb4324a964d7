// Plain-loop reference for kernels/quantize.h: the test oracle. Same contracts.
#pragma once

#include "tensor/tensor.h"

namespace lt::kernels::ref {

void quantizeRowsU8(const Tensor& x, const Tensor& q, const Tensor& scale);
void dequantizeRows(const Tensor& acc, const Tensor& rowScale, const Tensor& colScale,
                    const Tensor& colOffset, const Tensor& bias, bool relu, const Tensor& y);

}  // namespace lt::kernels::ref
