// Block-sparse attention (local window with and without global tokens, BigBird) equals dense
// softmax attention under the same pattern's mask — values and gradients (w.r.t. the input and
// every projection), causal and not, with key padding, lengths that are and are not multiples
// of the block — and its counted MACs grow linearly in T.
#include <doctest/doctest.h>

#include <cmath>
#include <functional>

#include "autodiff/param_store.h"
#include "kernels/backend.h"
#include "layers/attention.h"
#include "layers/sparse_pattern.h"

using namespace lt;
using namespace lt::layers;

namespace {

struct Case {
  int T;
  bool causal;
  Tensor mask;          // [1, 1, T, T]
  BlockPattern pattern;
};

// Max |difference| of outputs over unpadded queries, and of all gradients (x and parameters),
// after back-propagating the same random cotangent through both forms.
void compare(const Case& c, uint64_t seed) {
  const int E = 8, H = 2, B = 2, T = c.T;
  ParamStore ps;
  Rng rng(4);
  ParamBuilder pb(ps, rng);
  MultiHeadAttention att(pb, Scope("a"), E, H, 0.f);
  Rng d(seed);
  Tensor x = Tensor::empty(Shape{B, T, E}), r = Tensor::empty(Shape{B, T, E});
  for (int64_t i = 0; i < x.elements(); ++i) x.data<float>()[i] = d.normal();
  for (int64_t i = 0; i < r.elements(); ++i) r.data<float>()[i] = d.normal();
  // Row 1 has its last two positions padded (encoder case only); their outputs and cotangents
  // are ignored.
  Tensor keep = Tensor::full(Shape{B, T}, 1.f);
  Tensor pad = Tensor::zeros(Shape{B, 1, 1, T});
  if (!c.causal && T > 2)
    for (int j = T - 2; j < T; ++j) {
      keep.data<float>()[T + j] = 0.f;
      pad.data<float>()[T + j] = kMaskValue;
      for (int e = 0; e < E; ++e) r.data<float>()[(int64_t(T) + j) * E + e] = 0.f;
    }
  // Queries without any visible key are not defined by either form: zero their cotangent.
  const float* mk = c.mask.data<float>();
  for (int b = 0; b < B; ++b)
    for (int i = 0; i < T; ++i) {
      bool any = false;
      for (int j = 0; j < T; ++j)
        any |= mk[int64_t(i) * T + j] == 0.f && keep.data<float>()[b * T + j] != 0.f;
      if (!any)
        for (int e = 0; e < E; ++e) r.data<float>()[(int64_t(b) * T + i) * E + e] = 0.f;
    }
  auto run = [&](bool sparse, Tensor& y, Tensor& gx, std::vector<Tensor>& gp) {
    RunCtx ctx;
    ps.zeroGrad();
    Var xv(x.clone(), true);
    Var out = sparse ? att.forwardBlockSparse(xv, c.causal ? Tensor() : keep, c.pattern, ctx)
                     : att.forward(xv, xv, c.causal ? c.mask : combineMasks(c.mask, pad), ctx);
    y = out.value().clone();
    backward(out, r);
    gx = xv.grad().clone();
    gp.clear();
    for (const auto& [name, p] : ps.all()) gp.push_back(p.grad().clone());
  };
  Tensor yd, ys, gxd, gxs;
  std::vector<Tensor> gpd, gps;
  run(false, yd, gxd, gpd);
  run(true, ys, gxs, gps);
  REQUIRE(ys.shape() == yd.shape());
  float m = 0;  // over queries whose output is defined (cotangent kept)
  for (int64_t i = 0; i < ys.elements(); ++i)
    if (r.data<float>()[i] != 0.f)
      m = std::max(m, std::fabs(ys.data<float>()[i] - yd.data<float>()[i]));
  CHECK(m < 1e-5f);
  float g = 0;
  for (int64_t i = 0; i < gxs.elements(); ++i)
    g = std::max(g, std::fabs(gxs.data<float>()[i] - gxd.data<float>()[i]));
  for (size_t k = 0; k < gps.size(); ++k)
    for (int64_t i = 0; i < gps[k].elements(); ++i)
      g = std::max(g, std::fabs(gps[k].data<float>()[i] - gpd[k].data<float>()[i]));
  CHECK(g < 1e-4f);
}

int64_t macsOf(const std::function<BlockPattern(int)>& pattern, int T) {
  ParamStore ps;
  Rng rng(4);
  ParamBuilder pb(ps, rng);
  MultiHeadAttention att(pb, Scope("a"), 8, 2, 0.f);
  NoGradScope ng;
  Tensor x = Tensor::zeros(Shape{1, T, 8});
  RunCtx ctx;
  kernels::MacCounter c;
  kernels::MacCounterScope s(c);
  att.forwardBlockSparse(Var(x), Tensor(), pattern(T), ctx);
  return c.macs;
}

}  // namespace

TEST_CASE("local attention: blockwise == dense masked (values, gradients), global tokens") {
  for (bool causal : {false, true})
    for (int T : {1, 5, 8, 13})
      for (int w : {1, 2, 3, 8})
        for (int g : {0, 1, 3}) {
          CAPTURE(causal);
          CAPTURE(T);
          CAPTURE(w);
          CAPTURE(g);
          compare({T, causal, localMask(T, w, g, causal), localPattern(T, w, g, causal)},
                  uint64_t(T * 31 + w * 7 + g));
        }
}

TEST_CASE("bigbird attention: blockwise == dense masked (values, gradients)") {
  for (int T : {3, 8, 13, 21})
    for (int block : {1, 2, 4})
      for (int global : {0, 1, 2})
        for (int random : {0, 2}) {
          CAPTURE(T);
          CAPTURE(block);
          CAPTURE(global);
          CAPTURE(random);
          const int window = 3;
          compare({T, false, bigbirdMask(T, block, window, random, global, 5, 77),
                   bigbirdPattern(T, block, window, random, global, 5, 77)},
                  uint64_t(T * 13 + block));
        }
}

TEST_CASE("bigbird pattern: hand-checked key blocks") {
  // 6 blocks of 2 tokens, window 3, 1 global block, no random: query block 3 sees blocks
  // 0 (global), 2, 3, 4; block 5 sees 0, 4, 5 (padded with -1); block 0 is a dense row pair.
  BlockPattern p = bigbirdPattern(12, 2, 3, 0, 1, 1, 2);
  CHECK(p.denseRows == 2);
  CHECK(p.firstBlock == 1);
  REQUIRE(p.keyBlocks == 4);
  std::vector<int32_t> want = {0, 1, 2, -1, 0, 1, 2, 3, 0, 2, 3, 4, 0, 3, 4, 5, 0, 4, 5, -1};
  CHECK(p.table == want);
  // Local, not causal, window 4 (blocks of 2), 1 global token.
  BlockPattern l = localPattern(7, 4, 1, false);
  CHECK(l.block == 2);
  CHECK(l.denseRows == 1);
  CHECK(l.firstBlock == 0);
  CHECK(l.visible(5, 0));   // global key
  CHECK(l.visible(5, 3));   // |5 - 3| <= 2
  CHECK(!l.visible(5, 2));
}

TEST_CASE("sparse attention: MACs grow linearly with the length") {
  auto local = [](int T) { return localPattern(T, 4, 0, true); };
  CHECK(macsOf(local, 256) == 4 * macsOf(local, 64));  // exact: multiples of the block
  // With global tokens / BigBird the dense global rows add O(g·T), also linear.
  auto localG = [](int T) { return localPattern(T, 8, 2, false); };
  auto bigbird = [](int T) { return bigbirdPattern(T, 4, 3, 2, 1, 1, 2); };
  for (auto f : {std::function<BlockPattern(int)>(localG), std::function<BlockPattern(int)>(bigbird)}) {
    int64_t a = macsOf(f, 512), b = macsOf(f, 2048);
    CHECK(double(b) / double(a) == doctest::Approx(4.0).epsilon(0.02));
  }
}
