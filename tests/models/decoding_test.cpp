// Incremental decoding == teacher forcing: startState + step reproduce the logits of the
// full forward pass for every decoder variant (post-LN and pre-LN), with batch > 1 and source
// padding, also after reorder (permutation, beam expansion with duplicates, shrinking).
#include <doctest/doctest.h>

#include <regex>
#include <string>
#include <vector>

#include "autodiff/param_store.h"
#include "models/encoder_decoder.h"
#include "decode_util.h"
#include "support/gradcheck.h"

using namespace lt;
using namespace lt::models;

namespace {

constexpr int kSrcV = 23, kTgtV = 19;

// dim/heads: the model width and the transformer block's heads (0: 16 and 4); cross-attention
// always has 2 heads, Lite's attention branch gets dim/2 channels in 2 heads.
ModelConfig tinyConfig(const std::string& encBlock, const std::string& decBlock, bool preNorm,
                       int dim = 16, int heads = 4) {
  std::string y = "model-dim: " + std::to_string(dim) +
                  "\nffn-dim: 24\nencoder-layers: 2\ndecoder-layers: 2\n"
                  "cross-heads: 2\nmax-positions: 64\ndropout: 0.3\nattention-dropout: 0.2\n"
                  "weight-dropout: 0.2\nactivation-dropout: 0.1\n";
  auto block = [heads](const std::string& name) -> std::string {
    if (name == "transformer") return "{preset: transformer, heads: " + std::to_string(heads) + "}";
    if (name == "lightconv" || name == "dynamicconv")
      return "{preset: " + name + ", heads: 4, kernels: [3, 8, 5]}";
    // Lite: attention 8 channels / 2 heads + conv 8 channels / 2 heads, kernels incl. even
    // and longer than the target.
    return "{preset: " + name + ", heads: 2, kernels: [4, 9]}";
  };
  y += "encoder-block: " + block(encBlock) + "\n";
  y += "decoder-block: " + block(decBlock) + "\n";
  y += std::string("pre-norm: ") + (preNorm ? "true" : "false") + "\n";
  ModelConfig c = parseModelConfig(y, "tiny");
  c.srcVocab = kSrcV;
  c.tgtVocab = kTgtV;
  return c;
}

using test::column;
using test::ids;
using test::stepDiff;

void checkVariant(const std::string& enc, const std::string& dec, bool preNorm, int dim = 16,
                  int heads = 4) {
  CAPTURE(enc);
  CAPTURE(dec);
  CAPTURE(preNorm);
  CAPTURE(dim);
  CAPTURE(heads);
  ParamStore ps;
  Rng rng(1234);
  EncoderDecoder model(tinyConfig(enc, dec, preNorm, dim, heads), ps, rng);
  // Batch of 3 with source padding (lengths 7, 4, 2), targets of 6 steps.
  Tensor src = ids({{5, 6, 7, 8, 9, 10, 3}, {11, 12, 13, 3}, {14, 3}}, 7);
  Tensor tgt = ids({{2, 4, 5, 6, 7, 8}, {2, 9, 10, 11, 12, 13}, {2, 14, 15, 16, 17, 18}}, 6);
  const int T = 6;
  Tensor full;
  {
    NoGradScope ng;
    full = model.forward(src, tgt).value();  // eval mode: no dropout
  }
  REQUIRE(full.shape() == Shape{3, T, kTgtV});

  // 1. Plain stepping.
  EncoderOutput e = model.encode(src);
  DecoderState st = model.startState(e, T);
  std::vector<int> rows = {0, 1, 2};
  for (int t = 0; t < T; ++t) {
    Tensor lg = model.step(st, column(tgt, rows, t));
    REQUIRE(lg.shape() == Shape{3, kTgtV});
    CHECK_MESSAGE(stepDiff(lg, full, rows, t) < 1e-4f, "step " << t);
  }

  // 2. Permutation after 3 steps == full forward of the permuted batch.
  std::vector<int> perm = {2, 0, 1};
  Tensor srcP = ids({{14, 3}, {5, 6, 7, 8, 9, 10, 3}, {11, 12, 13, 3}}, 7);
  Tensor tgtP = ids({{2, 14, 15, 16, 17, 18}, {2, 4, 5, 6, 7, 8}, {2, 9, 10, 11, 12, 13}}, 6);
  Tensor fullP;
  {
    NoGradScope ng;
    fullP = model.forward(srcP, tgtP).value();
  }
  DecoderState s2 = model.startState(e, T);
  for (int t = 0; t < 3; ++t) model.step(s2, column(tgt, rows, t));
  model.reorder(s2, Tensor::fromVector(Shape{3}, std::vector<int32_t>{2, 0, 1}));
  std::vector<int> id = {0, 1, 2};
  for (int t = 3; t < T; ++t) {
    Tensor lg = model.step(s2, column(tgtP, id, t));
    CHECK_MESSAGE(stepDiff(lg, fullP, id, t) < 1e-4f, "after permutation, step " << t);
  }

  // 3. Beam expansion (2 rows per sentence), reorder with duplicates across sentences, then
  //    shrink to fewer rows.
  DecoderState s3 = model.startState(e, T, 2);
  CHECK(s3.rows() == 6);
  std::vector<int> sent = {0, 0, 1, 1, 2, 2};
  for (int t = 0; t < 2; ++t) {
    Tensor lg = model.step(s3, column(tgt, sent, t));
    CHECK_MESSAGE(stepDiff(lg, full, sent, t) < 1e-4f, "beam step " << t);
  }
  std::vector<int32_t> idx = {5, 1, 1, 2, 4, 0};
  model.reorder(s3, Tensor::fromVector(Shape{6}, idx));
  std::vector<int> sent2;
  for (int32_t i : idx) sent2.push_back(sent[size_t(i)]);
  for (int t = 2; t < 4; ++t) {
    Tensor lg = model.step(s3, column(tgt, sent2, t));
    CHECK_MESSAGE(stepDiff(lg, full, sent2, t) < 1e-4f, "after beam reorder, step " << t);
  }
  model.reorder(s3, Tensor::fromVector(Shape{2}, std::vector<int32_t>{3, 0}));
  std::vector<int> sent3 = {sent2[3], sent2[0]};
  CHECK(s3.rows() == 2);
  for (int t = 4; t < T; ++t) {
    Tensor lg = model.step(s3, column(tgt, sent3, t));
    CHECK_MESSAGE(stepDiff(lg, full, sent3, t) < 1e-4f, "after shrink, step " << t);
  }
}

}  // namespace

TEST_CASE("decoding: step == teacher forcing, transformer") {
  checkVariant("transformer", "transformer", false);
  checkVariant("transformer", "transformer", true);
}
TEST_CASE("decoding: step == teacher forcing, lightconv") {
  checkVariant("lightconv", "lightconv", false);
  checkVariant("lightconv", "lightconv", true);
}
TEST_CASE("decoding: step == teacher forcing, dynamicconv") {
  checkVariant("dynamicconv", "dynamicconv", false);
  checkVariant("dynamicconv", "dynamicconv", true);
}
TEST_CASE("decoding: step == teacher forcing, lite (lightweight) and lite-dynamic") {
  checkVariant("lite", "lite", false);
  checkVariant("lite", "lite", true);
  checkVariant("lite-dynamic", "lite-dynamic", false);
  checkVariant("lite-dynamic", "lite-dynamic", true);
  checkVariant("transformer", "lite-dynamic", false);  // mixed sides
}

// The step kernels have unrolled (and on AVX-512 hand-vectorised) paths for head widths 20,
// 32, 40, 64 and 128 (layers/attention.cpp withHeadWidth); the tiny models above use the
// generic one. Self-attention widths: 40/2 = 20 (transformer), 80/2/2 = 20 (Lite's branch),
// 64/2, 128/2, 256/2; cross-attention (2 heads): 20, 40, 32, 64, 128.
TEST_CASE("decoding: step == teacher forcing at the unrolled head widths") {
  checkVariant("transformer", "transformer", false, 40, 2);
  checkVariant("lite", "lite", true, 80, 2);
  checkVariant("transformer", "transformer", true, 64, 2);
  checkVariant("transformer", "transformer", false, 128, 2);
  checkVariant("transformer", "transformer", false, 256, 2);
}

TEST_CASE("decoding: encoder output does not depend on padding (conv branches zero pads)") {
  for (const char* blk : {"lite", "dynamicconv", "transformer"}) {
    CAPTURE(blk);
    ParamStore ps;
    Rng rng(5);
    EncoderDecoder model(tinyConfig(blk, "transformer", false), ps, rng);
    EncoderOutput a = model.encode(ids({{11, 12, 13, 3}}, 4));
    EncoderOutput b = model.encode(ids({{11, 12, 13, 3}}, 9));
    float m = 0;
    for (int i = 0; i < 4 * 16; ++i)
      m = std::max(m, std::fabs(a.out.data<float>()[i] - b.out.data<float>()[i]));
    CHECK(m < 1e-5f);
  }
}

TEST_CASE("decoding: dropout is reproducible from the per-update seed and off in eval") {
  ParamStore ps;
  Rng rng(9);
  EncoderDecoder model(tinyConfig("lite-dynamic", "lite", false), ps, rng);
  Tensor src = ids({{5, 6, 7, 3}, {8, 3}}, 4);
  Tensor tgt = ids({{2, 4, 5}, {2, 6, 7}}, 3);
  NoGradScope ng;
  ForwardOptions tr;
  tr.train = true;
  tr.dropoutSeed = 77;
  Tensor a = model.forward(src, tgt, tr).value();
  Tensor b = model.forward(src, tgt, tr).value();
  tr.dropoutSeed = 78;
  Tensor c = model.forward(src, tgt, tr).value();
  Tensor ev = model.forward(src, tgt).value();
  Tensor ev2 = model.forward(src, tgt).value();
  CHECK(test::maxAbsDiff(a, b) == 0.f);
  CHECK(test::maxAbsDiff(a, c) > 1e-3f);
  CHECK(test::maxAbsDiff(a, ev) > 1e-3f);
  CHECK(test::maxAbsDiff(ev, ev2) == 0.f);
}

TEST_CASE("decoding: state survives per-step arena resets (encoder output in the arena)") {
  for (const char* blk : {"transformer", "lite-dynamic"}) {
    CAPTURE(blk);
    ParamStore ps;
    Rng rng(17);
    EncoderDecoder model(tinyConfig(blk, blk, false), ps, rng);
    Tensor src = ids({{5, 6, 7, 8, 3}, {9, 3}}, 5);
    Tensor tgt = ids({{2, 4, 5, 6}, {2, 7, 8, 9}}, 4);
    Tensor full;
    {
      NoGradScope ng;
      full = model.forward(src, tgt).value();
    }
    Arena arena(1 << 20);
    DecoderState st;
    {
      ArenaScope as(arena);
      EncoderOutput e = model.encode(src);
      st = model.startState(e, 4, 2);
    }
    arena.reset();  // encoder output gone
    std::vector<int> rows = {0, 0, 1, 1};
    for (int t = 0; t < 4; ++t) {
      ArenaScope as(arena);
      Tensor lg = model.step(st, column(tgt, rows, t));
      CHECK(stepDiff(lg, full, rows, t) < 1e-4f);
      model.reorder(st, Tensor::fromVector(Shape{4}, std::vector<int32_t>{1, 0, 3, 2}));
      arena.reset();
    }
  }
}

TEST_CASE("decoding: a model frozen for inference (packed linear weights) decodes the same") {
  for (std::string blk : {"transformer", "lite", "lite-dynamic", "dynamicconv"}) {
    CAPTURE(blk);
    ParamStore ps;
    Rng rng(23);
    EncoderDecoder model(tinyConfig(blk, blk, true), ps, rng);
    Tensor src = ids({{5, 6, 7, 8, 3}, {9, 10, 3}}, 5);
    Tensor tgt = ids({{2, 4, 5, 6, 7}, {2, 8, 9, 10, 11}}, 5);
    // Biases start at zero; give each its own values so a packed or fused copy that put a
    // bias in the wrong place would show.
    Rng brng(5);
    for (auto& [name, v] : ps.all())
      if (name.size() > 5 && name.compare(name.size() - 5, 5, "/bias") == 0) {
        float* p = v.value().data<float>();
        for (int64_t i = 0; i < v.value().elements(); ++i) p[i] = brng.uniform(-0.5f, 0.5f);
      }
    Tensor full;
    {
      NoGradScope ng;
      full = model.forward(src, tgt).value().clone();
    }
    ps.freezeForInference();
    // Every linear weight changes in place after freezing; decoding must not notice, so
    // every projection it runs reads its packed copy.
    int scaled = 0;
    for (auto& [name, v] : ps.all()) {
      // Linear weights end in "<layer>/weight"; a conv branch's own kernel ("mix/b1/weight")
      // is not a projection.
      static const std::regex linearWeight(".*/[a-z_]+[0-9]?/weight");
      if (v.rank() != 2 || !std::regex_match(name, linearWeight) ||
          std::regex_match(name, std::regex(".*/b[0-9]+/weight")))
        continue;
      float* p = v.value().data<float>();
      for (int64_t i = 0; i < v.value().elements(); ++i) p[i] = 0.5f - p[i];
      ++scaled;
    }
    CHECK(scaled >= 8);
    EncoderOutput e = model.encode(src);
    DecoderState st = model.startState(e, 5);
    std::vector<int> rows = {0, 1};
    for (int t = 0; t < 5; ++t) {
      Tensor lg = model.step(st, column(tgt, rows, t));
      CHECK_MESSAGE(stepDiff(lg, full, rows, t) < 1e-4f, "step " << t);
    }
    NoGradScope ng;
    CHECK(test::maxAbsDiff(model.forward(src, tgt).value(), full) < 1e-4f);
  }
}

TEST_CASE("decoding: an int8-frozen model steps like its own forward pass, near the fp32 one") {
  // Every linear (fused q|k|v, cross k/v, FFN, output projection) runs int8 after
  // freezeForInference(Int8). Rows are quantized one by one, so a step row and the same
  // position of the teacher-forced pass meet the same quantization; they differ only where
  // the attention kernels' fp32 rounding flips a quantization step.
  for (std::string blk : {"transformer", "lite", "dynamicconv"}) {
    CAPTURE(blk);
    ParamStore ps;
    Rng rng(29);
    EncoderDecoder model(tinyConfig(blk, blk, true), ps, rng);
    Tensor src = ids({{5, 6, 7, 8, 3}, {9, 10, 3}}, 5);
    Tensor tgt = ids({{2, 4, 5, 6, 7}, {2, 8, 9, 10, 11}}, 5);
    Tensor fp32, int8;
    {
      NoGradScope ng;
      fp32 = model.forward(src, tgt).value().clone();
    }
    ps.freezeForInference(InferencePrecision::Int8);
    CHECK(ps.precision() == InferencePrecision::Int8);
    {
      NoGradScope ng;
      int8 = model.forward(src, tgt).value().clone();
    }
    const float drift = test::maxAbsDiff(int8, fp32);
    CHECK(drift > 0.f);    // the int8 path ran
    CHECK(drift < 0.08f);  // and stays near fp32 (measured 0.03-0.04 on these logits)
    EncoderOutput e = model.encode(src);
    DecoderState st = model.startState(e, 5);
    std::vector<int> rows = {0, 1};
    for (int t = 0; t < 5; ++t) {
      Tensor lg = model.step(st, column(tgt, rows, t));
      CHECK_MESSAGE(stepDiff(lg, int8, rows, t) < 2e-3f, "step " << t);
    }
  }
}

TEST_CASE("decoding: releasing the packed linears' sources changes no output") {
  // freezeForInference(p, true) drops every Linear weight that only its packed copy needs;
  // embedding tables (also the tied output projection's) stay. Decoding and the teacher-forced
  // pass without gradients must not read a dropped value: same logits bit for bit as a store
  // that keeps them.
  for (std::string blk : {"transformer", "lite", "dynamicconv"}) {
    for (InferencePrecision prec : {InferencePrecision::F32, InferencePrecision::Int8}) {
      CAPTURE(blk);
      CAPTURE(int(prec));
      ParamStore keep, drop;
      Rng r1(31), r2(31);
      ModelConfig cfg = tinyConfig(blk, blk, true);
      if (blk == "lite") cfg.sharing = "decoder-output";  // the output projection packs the table
      EncoderDecoder a(cfg, keep, r1), b(cfg, drop, r2);
      keep.freezeForInference(prec);
      drop.freezeForInference(prec, /*releaseReplaced=*/true);
      CHECK(keep.releasedBytes() == 0);
      int released = 0;
      int64_t bytes = 0;
      for (auto& [name, v] : drop.all()) {
        if (v.value().defined()) continue;
        ++released;
        bytes += keep.get(name).value().bytes();
        CHECK_MESSAGE(name.find("embed") == std::string::npos, name);
      }
      CHECK(released >= 8);
      CHECK(drop.releasedBytes() == bytes);
      Tensor src = ids({{5, 6, 7, 8, 3}, {9, 10, 3}}, 5);
      Tensor tgt = ids({{2, 4, 5, 6, 7}, {2, 8, 9, 10, 11}}, 5);
      {
        NoGradScope ng;
        CHECK(test::maxAbsDiff(a.forward(src, tgt).value(), b.forward(src, tgt).value()) == 0.f);
      }
      EncoderOutput ea = a.encode(src), eb = b.encode(src);
      DecoderState sa = a.startState(ea, 5), sb = b.startState(eb, 5);
      std::vector<int> rows = {0, 1};
      for (int t = 0; t < 5; ++t)
        CHECK(test::maxAbsDiff(a.step(sa, column(tgt, rows, t)), b.step(sb, column(tgt, rows, t))) == 0.f);
    }
  }
}
