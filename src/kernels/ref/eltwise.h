// Reference element-wise activations (plain loops).
#pragma once
#include "kernels/eltwise.h"

namespace lt::kernels::ref {

float eltwiseValue(EltwiseKind k, float x, float alpha, float beta);
float eltwiseDerivative(EltwiseKind k, float x, float alpha, float beta);  // f'(x)

Tensor eltwiseForward(EltwiseKind k, const Tensor& x, float alpha, float beta);
Tensor eltwiseBackward(EltwiseKind k, const Tensor& x, const Tensor& y, const Tensor& dy,
                       float alpha, float beta);

}  // namespace lt::kernels::ref
