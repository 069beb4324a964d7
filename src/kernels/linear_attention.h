// Linear attention (Katharopoulos et al. 2020; T2R, Kasai et al. 2021) on feature-mapped
// queries and keys, per batch b and head h (seed-systems.md §3.3):
//
//   k~_s = keyMask[b, s] * phiK_s                       (masked keys contribute nothing)
//   causal:     S_t = sum_{s<=t} k~_s v_s^T  [m, dv],   z_t = sum_{s<=t} k~_s  [m]
//   non-causal: S   = sum_s     k~_s v_s^T,             z   = sum_s     k~_s
//   y_t = S_t^T q_t / den(q_t . z_t),  AddEps: den(x) = x + eps (ELU+1);
//                                      ClampEps: den(x) = max(x, eps) (T2R; no gradient
//                                      through the clamp when x <= eps).
//
// The fast causal form is chunked: inside a chunk the masked quadratic form, across chunks
// running prefix sums (fp32); memory O(m*dv) per (b, h) beyond the inputs, no [T, T] or
// per-step state is stored. Backward is exact: forward prefix sums for dq, reverse prefix
// sums (U = sum_{t>=s} q_t dnum_t^T, w = sum_{t>=s} dden_t q_t) for dk and dv.
// Backward kernels ACCUMULATE (+=) into the gradients that are defined (an undefined
// gradient tensor is skipped). Entry points run kernels/ref/linear_attention.h when
// referenceKernels() is on. Callers check shapes.
//
// MACs counted (multiply-accumulates of the recurrent form, the same whatever the
// evaluation order): per (b, h) and query step m*dv (state update) + m*dv (readout) + m
// (q . z): causal B*H*T*m*(2dv+1); non-causal B*H*(Tk*m*dv + Tq*m*(dv+1)); step
// N*H*m*(2dv+1).
#pragma once
#include "tensor/tensor.h"

namespace lt::kernels {

enum class Denominator { AddEps, ClampEps };

// q, k [B, H, T, m], v [B, H, T, dv], mask f32 [B, T] or undefined -> y [B, H, T, dv],
// den [B, H, T] (q_t . z_t before eps, kept for backward). Outputs overwritten.
void causalLinearAttentionForward(const Tensor& q, const Tensor& k, const Tensor& v,
                                  const Tensor& mask, float eps, Denominator mode, Tensor& y,
                                  Tensor& den);
void causalLinearAttentionBackward(const Tensor& q, const Tensor& k, const Tensor& v,
                                   const Tensor& mask, float eps, Denominator mode,
                                   const Tensor& y, const Tensor& den, const Tensor& dy,
                                   Tensor& dq, Tensor& dk, Tensor& dv);

// Non-causal: q [B, H, Tq, m], k [B, H, Tk, m], v [B, H, Tk, dv], mask [B, Tk] or undefined
// -> y [B, H, Tq, dv], den [B, H, Tq].
void linearAttentionForward(const Tensor& q, const Tensor& k, const Tensor& v,
                            const Tensor& mask, float eps, Denominator mode, Tensor& y,
                            Tensor& den);
void linearAttentionBackward(const Tensor& q, const Tensor& k, const Tensor& v,
                             const Tensor& mask, float eps, Denominator mode, const Tensor& y,
                             const Tensor& den, const Tensor& dy, Tensor& dq, Tensor& dk,
                             Tensor& dv);

// One recurrent step: S [N, H, m, dv] += k v^T, z [N, H, m] += k, then
// out [N, H, dv] = S^T q / den(q . z). q, k [N, H, m], v [N, H, dv].
void linearAttentionStep(Tensor& S, Tensor& z, const Tensor& q, const Tensor& k,
                         const Tensor& v, float eps, Denominator mode, Tensor& out);

}  // namespace lt::kernels
