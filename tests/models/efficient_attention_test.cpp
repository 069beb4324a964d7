// Efficient attention variants (issue 6): incremental decoding (recurrent (S, z) state,
// capped local caches) equals the parallel teacher-forced forward, with batch > 1, source
// padding and beam reorders; causal variants never look ahead; config errors; Performer
// approximates softmax attention better as m grows.
#include <doctest/doctest.h>

#include <cmath>
#include <string>
#include <vector>

#include "autodiff/param_store.h"
#include "layers/attention.h"
#include "layers/feature_attention.h"
#include "models/cost.h"
#include "models/encoder_decoder.h"
#include "decode_util.h"
#include "support/gradcheck.h"

using namespace lt;
using namespace lt::models;

namespace {

constexpr int kSrcV = 23, kTgtV = 19;

ModelConfig config(const std::string& enc, const std::string& dec, const std::string& cross,
                   bool preNorm = false) {
  std::string y = "model-dim: 16\nffn-dim: 24\nencoder-layers: 2\ndecoder-layers: 2\n"
                  "cross-heads: 2\nmax-positions: 64\ndropout: 0.3\nattention-dropout: 0.2\n";
  y += "encoder-block: {branches: [" + enc + "]}\n";
  y += "decoder-block: {branches: [" + dec + "]}\n";
  if (!cross.empty()) y += "cross-attention: " + cross + "\n";
  y += std::string("pre-norm: ") + (preNorm ? "true" : "false") + "\n";
  ModelConfig c = parseModelConfig(y, "tiny");
  c.srcVocab = kSrcV;
  c.tgtVocab = kTgtV;
  return c;
}

using test::column;
using test::ids;
using test::stepDiff;

void checkDecoding(const ModelConfig& cfg) {
  ParamStore ps;
  Rng rng(1234);
  EncoderDecoder model(cfg, ps, rng);
  Tensor src = ids({{5, 6, 7, 8, 9, 10, 3}, {11, 12, 13, 3}, {14, 3}}, 7);
  Tensor tgt = ids({{2, 4, 5, 6, 7, 8, 9, 4}, {2, 9, 10, 11, 12, 13, 5, 6},
                    {2, 14, 15, 16, 17, 18, 7, 8}}, 8);
  const int T = 8;
  Tensor full;
  {
    NoGradScope ng;
    full = model.forward(src, tgt).value();
  }
  EncoderOutput e = model.encode(src);
  // 1. Plain stepping.
  DecoderState st = model.startState(e, T);
  std::vector<int> rows = {0, 1, 2};
  for (int t = 0; t < T; ++t) {
    Tensor lg = model.step(st, column(tgt, rows, t));
    CHECK_MESSAGE(stepDiff(lg, full, rows, t) < 2e-4f, "step " << t);
  }
  // 2. Beam of 2, reorder with duplicates after 3 steps, shrink after 5.
  DecoderState s3 = model.startState(e, T, 2);
  std::vector<int> sent = {0, 0, 1, 1, 2, 2};
  for (int t = 0; t < 3; ++t) {
    Tensor lg = model.step(s3, column(tgt, sent, t));
    CHECK_MESSAGE(stepDiff(lg, full, sent, t) < 2e-4f, "beam step " << t);
  }
  std::vector<int32_t> idx = {5, 1, 1, 2, 4, 0};
  model.reorder(s3, Tensor::fromVector(Shape{6}, idx));
  std::vector<int> sent2;
  for (int32_t i : idx) sent2.push_back(sent[size_t(i)]);
  for (int t = 3; t < 5; ++t) {
    Tensor lg = model.step(s3, column(tgt, sent2, t));
    CHECK_MESSAGE(stepDiff(lg, full, sent2, t) < 2e-4f, "after beam reorder, step " << t);
  }
  model.reorder(s3, Tensor::fromVector(Shape{2}, std::vector<int32_t>{3, 0}));
  std::vector<int> sent3 = {sent2[3], sent2[0]};
  for (int t = 5; t < T; ++t) {
    Tensor lg = model.step(s3, column(tgt, sent3, t));
    CHECK_MESSAGE(stepDiff(lg, full, sent3, t) < 2e-4f, "after shrink, step " << t);
  }
}

const char* kT2R = "{type: t2r, heads: 2, features: 6}";
const char* kLinear = "{type: linear, heads: 2}";
const char* kPerformer = "{type: performer, heads: 2, features: 16, seed: 3}";
const char* kRfa = "{type: rfa, heads: 2, features: 8, seed: 5}";
const char* kLocal = "{type: local, heads: 2, window: 3, global: 1}";
const char* kSoftmax = "{type: attention, heads: 2}";

}  // namespace

TEST_CASE("efficient: decoder self-attention variants, step == parallel forward") {
  for (const char* dec : {kLinear, kT2R, kPerformer, kRfa, kLocal, "{type: local, heads: 2, window: 2, global: 0}"}) {
    CAPTURE(dec);
    checkDecoding(config(kSoftmax, dec, ""));
  }
  // Pre-LN, and a split block: t2r half + causal lightconv half.
  checkDecoding(config(kSoftmax, kT2R, "", true));
  checkDecoding(config(kSoftmax,
                       "{type: t2r, dim: 8, heads: 2, features: 4}, "
                       "{type: lightconv, dim: 8, heads: 2, kernels: [3]}",
                       ""));
}

TEST_CASE("efficient: cross-attention variants, step == parallel forward") {
  for (const char* cross : {"linear", "{type: t2r, features: 5}", "{type: performer, features: 12}",
                            "{type: rfa, features: 6}"}) {
    CAPTURE(cross);
    checkDecoding(config(kSoftmax, kSoftmax, cross));
    checkDecoding(config(kSoftmax, kT2R, cross));
  }
}

TEST_CASE("efficient: encoder-only variants in the encoder, decoding still matches") {
  for (const char* enc :
       {"{type: linformer, heads: 2, k: 5, max-length: 9}", "{type: fastformer, heads: 2}",
        "{type: bigbird, heads: 2, block: 2, window: 3, random: 1, global: 1}", kLocal, kT2R,
        kPerformer, kRfa, "{type: local, heads: 2, window: 5}"}) {
    CAPTURE(enc);
    checkDecoding(config(enc, kT2R, "t2r"));
  }
}

TEST_CASE("efficient: encoder outputs at real tokens do not depend on padding") {
  for (const char* enc :
       {"{type: linformer, heads: 2, k: 5, max-length: 12}", "{type: fastformer, heads: 2}",
        "{type: bigbird, heads: 2, block: 2, window: 3, random: 1, global: 1}", kLocal, kT2R,
        kLinear, kPerformer, kRfa, "{type: local, heads: 2, window: 4}"}) {
    CAPTURE(enc);
    ParamStore ps;
    Rng rng(5);
    EncoderDecoder model(config(enc, kSoftmax, ""), ps, rng);
    EncoderOutput a = model.encode(ids({{11, 12, 13, 3}}, 4));
    EncoderOutput b = model.encode(ids({{11, 12, 13, 3}}, 9));
    float m = 0;
    for (int i = 0; i < 4 * 16; ++i)
      m = std::max(m, std::fabs(a.out.data<float>()[i] - b.out.data<float>()[i]));
    // BigBird's random blocks depend on the padded length: only compare the others exactly.
    if (std::string(enc).find("bigbird") == std::string::npos) CHECK(m < 1e-5f);
  }
}

TEST_CASE("efficient: causal variants never look ahead") {
  for (const char* dec : {kLinear, kT2R, kPerformer, kRfa, kLocal}) {
    CAPTURE(dec);
    ParamStore ps;
    Rng rng(8);
    EncoderDecoder model(config(kSoftmax, dec, "t2r"), ps, rng);
    Tensor src = ids({{5, 6, 7, 3}}, 4);
    Tensor a = ids({{2, 4, 5, 6, 7, 8}}, 6);
    Tensor b = ids({{2, 4, 5, 16, 17, 18}}, 6);  // future tokens from position 3 changed
    NoGradScope ng;
    Tensor la = model.forward(src, a).value(), lb = model.forward(src, b).value();
    const int64_t V = kTgtV;
    float early = 0, late = 0;
    for (int t = 0; t < 6; ++t)
      for (int64_t v = 0; v < V; ++v) {
        float d = std::fabs(la.data<float>()[t * V + v] - lb.data<float>()[t * V + v]);
        (t < 3 ? early : late) = std::max(t < 3 ? early : late, d);
      }
    CHECK(early == 0.f);
    CHECK(late > 1e-4f);  // the change is visible where it may be
  }
}

TEST_CASE("efficient: config keys, defaults, round trip and errors") {
  ModelConfig c = resolveModelConfig(config(kLinear, "{type: t2r}, {type: performer}", "t2r"));
  CHECK(c.decoderBlock.branches[0].features == 32);
  CHECK(c.decoderBlock.branches[0].eps == doctest::Approx(1e-2));
  CHECK(c.decoderBlock.branches[1].features == 64);
  CHECK(c.decoderBlock.branches[1].redraw == 1000);
  CHECK(c.encoderBlock.branches[0].eps == doctest::Approx(1e-6));
  CHECK(c.crossAttention.type == "t2r");
  CHECK(c.crossAttention.features == 32);
  ModelConfig back = resolveModelConfig(parseModelConfig(toYaml(c), "round"));
  CHECK(back == c);
  ModelConfig e2 = resolveModelConfig(
      config("{type: bigbird, block: 2}, {type: linformer, k: 8, max-length: 40}", kLocal, ""));
  CHECK(resolveModelConfig(parseModelConfig(toYaml(e2), "round")) == e2);

  for (const char* bad : {"{type: linformer}", "{type: bigbird}", "{type: fastformer}"}) {
    CAPTURE(bad);
    try {
      resolveModelConfig(config(kSoftmax, bad, ""));
      FAIL("accepted an encoder-only variant in the decoder");
    } catch (const ConfigError& e) {
      std::string m = e.what();
      CHECK(m.find("encoder-only") != std::string::npos);
      CHECK(m.find("decoder-block") != std::string::npos);
      CHECK(m.find("allowed in the decoder: attention, lightconv, dynamicconv, linear, t2r, "
                   "performer, rfa, local") != std::string::npos);
    }
  }
  CHECK_THROWS_AS(config(kSoftmax, kSoftmax, "local"), ConfigError);
  CHECK_THROWS_WITH_AS(config(kSoftmax, "{type: t2r, window: 3, bogus: 1}", ""),
                       doctest::Contains("unknown key 'bogus'"), ConfigError);
  CHECK_THROWS_AS(resolveModelConfig(config(kSoftmax, "{type: t2r, eps: -1}", "")), ConfigError);
}

TEST_CASE("efficient: Performer approximates softmax attention, error falls with m") {
  // The same Q/K/V/out weights in a softmax and a Performer attention; mean |difference| of
  // the outputs over several feature seeds.
  const int E = 16, H = 2, B = 2, T = 6;
  Rng data(3);
  Tensor x = Tensor::empty(Shape{B, T, E});
  for (int64_t i = 0; i < x.elements(); ++i) x.data<float>()[i] = data.normal(0.f, 0.6f);
  ParamStore ref;
  Rng r0(11);
  layers::ParamBuilder pb0(ref, r0);
  layers::MultiHeadAttention soft(pb0, Scope("a"), E, H, 0.f);
  layers::RunCtx ctx;
  NoGradScope ng;
  Tensor want = soft.forward(Var(x), Var(x), Tensor(), ctx).value();
  std::vector<double> err;
  for (int m : {16, 64, 256}) {
    double sum = 0;
    for (uint64_t seed = 1; seed <= 4; ++seed) {
      ParamStore ps;
      Rng r1(11);
      layers::ParamBuilder pb1(ps, r1);
      layers::FeatureSpec spec;
      spec.map = layers::FeatureMap::Performer;
      spec.features = m;
      spec.seed = seed;
      layers::FeatureAttention perf(pb1, Scope("a"), E, H, spec);
      for (const char* n : {"a/q/weight", "a/k/weight", "a/v/weight", "a/out/weight"})
        REQUIRE(test::maxAbsDiff(ps.get(n).value(), ref.get(n).value()) == 0.f);
      Tensor got = perf.forward(Var(x), Var(x), false, Tensor(), ctx).value();
      double e = 0;
      for (int64_t i = 0; i < got.elements(); ++i)
        e += std::fabs(got.data<float>()[i] - want.data<float>()[i]);
      sum += e / double(got.elements());
    }
    err.push_back(sum / 4);
    MESSAGE("performer m=" << m << ": mean |error| " << err.back());
  }
  CHECK(err[1] < err[0]);
  CHECK(err[2] < err[1]);
  CHECK(err[2] < 0.5 * err[0]);
}

TEST_CASE("efficient: Performer redraw is deterministic in (seed, update / redraw)") {
  ModelConfig c = config(kSoftmax, "{type: performer, heads: 2, features: 8, redraw: 10}", "");
  ParamStore a, b;
  Rng ra(1), rb(2);
  EncoderDecoder ma(c, a, ra), mb(c, b, rb);
  const char* n = "decoder/l1/mix/b0/features";
  Tensor f0 = a.get(n).value().clone();
  CHECK(test::maxAbsDiff(f0, b.get(n).value()) == 0.f);  // not from the init Rng
  ma.setTrainingUpdate(9);
  CHECK(test::maxAbsDiff(f0, a.get(n).value()) == 0.f);  // same period
  ma.setTrainingUpdate(10);
  Tensor f1 = a.get(n).value().clone();
  CHECK(test::maxAbsDiff(f0, f1) > 1e-3f);
  mb.setTrainingUpdate(17);  // a "resumed" model jumps straight to update 17
  CHECK(test::maxAbsDiff(f1, b.get(n).value()) == 0.f);
  CHECK(test::maxAbsDiff(a.get(n).value(), a.get("decoder/l0/mix/b0/features").value()) > 1e-3f);
}

TEST_CASE("efficient: t2r decoder state does not grow with the decoded length") {
  ModelConfig soft = config(kSoftmax, kSoftmax, "");
  ModelConfig t2r = config(kSoftmax, kT2R, "t2r");
  CostReport s1 = countCost(soft, 8, 16), s2 = countCost(soft, 8, 64);
  CostReport t1 = countCost(t2r, 8, 16), t2 = countCost(t2r, 8, 64);
  // Softmax per-step cost grows with the average length; T2R's is constant.
  CHECK(s2.decodeStepMacs > s1.decodeStepMacs + 100);
  CHECK(t2.decodeStepMacs == doctest::Approx(t1.decodeStepMacs));
  CHECK(t1.multAdds > 0);
}

TEST_CASE("efficient: position dropout of the non-causal feature forms (T2R cross-attention)") {
  // The mask: rate p of positions dropped, padding stays dropped, a function of (seed, stream).
  const int64_t B = 8, T = 500;
  Tensor keep = Tensor::full(Shape{B, T}, 1.f);
  for (int64_t t = 450; t < T; ++t) keep.data<float>()[t] = 0.f;  // row 0: 50 padded
  Tensor m = layers::dropPositions(keep, B, T, 0.3f, 7, 2);
  double kept = 0;
  for (int64_t i = 0; i < B * T; ++i) kept += m.data<float>()[i];
  CHECK(kept / double(B * T - 50) == doctest::Approx(0.7).epsilon(0.05));
  for (int64_t t = 450; t < T; ++t) CHECK(m.data<float>()[t] == 0.f);
  CHECK(test::maxAbsDiff(m, layers::dropPositions(keep, B, T, 0.3f, 7, 2)) == 0.f);
  CHECK(test::maxAbsDiff(m, layers::dropPositions(keep, B, T, 0.3f, 7, 3)) > 0.f);

  // A training forward equals the evaluation forward under that mask (stream 1 of a fresh
  // context), and differs from the undropped one.
  const int E = 8, H = 2, Tq = 3, Tk = 9;
  ParamStore ps;
  Rng rng(5);
  layers::ParamBuilder pb(ps, rng);
  layers::FeatureSpec spec;
  spec.map = layers::FeatureMap::T2R;
  spec.features = 6;
  spec.eps = 1e-2f;
  spec.positionDropout = 0.4f;
  layers::FeatureAttention att(pb, Scope("a"), E, H, spec);
  Rng d(9);
  Tensor q = test::randomTensor(Shape{2, Tq, E}, d), kv = test::randomTensor(Shape{2, Tk, E}, d);
  Tensor pad = Tensor::full(Shape{2, Tk}, 1.f);
  pad.data<float>()[Tk + Tk - 1] = 0.f;
  NoGradScope ng;
  layers::RunCtx train;
  train.train = true;
  train.seed = 42;
  Tensor got = att.forward(Var(q), Var(kv), false, pad, train).value();
  CHECK(train.stream == 2);
  layers::RunCtx eval;
  Tensor mask = layers::dropPositions(pad, 2, Tk, 0.4f, 42, 1);
  Tensor want = att.forward(Var(q), Var(kv), false, mask, eval).value();
  CHECK(test::maxAbsDiff(got, want) < 1e-6f);
  CHECK(test::maxAbsDiff(got, att.forward(Var(q), Var(kv), false, pad, eval).value()) > 1e-4f);
}
