// Finite-difference checks of the parallel (training) forms of the efficient-attention
// variants inside a tiny full model: loss w.r.t. projection, feature-map and pattern
// parameters (double-sided differences, a sample of elements per parameter).
#include <doctest/doctest.h>

#include <cmath>
#include <string>
#include <vector>

#include "autodiff/param_store.h"
#include "models/encoder_decoder.h"
#include "ops/cross_entropy.h"
#include "ops/shape_ops.h"

using namespace lt;
using namespace lt::models;

namespace {

double lossOf(EncoderDecoder& m, const Tensor& src, const Tensor& tin, const Tensor& tout,
              Var* keep = nullptr) {
  ForwardOptions opt;
  opt.train = true;
  opt.dropoutSeed = 99;
  Var logits = m.forward(src, tin, opt);
  int64_t B = logits.dim(0), T = logits.dim(1), V = logits.dim(2);
  auto ce = ops::labelSmoothedCrossEntropy(ops::reshape(logits, Shape{B * T, V}),
                                           tout.reshape(Shape{B * T}), 0.1f, 0);
  if (keep) *keep = ce.loss;
  return double(ce.loss.value().item());
}

void gradCheck(const std::string& enc, const std::string& dec, const std::string& cross,
               const std::vector<std::string>& names) {
  CAPTURE(enc);
  CAPTURE(dec);
  CAPTURE(cross);
  std::string y = "model-dim: 8\nffn-dim: 12\nencoder-layers: 1\ndecoder-layers: 1\n"
                  "cross-heads: 2\ndropout: 0.1\nsrc-vocab-size: 11\ntgt-vocab-size: 9\n"
                  "encoder-block: {branches: [" + enc + "]}\n"
                  "decoder-block: {branches: [" + dec + "]}\n";
  if (!cross.empty()) y += "cross-attention: " + cross + "\n";
  ParamStore ps;
  Rng rng(31);
  EncoderDecoder m(parseModelConfig(y, "grad"), ps, rng);
  std::vector<int32_t> s = {4, 5, 6, 3, 7, 8, 3, 0}, ti = {2, 4, 5, 2, 6, 0},
                       to = {4, 5, 3, 6, 3, 0};
  Tensor src = Tensor::fromVector(Shape{2, 4}, s);
  Tensor tin = Tensor::fromVector(Shape{2, 3}, ti);
  Tensor tout = Tensor::fromVector(Shape{2, 3}, to);
  Var loss;
  lossOf(m, src, tin, tout, &loss);
  ps.zeroGrad();
  backward(loss);
  Rng pick(7);
  const float eps = 2e-3f;
  for (const auto& name : names) {
    Var p = ps.get(name);
    REQUIRE_MESSAGE(p.grad().defined(), name);
    Tensor g = p.grad().clone();
    for (int rep = 0; rep < 3; ++rep) {
      int64_t e = int64_t(pick.below(uint64_t(p.value().elements())));
      float* x = p.mutableValue().data<float>() + e;
      float orig = *x;
      double lp, lm;
      {
        NoGradScope ng;
        *x = orig + eps;
        lp = lossOf(m, src, tin, tout);
        *x = orig - eps;
        lm = lossOf(m, src, tin, tout);
        *x = orig;
      }
      double numeric = (lp - lm) / (2 * eps);
      double analytic = g.data<float>()[e];
      CHECK_MESSAGE(std::fabs(numeric - analytic) <= 3e-3 + 3e-2 * std::fabs(numeric),
                    name << "[" << e << "]: analytic " << analytic << " numeric " << numeric);
    }
  }
}

}  // namespace

TEST_CASE("efficient gradients: linear / t2r / performer / rfa decoder and cross-attention") {
  gradCheck("{type: linear, heads: 2}", "{type: linear, heads: 2}", "linear",
            {"encoder/l0/mix/b0/q/weight", "decoder/l0/mix/b0/k/weight",
             "decoder/l0/cross/q/weight", "decoder/l0/cross/v/bias"});
  gradCheck("{type: attention, heads: 2}", "{type: t2r, heads: 2, features: 4}",
            "{type: t2r, features: 3}",
            {"decoder/l0/mix/b0/phi/weight", "decoder/l0/mix/b0/phi/bias",
             "decoder/l0/mix/b0/q/weight", "decoder/l0/cross/phi/weight",
             "decoder/l0/cross/k/weight", "encoder/l0/mix/b0/v/weight"});
  gradCheck("{type: performer, heads: 2, features: 8}", "{type: performer, heads: 2, features: 8}",
            "performer",
            {"encoder/l0/mix/b0/k/weight", "decoder/l0/mix/b0/q/weight",
             "decoder/l0/cross/k/weight"});
  gradCheck("{type: rfa, heads: 2, features: 6}", "{type: rfa, heads: 2, features: 6}",
            "{type: rfa, features: 5}",
            {"encoder/l0/mix/b0/rfa_scale", "decoder/l0/mix/b0/rfa_scale",
             "decoder/l0/mix/b0/q/weight", "decoder/l0/cross/rfa_scale",
             "decoder/l0/cross/k/weight"});
}

TEST_CASE("efficient gradients: local, linformer, bigbird, fastformer") {
  gradCheck("{type: local, heads: 2, window: 2, global: 1}",
            "{type: local, heads: 2, window: 2}", "",
            {"encoder/l0/mix/b0/q/weight", "decoder/l0/mix/b0/k/weight"});
  gradCheck("{type: local, heads: 2, window: 2}", "{type: local, heads: 2, window: 3}", "",
            {"encoder/l0/mix/b0/k/weight", "encoder/l0/mix/b0/v/weight",
             "decoder/l0/mix/b0/q/weight"});
  gradCheck("{type: linformer, heads: 2, k: 3, max-length: 6}", "{type: attention, heads: 2}", "",
            {"encoder/l0/mix/b0/proj_e/weight", "encoder/l0/mix/b0/proj_f/weight",
             "encoder/l0/mix/b0/k/weight"});
  gradCheck("{type: bigbird, heads: 2, block: 1, window: 1, random: 1, global: 1}",
            "{type: attention, heads: 2}", "", {"encoder/l0/mix/b0/q/weight"});
  gradCheck("{type: fastformer, heads: 2}", "{type: attention, heads: 2}", "",
            {"encoder/l0/mix/b0/pool_q/weight", "encoder/l0/mix/b0/pool_k/weight",
             "encoder/l0/mix/b0/q/weight", "encoder/l0/mix/b0/v/weight"});
}
