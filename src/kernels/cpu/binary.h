// Broadcast helpers shared by the binary and reduction kernels, and an own
// OpenMP broadcast copy (oneDNN has no broadcasting reorder).
#pragma once
#include <vector>

#include "tensor/tensor.h"

namespace lt::kernels::cpu {

// `small` read as `out` (ranks aligned from the right, each dim of small equal
// to out's or 1), with size-1 dims of out dropped and adjacent dims that
// broadcast the same way merged: dims[i] is the merged out size and full[i]
// tells whether small spans it (false: broadcast). Never empty: a scalar view
// is one dim of size 1.
struct BroadcastView {
  std::vector<int64_t> dims;
  std::vector<bool> full;
  int rank() const { return int(dims.size()); }
  Shape outShape() const { return Shape(dims); }
  Shape smallShape() const;  // dims, with 1 where !full
};
BroadcastView collapseBroadcast(const Shape& small, const Shape& out);

// Copies x into a new tensor of shape `out`.
Tensor broadcastTo(const Tensor& x, const Shape& out);

}  // namespace lt::kernels::cpu
