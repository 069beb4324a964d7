// Embedding lookup (token ids -> rows of a [V, d] table).
#pragma once

#include "autodiff/var.h"

namespace lt::ops {

// table [V, d], ids I32 of any shape (rank <= 5) -> [ids..., d].
// Positions with id == padId still read their row but send no gradient to it.
// An id outside [0, V) throws DataError naming the id and V.
Var embedding(const Var& table, const Tensor& ids, int padId = -1);

}  // namespace lt::ops
