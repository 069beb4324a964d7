// Binary element-wise ops with numpy broadcasting (oneDNN binary).
//
// Shapes are aligned from the right; each dim pair must be equal or contain a
// 1. Either side may broadcast (oneDNN only broadcasts its second source, so
// the kernel swaps commutative operands or expands the first one itself).
#pragma once
#include "tensor/tensor.h"

namespace lt::kernels {

enum class BinaryKind { Add, Sub, Mul, Div };

const char* binaryName(BinaryKind k);

// The broadcast result shape; throws ShapeError naming `op` and both shapes.
Shape broadcastShapes(const char* op, const Shape& a, const Shape& b);

// out [broadcastShapes(a, b)] = a (op) b.
Tensor binaryForward(BinaryKind k, const Tensor& a, const Tensor& b);

// Copies x into a new tensor of shape `out` (x broadcasts to out).
Tensor broadcastTo(const Tensor& x, const Shape& out);

// Tests only: send small tensors through oneDNN too (they normally take the
// own serial loop of kernels/cpu/eltwise.cpp).
void forceDnnlBinary(bool on);

}  // namespace lt::kernels
