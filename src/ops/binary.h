// Element-wise binary ops with numpy broadcasting: ranks aligned from the
// right, each dim pair equal or containing a 1 (on either side). Gradients are
// summed over the broadcast dims back to each operand's shape.
#pragma once
#include "autodiff/var.h"

namespace lt::ops {

Var add(const Var& a, const Var& b);
Var sub(const Var& a, const Var& b);
Var mul(const Var& a, const Var& b);
Var div(const Var& a, const Var& b);

}  // namespace lt::ops
