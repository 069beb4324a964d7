// Own serial loops for small element-wise and binary ops: below ~16K elements
// oneDNN's per-call cost (memory objects, an OpenMP fork/join that waits for
// every thread) exceeds the work, e.g. during beam-search steps.
#pragma once
#include "kernels/binary.h"
#include "kernels/eltwise.h"

namespace lt::kernels::cpu {

constexpr int64_t kSmallElems = 16384;

void eltwiseSmall(EltwiseKind k, const float* x, float* y, int64_t n, float alpha, float beta);
// dx = f'(x) dy (sigmoid, exp, tanh from y).
void eltwiseBackwardSmall(EltwiseKind k, const float* x, const float* y, const float* dy,
                          float* dx, int64_t n, float alpha);

// y = alpha x + beta, OpenMP-parallel at any size (scale / addScalar: a plain
// memory-bound loop; through oneDNN every new scalar would be a new primitive).
void affine(const float* x, float* y, int64_t n, float alpha, float beta);

// y [out] = a (op) b, both broadcasting to out.
void binarySmall(BinaryKind k, const Tensor& a, const Tensor& b, Tensor& y);

}  // namespace lt::kernels::cpu
