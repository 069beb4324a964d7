// Concatenation and slicing along any axis (copies; gradients flow back to the
// pieces).
#pragma once
#include <cstdint>
#include <vector>

#include "autodiff/var.h"

namespace lt::ops {

// xs all of one rank, equal on every dim except `axis` (negative counts from the end)
// -> their concatenation along `axis`.
Var concat(const std::vector<Var>& xs, int axis);

// x[..., start : start + length, ...] along `axis` (a copy); 0 <= start, start + length <= dim.
Var narrow(const Var& x, int axis, int64_t start, int64_t length);

}  // namespace lt::ops
