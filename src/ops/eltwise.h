// Element-wise activations and scalar affine ops (any shape in, same out).
#pragma once
#include "autodiff/var.h"

namespace lt::ops {

Var relu(const Var& x);                     // max(x, 0); gradient 0 at x = 0
Var gelu(const Var& x);                     // erf form: x * Phi(x)
Var elu(const Var& x, float alpha = 1.f);   // x > 0 ? x : alpha (e^x - 1)
Var sigmoid(const Var& x);
Var exp(const Var& x);
Var tanh(const Var& x);
Var scale(const Var& x, float s);           // s * x
Var addScalar(const Var& x, float s);       // x + s

}  // namespace lt::ops
