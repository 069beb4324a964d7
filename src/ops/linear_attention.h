// Linear attention ops on feature-mapped queries/keys (T2R, ELU+1), see
// kernels/linear_attention.h for the math, the chunked prefix-sum form and the MAC count.
#pragma once
#include "autodiff/var.h"
#include "kernels/linear_attention.h"

namespace lt::ops {

// ELU+1 (Katharopoulos): q.z + eps; T2R: max(q.z, eps) (no gradient through the clamp).
using Denominator = kernels::Denominator;

// phiQ, phiK [B, H, T, m], v [B, H, T, dv] -> [B, H, T, dv];
// y_t = (S_t^T phiQ_t) / den(phiQ_t . z_t), S_t = sum_{s<=t} phiK_s v_s^T, z_t = sum phiK_s;
// keyMask f32 [B, T] (1 keep, 0 pad) multiplies phiK: masked keys contribute nothing.
// Parallel (chunked prefix-sum) form, gradients for phiQ, phiK and v. eps > 0.
Var causalLinearAttention(const Var& phiQ, const Var& phiK, const Var& v, float eps,
                          Denominator mode, const Tensor& keyMask = Tensor());

// Non-causal: phiQ [B, H, Tq, m], phiK [B, H, Tk, m], v [B, H, Tk, dv] -> [B, H, Tq, dv],
// sums over all unmasked keys; keyMask [B, Tk].
Var linearAttention(const Var& phiQ, const Var& phiK, const Var& v, float eps,
                    Denominator mode, const Tensor& keyMask = Tensor());

// Recurrent decoding state, fp32: S [N, H, m, dv], z [N, H, m]. Undefined tensors are
// created as zeros (on the heap) by the first step.
struct LinearAttentionState {
  Tensor S;
  Tensor z;
};

// One decoding step: S += phik v^T, z += phik, out [N, H, dv] = S^T phiq / den(phiq . z).
// phiq, phik [N, H, m], v [N, H, dv]. out is (re)allocated when undefined or of another
// shape. No gradient.
void linearAttentionStep(LinearAttentionState& st, const Tensor& phiq, const Tensor& phik,
                         const Tensor& v, float eps, Denominator mode, Tensor& out);

}  // namespace lt::ops
