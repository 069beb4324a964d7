// Element-wise activations (oneDNN eltwise), forward and backward.
#pragma once
#include "tensor/tensor.h"

namespace lt::kernels {

enum class EltwiseKind {
  Relu,     // max(x, 0)
  Gelu,     // x * Phi(x), erf form: 0.5 x (1 + erf(x / sqrt 2))
  Elu,      // x > 0 ? x : alpha (e^x - 1)
  Sigmoid,  // 1 / (1 + e^-x)
  Exp,      // e^x
  Tanh,     // tanh x
  Linear,   // alpha * x + beta (scale / addScalar)
};

const char* eltwiseName(EltwiseKind k);

// y = f(x); alpha/beta as above (ignored by the kinds that have none).
Tensor eltwiseForward(EltwiseKind k, const Tensor& x, float alpha = 0.f, float beta = 0.f);

// dx = f'(x) * dy. x is the forward input and y its output (each kind uses the
// cheaper of the two: sigmoid, exp and tanh use y; relu, gelu, elu use x).
Tensor eltwiseBackward(EltwiseKind k, const Tensor& x, const Tensor& y, const Tensor& dy,
                       float alpha = 0.f, float beta = 0.f);

// Tests only: send small tensors through oneDNN too (they normally take the
// own serial loop of kernels/cpu/eltwise.cpp).
void forceDnnlEltwise(bool on);

}  // namespace lt::kernels
