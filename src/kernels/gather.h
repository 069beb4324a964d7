// Row gather and its scatter-add adjoint along axis 0 (index_select / embedding
// lookup and their gradients).
//
// Determinism: scatterAddRows sums, for each destination row, its source rows
// in increasing source position, whatever the thread count; the reference does
// the same additions in the same order, so both agree bit for bit.
//
// Indices are preconditions here (ops validate them with findBadIndex and throw
// an error naming the op); kernels never read outside their tensors when the
// precondition holds.
#pragma once
#include <cstdint>

#include "tensor/tensor.h"

namespace lt::kernels {

// src [N, ...] (any dtype), index I32 [M] with values in [0, N) -> out [M, ...] (same
// dtype and trailing dims as src).
void gatherRows(const Tensor& src, const Tensor& index, Tensor& out);

// dst [N, ...] f32 += src [M, ...] f32 row by row: dst[index[m]] += src[m] for every m
// with index[m] != skip (skip = -1 when every row counts).
void scatterAddRows(const Tensor& src, const Tensor& index, int64_t skip, Tensor& dst);

// Position of the first index outside [0, n) that is not `skip`, or -1 when all fit.
int64_t findBadIndex(const Tensor& index, int64_t n, int64_t skip = INT64_MIN);

}  // namespace lt::kernels
