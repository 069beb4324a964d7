// Cost counting: Mult-Adds counted from a real forward pass and parameters counted from the
// ParamStore must equal the analytic formulas of seed-systems.md Appendix A (ported below,
// independently of the model code) and the paper's published rows (§1.6) within 1%.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "common/error.h"
#include "models/cost.h"

using namespace lt;
using namespace lt::models;

namespace {

// --- Appendix A calculator -------------------------------------------------------------
const std::vector<int64_t> KS = {3, 7, 15, 31, 31, 31};
int64_t lin(int64_t i, int64_t o, bool bias = true) { return i * o + (bias ? o : 0); }
int64_t mhaP(int64_t d) { return 4 * d * d + 4 * d; }
int64_t tfParams(int64_t d, int64_t f, int64_t vOut = 0, int64_t L = 6) {
  int64_t enc = mhaP(d) + lin(d, f) + lin(f, d) + 4 * d;
  int64_t dec = 2 * mhaP(d) + lin(d, f) + lin(f, d) + 6 * d;
  return L * (enc + dec) + vOut * d;
}
int64_t tfMacs(int64_t d, int64_t f, int64_t N = 30, int64_t T = 30, int64_t L = 6) {
  int64_t enc = 4 * N * d * d + 2 * N * N * d + 2 * N * d * f;
  int64_t dec = 4 * T * d * d + 2 * T * T * d + 2 * T * d * d + 2 * N * d * d + 2 * T * N * d +
                2 * T * d * f;
  return L * (enc + dec);
}
int64_t liteParams(int64_t d, int64_t f, bool dyn, bool glu, int64_t vOut = 0, int64_t H = 4) {
  int64_t b = d / 2, g = glu ? 2 : 1, tot = 0;
  for (int64_t k : KS) {
    int64_t conv = lin(b, g * b) + lin(b, b) + (dyn ? b * H * k : H * k);
    tot += mhaP(b) + conv + lin(d, f) + lin(f, d) + 4 * d;
    tot += mhaP(b) + conv + mhaP(d) + lin(d, f) + lin(f, d) + 6 * d;
  }
  return tot + vOut * d;
}
int64_t liteMacs(int64_t d, int64_t f, bool dyn, bool glu, int64_t N = 30, int64_t T = 30,
                 int64_t H = 4) {
  int64_t b = d / 2, g = glu ? 2 : 1, tot = 0;
  auto br = [&](int64_t n, int64_t k) {
    int64_t m = 4 * n * b * b + 2 * n * n * b + n * b * g * b + n * b * b;
    if (dyn) m += n * b * H * k;
    return m + n * b * k;
  };
  for (int64_t k : KS)
    tot += br(N, k) + 2 * N * d * f + br(T, k) + 2 * T * d * d + 2 * N * d * d + 2 * T * N * d +
           2 * T * d * f;
  return tot;
}
// ----------------------------------------------------------------------------------------

ModelConfig transformer(int d, int f, int heads, int vocab, const std::string& sharing) {
  ModelConfig c = parseModelConfig(
      fmt::format("model-dim: {}\nffn-dim: {}\ncross-heads: {}\nencoder-block: transformer\n"
                  "decoder-block: transformer\nshare-embeddings: {}\n",
                  d, f, heads, sharing),
      "tf");
  c.srcVocab = c.tgtVocab = vocab;
  return c;
}

ModelConfig lite(int d, bool dyn, int crossHeads, int vocab, const std::string& sharing) {
  const char* blk = dyn ? "lite-dynamic" : "lite";
  ModelConfig c = parseModelConfig(
      fmt::format("model-dim: {}\nffn-dim: {}\ncross-heads: {}\nencoder-block: {}\n"
                  "decoder-block: {}\nshare-embeddings: {}\n",
                  d, d, crossHeads, blk, blk, sharing),
      "lite");
  c.srcVocab = c.tgtVocab = vocab;
  return c;
}

double rel(double a, double b) { return std::fabs(a - b) / b; }

}  // namespace

TEST_CASE("cost: Transformer counts equal the Appendix A formulas at several widths") {
  for (auto [d, f] : {std::pair{32, 64}, {64, 256}, {128, 256}, {96, 192}}) {
    CAPTURE(d);
    CostReport c = countCost(transformer(d, f, 4, 50, "none"));
    CHECK(c.multAdds == tfMacs(d, f));
    CHECK(c.paramsPaper == tfParams(d, f, 50));
    CHECK(c.paramsStored == tfParams(d, f, 50) + 2 * 50 * d);
    CHECK(c.outputProjectionMacs == 30 * d * 50);
    CHECK(c.encoderMacs == 6 * (4 * 30 * d * d + 2 * 30 * 30 * d + 2 * 30 * d * f));
  }
}

TEST_CASE("cost: Lite (lightweight and dynamic, with the kernel term) equal the formulas") {
  for (int d : {32, 80, 160}) {
    CAPTURE(d);
    CostReport l = countCost(lite(d, false, 4, 40, "none"));
    CHECK(l.multAdds == liteMacs(d, d, false, false));
    CHECK(l.paramsPaper == liteParams(d, d, false, false, 40));
    CostReport y = countCost(lite(d, true, 8, 40, "all"));
    CHECK(y.multAdds == liteMacs(d, d, true, true));
    CHECK(y.paramsPaper == liteParams(d, d, true, true, 0));
    CHECK(y.paramsStored == liteParams(d, d, true, true, 0) + 40 * d);
  }
}

TEST_CASE("cost: the paper's rows (seed-systems §1.6) within 1%") {
  CostReport a = countCost(transformer(128, 256, 4, 6632, "none"));  // IWSLT Transformer
  CHECK(rel(double(a.paramsPaper), 2.84e6) < 0.01);
  CHECK(rel(double(a.multAdds), 63.1e6) < 0.01);
  CHECK(a.multAdds == 63129600);
  CostReport b = countCost(lite(160, false, 4, 6632, "none"));  // Lite IWSLT embed160
  CHECK(rel(double(b.paramsPaper), 2.77e6) < 0.01);
  CHECK(rel(double(b.multAdds), 54.7e6) < 0.01);
  CHECK(b.paramsPaper == 2774704);
  CHECK(b.multAdds == 54710400);
  CostReport w = countCost(lite(496, true, 8, 32768, "all"));  // WMT Lite embed496
  CHECK(rel(double(w.paramsPaper), 17.28e6) < 0.01);
  CHECK(rel(double(w.multAdds), 528.7e6) < 0.01);
  CHECK(w.multAdds == 528745920);
  CostReport t = countCost(transformer(512, 2048, 8, 32768, "all"));  // Transformer base
  CHECK(rel(double(t.paramsPaper), 44.14e6) < 0.01);
  CHECK(rel(double(t.multAdds), 1337.8e6) < 0.01);
  MESSAGE("Transformer IWSLT d=128: " << describeCost(transformer(128, 256, 4, 6632, "none"), a));
  MESSAGE("Lite IWSLT embed160: " << describeCost(lite(160, false, 4, 6632, "none"), b));
  MESSAGE("Lite WMT embed496: " << describeCost(lite(496, true, 8, 32768, "all"), w));
  MESSAGE("Transformer base: " << describeCost(transformer(512, 2048, 8, 32768, "all"), t));
}

TEST_CASE("cost: incremental decoding cost") {
  // Transformer d=64 f=128 4 heads: per step t (1-based) and layer:
  //   self 4d² + 2·t·d, cross Q/out 2d² + 2·N·d, FFN 2df; cross K/V once: 2·N·d² per layer.
  int64_t d = 64, f = 128, N = 30, T = 30;
  CostReport c = countCost(transformer(int(d), int(f), 4, 50, "none"));
  CHECK(c.decodeCrossKvMacs == 6 * 2 * N * d * d);
  double steps = 0;
  for (int64_t t = 1; t <= T; ++t) steps += 6 * (4 * d * d + 2 * t * d + 2 * d * d + 2 * N * d + 2 * d * f);
  CHECK(c.decodeStepMacs == doctest::Approx(steps / T));
  CHECK(c.decodeOutputMacs == d * 50);
  CHECK(c.beamDecodeMacs(4) ==
        doctest::Approx(double(c.encoderMacs + c.decodeCrossKvMacs) + 4.0 * T * (steps / T + d * 50)));
}

TEST_CASE("budget: picks the largest width whose counted cost fits") {
  // Lite IWSLT family with a 55M Mult-Adds budget: expected from the formulas.
  ModelConfig c = lite(320, false, 4, 6632, "none");
  c.budget.multAdds = 55000000;
  int expect = 0;
  for (int d = 8; d <= 1024; d += 8)
    if (liteMacs(d, d, false, false) <= 55000000) expect = d;
  CHECK(expect == 160);
  BudgetResult r = fitBudget(c);
  MESSAGE("lite 55M budget: counted " << r.tried.size() << " widths, chose " << r.config.modelDim);
  CHECK(r.config.modelDim == expect);
  CHECK(r.config.ffnDim == expect);
  CHECK(r.config.encoderBlock.branches[0].dim == expect / 2);
  CHECK(r.cost.multAdds == liteMacs(expect, expect, false, false));

  // WMT Lite-dynamic, 360M budget (paper: embed408 ~ 360M).
  ModelConfig w = lite(200, true, 8, 32768, "all");
  w.budget.multAdds = 361000000;
  expect = 0;
  for (int d = 8; d <= 1024; d += 8)
    if (liteMacs(d, d, true, true) <= 361000000) expect = d;
  CHECK(expect == 408);
  CHECK(fitBudget(w).config.modelDim == expect);

  // Transformer IWSLT (FFN 2d), params budget of 2.9M including the output projection.
  ModelConfig t = transformer(256, 512, 4, 6632, "none");
  t.budget.params = 2900000;
  expect = 0;
  for (int d = 8; d <= 1024; d += 8)
    if (tfParams(d, 2 * d, 6632) <= 2900000) expect = d;
  BudgetResult tr = fitBudget(t);
  CHECK(tr.config.modelDim == expect);
  CHECK(tr.config.ffnDim == 2 * expect);
  CHECK(tr.cost.paramsPaper <= 2900000);

  // Both limits: the tighter one wins.
  t.budget.multAdds = 30000000;
  int both = 0;
  for (int d = 8; d <= 1024; d += 8)
    if (tfParams(d, 2 * d, 6632) <= 2900000 && tfMacs(d, 2 * d) <= 30000000) both = d;
  CHECK(fitBudget(t).config.modelDim == both);

  // Too small for any model.
  ModelConfig tiny = transformer(64, 128, 4, 6632, "none");
  tiny.budget.multAdds = 1000;
  std::string msg;
  try {
    fitBudget(tiny);
  } catch (const ConfigError& e) {
    msg = e.what();
  }
  CHECK(msg.find("budget too small") != std::string::npos);
}
