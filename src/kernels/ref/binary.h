// Reference (plain loop) binary ops with broadcasting: the test oracle.
#pragma once
#include <vector>

#include "kernels/binary.h"

namespace lt::kernels::ref {

// Element strides of a row-major tensor of shape `s` read as shape `out`
// (ranks aligned from the right; stride 0 on broadcast and missing dims).
std::vector<int64_t> broadcastStrides(const Shape& s, const Shape& out);

// Offset of element `linear` of `out` in an operand with strides `st`.
int64_t broadcastOffset(int64_t linear, const Shape& out, const std::vector<int64_t>& st);

Tensor binaryForward(BinaryKind k, const Tensor& a, const Tensor& b);
Tensor broadcastTo(const Tensor& x, const Shape& out);

}  // namespace lt::kernels::ref
