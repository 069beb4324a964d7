// Layers against plain-loop references written here from the definitions (fairseq
// semantics): positions, initialisers, multi-head attention with masks, the conv branch
// (light and dynamic, encoder padding and causal), channel split/concat of the token mixer,
// and the incremental step paths.
#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "autodiff/param_store.h"
#include "kernels/backend.h"
#include "layers/attention.h"
#include "layers/conv_branch.h"
#include "layers/linear.h"
#include "layers/token_mixer.h"
#include "support/gradcheck.h"

using namespace lt;
using namespace lt::layers;

namespace {

using Vec = std::vector<float>;

Tensor rnd(const Shape& s, uint64_t seed, float scale = 1.f) {
  Rng r(seed);
  return test::randomTensor(s, r, -scale, scale);
}

// y[t, o] = sum_i x[t, i] W[o, i] + b[o]   (x [n, in])
Vec refLinear(const Vec& x, int n, const Tensor& W, const Tensor* b) {
  int out = int(W.dim(0)), in = int(W.dim(1));
  Vec y(size_t(n) * out);
  const float* w = W.data<float>();
  for (int t = 0; t < n; ++t)
    for (int o = 0; o < out; ++o) {
      double s = b ? b->data<float>()[o] : 0.0;
      for (int i = 0; i < in; ++i) s += double(x[size_t(t) * in + i]) * w[o * in + i];
      y[size_t(t) * out + o] = float(s);
    }
  return y;
}

Vec rowsOf(const Tensor& x, int b) {  // batch row b of [B, T, C]
  int64_t n = x.dim(1) * x.dim(2);
  return Vec(x.data<float>() + b * n, x.data<float>() + (b + 1) * n);
}

float maxDiff(const Vec& a, const float* b) {
  float m = 0;
  for (size_t i = 0; i < a.size(); ++i) m = std::max(m, std::fabs(a[i] - b[i]));
  return m;
}

// Reference multi-head attention for one batch row. keyValid[j] false = masked key.
Vec refAttention(const ParamStore& ps, const std::string& sc, const Vec& q, int Tq, const Vec& kv,
                 int Tk, int E, int H, const std::vector<bool>& keyValid, bool causal) {
  auto W = [&](const char* n) { return ps.get(sc + "/" + n + "/weight").value(); };
  auto B = [&](const char* n) { return ps.get(sc + "/" + n + "/bias").value(); };
  Tensor bq = B("q"), bk = B("k"), bv = B("v"), bo = B("out");
  Vec Q = refLinear(q, Tq, W("q"), &bq), K = refLinear(kv, Tk, W("k"), &bk),
      V = refLinear(kv, Tk, W("v"), &bv);
  int dh = E / H;
  Vec ctx(size_t(Tq) * E);
  for (int h = 0; h < H; ++h)
    for (int i = 0; i < Tq; ++i) {
      std::vector<double> s(static_cast<size_t>(Tk));
      double mx = -1e300;
      for (int j = 0; j < Tk; ++j) {
        double a = 0;
        for (int c = 0; c < dh; ++c) a += double(Q[size_t(i) * E + h * dh + c]) * K[size_t(j) * E + h * dh + c];
        a /= std::sqrt(double(dh));
        if (!keyValid[size_t(j)] || (causal && j > i)) a = -1e30;
        s[size_t(j)] = a;
        mx = std::max(mx, a);
      }
      double z = 0;
      for (auto& v : s) z += (v = std::exp(v - mx));
      for (int c = 0; c < dh; ++c) {
        double o = 0;
        for (int j = 0; j < Tk; ++j) o += s[size_t(j)] / z * V[size_t(j) * E + h * dh + c];
        ctx[size_t(i) * E + h * dh + c] = float(o);
      }
    }
  return refLinear(ctx, Tq, W("out"), &bo);
}

}  // namespace

TEST_CASE("layers: sinusoidal positions (fairseq layout: sin half, then cos half)") {
  Tensor p = sinusoidalPositions(20, 8);
  const float* v = p.data<float>();
  for (int i = 0; i < 4; ++i) {
    CHECK(v[i] == 0.f);
    CHECK(v[4 + i] == 1.f);
  }
  Vec pos3 = {0.14112f, 0.1387981f, 0.0064633f, 0.0003f, -0.9899925f, 0.9903207f, 0.9999791f, 1.f};
  Vec pos17 = {-0.9613975f, 0.7096985f, 0.0366172f, 0.0017f,
               -0.2751633f, 0.7045056f, 0.9993294f, 0.9999986f};
  CHECK(maxDiff(pos3, v + 3 * 8) < 1e-5f);
  CHECK(maxDiff(pos17, v + 17 * 8) < 1e-5f);
}

TEST_CASE("layers: initialisers (Xavier, ratio Xavier, embedding with zero pad row)") {
  ParamStore ps;
  Rng rng(3);
  ParamBuilder pb(ps, rng);
  Linear l(pb, Scope("l"), 60, 40);
  float bound = std::sqrt(6.f / 100.f);
  const Tensor& w = l.weight().value();
  float mx = 0;
  double ss = 0;
  for (int64_t i = 0; i < w.elements(); ++i) {
    mx = std::max(mx, std::fabs(w.data<float>()[i]));
    ss += double(w.data<float>()[i]) * w.data<float>()[i];
  }
  CHECK(mx <= bound);
  CHECK(mx > 0.95f * bound);
  CHECK(std::sqrt(ss / double(w.elements())) == doctest::Approx(bound / std::sqrt(3.f)).epsilon(0.05));
  for (float b : l.bias().value().toVector()) CHECK(b == 0.f);
  Linear r(pb, Scope("r"), 50, 50, true, ratioXavier(50));
  mx = 0;
  for (float x : r.weight().value().toVector()) mx = std::max(mx, std::fabs(x));
  CHECK(mx <= std::sqrt(2.f / 50.f));
  CHECK(mx > 0.95f * std::sqrt(2.f / 50.f));

  Embedding e(pb, Scope("emb"), 300, 64, 0);
  const float* t = e.table().value().data<float>();
  for (int c = 0; c < 64; ++c) CHECK(t[c] == 0.f);
  ss = 0;
  for (int64_t i = 64; i < 300 * 64; ++i) ss += double(t[i]) * t[i];
  CHECK(std::sqrt(ss / (299.0 * 64)) == doctest::Approx(1.0 / 8.0).epsilon(0.05));
  CHECK(ps.has("emb/table"));
  CHECK(ps.has("l/weight"));
  CHECK(ps.has("l/bias"));
}

TEST_CASE("layers: multi-head attention with key padding and causal masks vs reference") {
  ParamStore ps;
  Rng rng(11);
  ParamBuilder pb(ps, rng);
  const int E = 12, H = 3, B = 2, T = 5, S = 4;
  MultiHeadAttention mha(pb, Scope("att"), E, H, 0.f);
  Tensor x = rnd(Shape{B, T, E}, 1), mem = rnd(Shape{B, S, E}, 2);
  // Cross attention: batch row 1 has 2 padded keys.
  Tensor km = Tensor::fromVector(Shape{B, 1, 1, S}, Vec{0, 0, 0, 0, 0, 0, kMaskValue, kMaskValue});
  RunCtx ctx;
  Tensor y;
  {
    NoGradScope ng;
    y = mha.forward(Var(x), Var(mem), km, ctx).value();
  }
  for (int b = 0; b < B; ++b) {
    std::vector<bool> valid = {true, true, b == 0, b == 0};
    Vec ref = refAttention(ps, "att", rowsOf(x, b), T, rowsOf(mem, b), S, E, H, valid, false);
    CHECK(maxDiff(ref, y.data<float>() + b * T * E) < 1e-5f);
  }
  // Causal self attention, and the incremental path over a KV cache.
  Tensor causal = Tensor::zeros(Shape{1, 1, T, T});
  for (int i = 0; i < T; ++i)
    for (int j = i + 1; j < T; ++j) causal.data<float>()[i * T + j] = kMaskValue;
  NoGradScope ng;
  Tensor ys = mha.forward(Var(x), Var(x), causal, ctx).value();
  KvCache cache = mha.allocCache(B, T);
  std::vector<float> scratch(size_t(B * H * T));
  for (int b = 0; b < B; ++b) {
    Vec ref = refAttention(ps, "att", rowsOf(x, b), T, rowsOf(x, b), T, E, H,
                           std::vector<bool>(T, true), true);
    CHECK(maxDiff(ref, ys.data<float>() + b * T * E) < 1e-5f);
  }
  for (int t = 0; t < T; ++t) {
    Tensor xt = Tensor::empty(Shape{B, 1, E});
    for (int b = 0; b < B; ++b)
      std::copy_n(x.data<float>() + (b * T + t) * E, E, xt.data<float>() + b * E);
    Tensor o = mha.stepSelf(Var(xt), cache, t, scratch.data()).value();
    for (int b = 0; b < B; ++b)
      CHECK(maxDiff(Vec(o.data<float>() + b * E, o.data<float>() + (b + 1) * E),
                    ys.data<float>() + (b * T + t) * E) < 1e-5f);
  }
  // Cross attention through precomputed K/V and a row map (rows 0,1,2 -> sources 1,0,1).
  Tensor keyMask = km.reshape(Shape{B, S});
  CrossKv kv = mha.precompute(Var(mem), keyMask);
  std::vector<int32_t> rowOf = {1, 0, 1};
  Tensor q = Tensor::empty(Shape{3, 1, E});
  for (int n = 0; n < 3; ++n)
    std::copy_n(x.data<float>() + (rowOf[size_t(n)] * T + 2) * E, E, q.data<float>() + n * E);
  std::vector<float> sc(size_t(3 * H * CrossKv::paddedLength(S)));  // scratch per padded position
  Tensor oc = mha.stepCross(Var(q), kv, rowOf.data(), sc.data()).value();
  for (int n = 0; n < 3; ++n)
    CHECK(maxDiff(Vec(y.data<float>() + (rowOf[size_t(n)] * T + 2) * E,
                      y.data<float>() + (rowOf[size_t(n)] * T + 3) * E),
                  oc.data<float>() + n * E) < 1e-5f);
}

namespace {
// Reference conv branch for one batch row: linear1 (+GLU) -> zero pads -> conv -> linear2.
Vec refConv(const ParamStore& ps, const std::string& sc, const Vec& x, int T, int C, int H, int k,
            bool glu, bool dynamic, int padLeft, const std::vector<bool>& valid) {
  Tensor w1 = ps.get(sc + "/linear1/weight").value(), b1 = ps.get(sc + "/linear1/bias").value();
  Tensor w2 = ps.get(sc + "/linear2/weight").value(), b2 = ps.get(sc + "/linear2/bias").value();
  Vec h = refLinear(x, T, w1, &b1);
  if (glu) {
    Vec g(size_t(T) * C);
    for (int t = 0; t < T; ++t)
      for (int c = 0; c < C; ++c) {
        float a = h[size_t(t) * 2 * C + c], z = h[size_t(t) * 2 * C + C + c];
        g[size_t(t) * C + c] = a / (1.f + std::exp(-z));
      }
    h = g;
  }
  for (int t = 0; t < T; ++t)
    if (!valid[size_t(t)])
      for (int c = 0; c < C; ++c) h[size_t(t) * C + c] = 0.f;
  Vec ker;  // [T, H, k] raw
  if (dynamic) {
    ker = refLinear(h, T, ps.get(sc + "/kernel_gen/weight").value(), nullptr);
  } else {
    const float* w = ps.get(sc + "/weight").value().data<float>();
    for (int t = 0; t < T; ++t) ker.insert(ker.end(), w, w + H * k);
  }
  for (int t = 0; t < T; ++t)
    for (int hh = 0; hh < H; ++hh) {
      float* r = ker.data() + (size_t(t) * H + hh) * k;
      double mx = *std::max_element(r, r + k), z = 0;
      for (int j = 0; j < k; ++j) z += std::exp(r[j] - mx);
      for (int j = 0; j < k; ++j) r[j] = float(std::exp(r[j] - mx) / z);
    }
  Vec y(size_t(T) * C, 0.f);
  for (int t = 0; t < T; ++t)
    for (int c = 0; c < C; ++c) {
      int hh = c / (C / H);
      double s = 0;
      for (int j = 0; j < k; ++j) {
        int src = t + j - padLeft;
        if (src >= 0 && src < T) s += ker[(size_t(t) * H + hh) * k + j] * h[size_t(src) * C + c];
      }
      y[size_t(t) * C + c] = float(s);
    }
  return refLinear(y, T, w2, &b2);
}
}  // namespace

TEST_CASE("layers: conv branch (light/dynamic, GLU, encoder padding, causal + step) vs reference") {
  const int B = 2, T = 6, C = 8, H = 2;
  for (bool dynamic : {false, true})
    for (bool glu : {false, true})
      for (int k : {3, 4, 7}) {
        CAPTURE(dynamic);
        CAPTURE(glu);
        CAPTURE(k);
        ParamStore ps;
        Rng rng(uint64_t(k * 10 + glu + 2 * dynamic));
        ParamBuilder pb(ps, rng);
        auto kind = dynamic ? ConvBranch::Kind::Dynamic : ConvBranch::Kind::Light;
        ConvBranch enc(pb, Scope("enc"), kind, C, H, k, glu, false, 0.f);
        ConvBranch dec(pb, Scope("dec"), kind, C, H, k, glu, true, 0.f);
        Tensor x = rnd(Shape{B, T, C}, 5);
        // Row 1: last two steps are padding.
        Tensor keep = Tensor::fromVector(Shape{B, T, 1}, Vec{1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0});
        NoGradScope ng;
        RunCtx ctx;
        Tensor ye = enc.forward(Var(x), keep, ctx).value();
        Tensor yd = dec.forward(Var(x), Tensor(), ctx).value();
        int padEnc = k % 2 ? k / 2 : (k - 1) / 2;
        for (int b = 0; b < B; ++b) {
          std::vector<bool> valid = {true, true, true, true, b == 0, b == 0};
          Vec re = refConv(ps, "enc", rowsOf(x, b), T, C, H, k, glu, dynamic, padEnc, valid);
          Vec rd = refConv(ps, "dec", rowsOf(x, b), T, C, H, k, glu, dynamic, k - 1,
                           std::vector<bool>(T, true));
          int n = (b == 0 ? T : 4) * C;  // compare real positions
          CHECK(maxDiff(Vec(re.begin(), re.begin() + n), ye.data<float>() + b * T * C) < 1e-5f);
          CHECK(maxDiff(rd, yd.data<float>() + b * T * C) < 1e-5f);
        }
        ConvWindow w = dec.allocWindow(B);
        for (int t = 0; t < T; ++t) {
          Tensor xt = Tensor::empty(Shape{B, 1, C});
          for (int b = 0; b < B; ++b)
            std::copy_n(x.data<float>() + (b * T + t) * C, C, xt.data<float>() + b * C);
          Tensor o = dec.step(Var(xt), w).value();
          for (int b = 0; b < B; ++b)
            CHECK(maxDiff(Vec(o.data<float>() + b * C, o.data<float>() + (b + 1) * C),
                          yd.data<float>() + (b * T + t) * C) < 1e-5f);
        }
      }
}

TEST_CASE("layers: token mixer splits channels in order and concatenates") {
  ParamStore ps;
  Rng rng(21);
  ParamBuilder pb(ps, rng);
  BranchSpec a{BranchSpec::Kind::Attention, 8, 2, 1, false};
  BranchSpec c{BranchSpec::Kind::LightConv, 4, 2, 3, false};
  TokenMixer mix(pb, Scope("mix"), {a, c}, false, 0.f, 0.f);
  const int B = 1, T = 4;
  Tensor x = rnd(Shape{B, T, 12}, 8);
  NoGradScope ng;
  RunCtx ctx;
  Tensor y = mix.forward(Var(x), Tensor(), Tensor(), ctx).value();
  Vec xa, xc;
  for (int t = 0; t < T; ++t) {
    const float* r = x.data<float>() + t * 12;
    xa.insert(xa.end(), r, r + 8);
    xc.insert(xc.end(), r + 8, r + 12);
  }
  Vec ra = refAttention(ps, "mix/b0", xa, T, xa, T, 8, 2, std::vector<bool>(T, true), false);
  Vec rc = refConv(ps, "mix/b1", xc, T, 4, 2, 3, false, false, 1, std::vector<bool>(T, true));
  for (int t = 0; t < T; ++t) {
    CHECK(maxDiff(Vec(ra.begin() + t * 8, ra.begin() + t * 8 + 8), y.data<float>() + t * 12) < 1e-5f);
    CHECK(maxDiff(Vec(rc.begin() + t * 4, rc.begin() + t * 4 + 4), y.data<float>() + t * 12 + 8) < 1e-5f);
  }
}

TEST_CASE("layers: Linear packs its weight on freeze and reads the copy only without gradients") {
  ParamStore ps;
  Rng rng(41);
  ParamBuilder pb(ps, rng);
  Linear lin(pb, Scope("proj"), 6, 64);  // out = 64: the padded row stride
  Linear tied = Linear::tied(pb, lin.weight());
  CHECK_FALSE(lin.packed());
  Tensor x = rnd({2, 3, 6}, 42);
  Tensor before;
  {
    NoGradScope ng;
    before = lin(Var(x), ops::Activation::Relu).value().clone();
  }
  ps.freezeForInference();
  ps.freezeForInference();  // idempotent
  CHECK(ps.frozen());
  CHECK(lin.packed());
  CHECK(tied.packed());
  // Change W in place after freezing: inference keeps the packed (frozen) values, a graph
  // that records gradients reads the live weight.
  float* w = lin.weight().value().data<float>();
  for (int64_t i = 0; i < lin.weight().value().elements(); ++i) w[i] *= -2.f;
  {
    NoGradScope ng;
    Var y = lin(Var(x), ops::Activation::Relu);
    CHECK(test::maxAbsDiff(y.value(), before) < 1e-6f);
  }
  Var live = lin(Var(x), ops::Activation::Relu);
  Vec want = refLinear(Vec(x.data<float>(), x.data<float>() + x.elements()), 6, lin.weight().value(),
                       &lin.bias().value());
  for (float& v : want) v = std::max(v, 0.f);
  CHECK(maxDiff(want, live.value().data<float>()) < 1e-5f);
}

TEST_CASE("layers: cross-attention steps over the padded, transposed source layout") {
  // S = 37 spans three 16-position blocks; dh = 40, 20 and 64 take the specialised (grouped
  // on AVX-512) loops, dh = 4 the
  // generic one. Batch row 1 masks its last 9 positions.
  for (auto [E, H] : {std::pair{80, 2}, std::pair{40, 2}, std::pair{128, 2}, std::pair{12, 3}}) {
    CAPTURE(E);
    ParamStore ps;
    Rng rng(19);
    ParamBuilder pb(ps, rng);
    const int B = 2, S = 37;
    MultiHeadAttention mha(pb, Scope("att"), E, H, 0.f);
    Tensor mem = rnd(Shape{B, S, E}, 4, 2.f);
    Tensor km = Tensor::zeros(Shape{B, 1, 1, S});
    for (int j = S - 9; j < S; ++j) km.data<float>()[S + j] = kMaskValue;
    RunCtx ctx;
    NoGradScope ng;
    CrossKv kv = mha.precompute(Var(mem), km.reshape(Shape{B, S}));
    CHECK(kv.paddedLength() == 48);
    CHECK(kv.sourceLength == S);
    // Row 0 reads all 48 positions, row 1 (28 real keys) only its first two blocks.
    CHECK(kv.span.data<int32_t>()[0] == 48);
    CHECK(kv.span.data<int32_t>()[1] == 32);
    // Rows 0..3 read sources 1, 1, 0, 1 (beam rows of two sentences), each with its own
    // query: rows 0 and 1 share a source block (one group in the AVX-512 kernel) but not a
    // query. Oracle: the full forward over the sources replicated per row.
    std::vector<int32_t> rowOf = {1, 1, 0, 1};
    Tensor x = rnd(Shape{4, 1, E}, 7);
    Tensor memRep = Tensor::empty(Shape{4, S, E}), kmRep = Tensor::empty(Shape{4, 1, 1, S});
    for (int n = 0; n < 4; ++n) {
      std::copy_n(mem.data<float>() + rowOf[size_t(n)] * S * E, S * E, memRep.data<float>() + n * S * E);
      std::copy_n(km.data<float>() + rowOf[size_t(n)] * S, S, kmRep.data<float>() + n * S);
    }
    Tensor fullRep = mha.forward(Var(x), Var(memRep), kmRep, ctx).value();
    std::vector<float> sc(size_t(4 * H * kv.paddedLength()));
    kernels::MacCounter macs;
    Tensor o;
    {
      kernels::MacCounterScope count(macs);
      o = mha.stepCross(Var(x), kv, rowOf.data(), sc.data()).value();
    }
    for (int n = 0; n < 4; ++n)
      CHECK(maxDiff(Vec(fullRep.data<float>() + n * E, fullRep.data<float>() + (n + 1) * E),
                    o.data<float>() + n * E) < 1e-5f);
    // q and out projections plus 2·N·H·S·dh for the real (unpadded) positions.
    CHECK(macs.macs == 2 * 4 * E * E + 2 * 4 * S * E);
  }
}
