// Reference reductions (plain loops, double accumulation).
#pragma once
#include "kernels/reduce.h"

namespace lt::kernels::ref {

Tensor reduce(ReduceKind k, const Tensor& x, const Shape& out);

}  // namespace lt::kernels::ref
