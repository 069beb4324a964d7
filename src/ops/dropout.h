// Inverted dropout with a counter-based (Philox) mask.
#pragma once
#include <cstdint>

#include "autodiff/var.h"

namespace lt::ops {

// Element i (flat index) is dropped iff philoxUniform(seed, stream, i) < p; kept
// elements are scaled by 1/(1-p). p == 0 returns x itself. 0 <= p < 1, else ConfigError.
// Callers derive (seed, stream) per step and per dropout site so masks differ between
// sites and steps yet replay exactly on resume.
Var dropout(const Var& x, float p, uint64_t seed, uint64_t stream);

}  // namespace lt::ops
