// Plain-loop reference for kernels/linear_attention.h (test oracle): the quadratic masked
// form a_ts = q_t . k~_s summed directly in double, no prefix sums, no threads, no MAC
// count. The backward recomputes den itself (y and den arguments are ignored).
#pragma once
#include "kernels/linear_attention.h"

namespace lt::kernels::ref {

void causalLinearAttentionForward(const Tensor& q, const Tensor& k, const Tensor& v,
                                  const Tensor& mask, float eps, Denominator mode, Tensor& y,
                                  Tensor& den);
void causalLinearAttentionBackward(const Tensor& q, const Tensor& k, const Tensor& v,
                                   const Tensor& mask, float eps, Denominator mode,
                                   const Tensor& y, const Tensor& den, const Tensor& dy,
                                   Tensor& dq, Tensor& dk, Tensor& dv);
void linearAttentionForward(const Tensor& q, const Tensor& k, const Tensor& v,
                            const Tensor& mask, float eps, Denominator mode, Tensor& y,
                            Tensor& den);
void linearAttentionBackward(const Tensor& q, const Tensor& k, const Tensor& v,
                             const Tensor& mask, float eps, Denominator mode, const Tensor& y,
                             const Tensor& den, const Tensor& dy, Tensor& dq, Tensor& dk,
                             Tensor& dv);
void linearAttentionStep(Tensor& S, Tensor& z, const Tensor& q, const Tensor& k,
                         const Tensor& v, float eps, Denominator mode, Tensor& out);

}  // namespace lt::kernels::ref
