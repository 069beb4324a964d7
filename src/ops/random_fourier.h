// RFA random Fourier features (kernels/random_fourier.h): y = m^(-1/2)[sin a, cos a],
// a = s_h · W_h · x/|x|, differentiable in x and in the learned inverse width s.
#pragma once
#include "autodiff/var.h"

namespace lt::ops {

// x [H, N, dh], w [H, m, dh] (a buffer: no gradient), s [H] -> [H, N, 2m].
Var randomFourierFeatures(const Var& x, const Tensor& w, const Var& s);

}  // namespace lt::ops
