// Gated linear unit (Dauphin et al. 2017) over the last axis.
#pragma once

#include "autodiff/var.h"

namespace lt::ops {

// x [..., 2C] -> [..., C]: a * sigmoid(b), a = x[..., :C] (first half), b = x[..., C:].
Var glu(const Var& x);

}  // namespace lt::ops
