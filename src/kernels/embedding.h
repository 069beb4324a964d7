// Embedding lookup and its gradient (rows of a [V, d] table selected by ids).
// Ids are a precondition (ops/embedding.cpp validates them); padId rows of the
// gradient are skipped. The gradient is deterministic at any thread count
// (see kernels/gather.h).
#pragma once

#include "tensor/tensor.h"

namespace lt::kernels {

// table [V, d], ids I32 (any shape, n elements, values in [0, V)) -> out [n, d] (or any
// shape with n*d elements).
void embeddingForward(const Tensor& table, const Tensor& ids, Tensor& out);

// gradTable [V, d] += gradOut [n, d] rows at ids, except positions with id == padId.
void embeddingBackward(const Tensor& gradOut, const Tensor& ids, int padId, Tensor& gradTable);

}  // namespace lt::kernels
