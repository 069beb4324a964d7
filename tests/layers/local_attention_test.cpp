// Blockwise local attention equals dense softmax attention under the local mask (causal and
// not, with key padding, lengths that are and are not multiples of the block), and its
// counted MACs grow linearly in T.
#include <doctest/doctest.h>

#include <cmath>

#include "autodiff/param_store.h"
#include "kernels/backend.h"
#include "layers/attention.h"
#include "layers/encoder_attention.h"
#include "support/gradcheck.h"

using namespace lt;
using namespace lt::layers;

TEST_CASE("local attention: blockwise == dense masked, causal and bidirectional") {
  const int E = 8, H = 2;
  ParamStore ps;
  Rng rng(4);
  ParamBuilder pb(ps, rng);
  MultiHeadAttention att(pb, Scope("a"), E, H, 0.f);
  NoGradScope ng;
  for (bool causal : {false, true})
    for (int T : {1, 5, 8, 13})
      for (int w : {1, 2, 3, 8}) {
        CAPTURE(causal);
        CAPTURE(T);
        CAPTURE(w);
        const int B = 2;
        Tensor x = Tensor::empty(Shape{B, T, E});
        Rng d(uint64_t(T * 31 + w));
        for (int64_t i = 0; i < x.elements(); ++i) x.data<float>()[i] = d.normal();
        // Row 1 has its last two positions padded (encoder case only).
        Tensor keep = Tensor::full(Shape{B, T}, 1.f);
        Tensor pad = Tensor::zeros(Shape{B, 1, 1, T});
        if (!causal && T > 2)
          for (int j = T - 2; j < T; ++j) {
            keep.data<float>()[T + j] = 0.f;
            pad.data<float>()[T + j] = kMaskValue;
          }
        RunCtx ctx;
        Tensor dense = localMask(T, w, 0, causal);
        if (!causal) dense = combineMasks(dense, pad);
        Tensor want = att.forward(Var(x), Var(x), dense, ctx).value();
        Tensor got = att.forwardLocal(Var(x), causal ? Tensor() : keep, w, causal, ctx).value();
        REQUIRE(got.shape() == want.shape());
        float m = 0;
        for (int b = 0; b < B; ++b)
          for (int t = 0; t < T; ++t) {
            if (keep.data<float>()[b * T + t] == 0.f) continue;  // padded queries: don't care
            for (int e = 0; e < E; ++e) {
              int64_t i = (int64_t(b) * T + t) * E + e;
              m = std::max(m, std::fabs(got.data<float>()[i] - want.data<float>()[i]));
            }
          }
        CHECK(m < 1e-5f);
      }
}

TEST_CASE("local attention: blockwise MACs grow linearly with the length") {
  const int E = 8, H = 2;
  ParamStore ps;
  Rng rng(4);
  ParamBuilder pb(ps, rng);
  MultiHeadAttention att(pb, Scope("a"), E, H, 0.f);
  NoGradScope ng;
  auto macs = [&](int T) {
    Tensor x = Tensor::zeros(Shape{1, T, E});
    RunCtx ctx;
    kernels::MacCounter c;
    kernels::MacCounterScope s(c);
    att.forwardLocal(Var(x), Tensor(), 4, true, ctx);
    return c.macs;
  };
  int64_t a = macs(64), b = macs(256);
  CHECK(b == 4 * a);  // exact: 64 and 256 are multiples of the block
}
