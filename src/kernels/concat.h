// Block copies along one axis, the kernels behind concat and narrow (and their
// gradients). Tensors are dense row-major; `axis` is already normalised
// (0 <= axis < rank). Shapes are preconditions checked by the ops.
#pragma once
#include <cstdint>

#include "tensor/tensor.h"

namespace lt::kernels {

// dst (=, or += when accumulate; += needs f32) src[..., start : start + L, ...] along
// `axis`, where L = dst.dim(axis); src and dst agree on every other dim.
void narrowAxis(const Tensor& src, int axis, int64_t start, Tensor& dst, bool accumulate);

// dst[..., start : start + S, ...] (=, or +=) src along `axis`, where S = src.dim(axis);
// the rest of dst is untouched.
void insertAxis(const Tensor& src, int axis, int64_t start, Tensor& dst, bool accumulate);

}  // namespace lt::kernels
