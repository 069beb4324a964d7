// Random Fourier (sin/cos) features of RFA (Peng et al. 2021), per head h and row n:
//   u = x / max(|x|, 1e-6)            (queries and keys are l2-normalised)
//   a_i = s_h · (w_i · u)             (s_h = 1/sigma_h, learned; w_i random, [m] rows)
//   y = m^(-1/2) · [sin a_1 .. sin a_m, cos a_1 .. cos a_m]
// so that y(q)·y(k) = mean_i cos(s_h w_i·(u_q - u_k)) estimates exp(-s_h²|u_q - u_k|²/2),
// a softmax kernel exp(s_h² u_q·u_k) up to a constant factor.
#pragma once

#include "tensor/tensor.h"

namespace lt::kernels {

// x [H, N, dh], w [H, m, dh], s [H] -> y [H, N, 2m].
void randomFourierForward(const Tensor& x, const Tensor& w, const Tensor& s, Tensor& y);

// Gradients for x (written into dx [H, N, dh]) and s (added into ds [H]; may be undefined).
// w is not differentiated (a stored random buffer).
void randomFourierBackward(const Tensor& x, const Tensor& w, const Tensor& s, const Tensor& dy,
                           Tensor& dx, Tensor* ds);

}  // namespace lt::kernels
