// Plain-loop reference for kernels/embedding.h: the test oracle. Same contracts.
#pragma once

#include "tensor/tensor.h"

namespace lt::kernels::ref {

void embeddingForward(const Tensor& table, const Tensor& ids, Tensor& out);
void embeddingBackward(const Tensor& gradOut, const Tensor& ids, int padId, Tensor& gradTable);

}  // namespace lt::kernels::ref
