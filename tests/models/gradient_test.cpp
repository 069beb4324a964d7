// Finite-difference check of a tiny full model's loss (label-smoothed cross-entropy, training
// mode with a fixed dropout seed, so dropout masks are identical in every evaluation)
// w.r.t. a sample of elements of several parameters.
#include <doctest/doctest.h>

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
  opt.dropoutSeed = 4242;
  Var logits = m.forward(src, tin, opt);
  int64_t B = logits.dim(0), T = logits.dim(1), V = logits.dim(2);
  auto ce = ops::labelSmoothedCrossEntropy(ops::reshape(logits, Shape{B * T, V}),
                                           tout.reshape(Shape{B * T}), 0.1f, 0);
  if (keep) *keep = ce.loss;
  return double(ce.loss.value().item());
}

void gradCheckModel(const std::string& block, const std::vector<std::string>& names) {
  CAPTURE(block);
  std::string y = "model-dim: 8\nffn-dim: 12\nencoder-layers: 1\ndecoder-layers: 1\n"
                  "cross-heads: 2\ndropout: 0.1\nattention-dropout: 0.1\nweight-dropout: 0.1\n"
                  "activation-dropout: 0.1\nsrc-vocab-size: 11\ntgt-vocab-size: 9\n"
                  "encoder-block: {preset: " + block + ", heads: 2, kernels: [3]}\n"
                  "decoder-block: {preset: " + block + ", heads: 2, kernels: [3]}\n";
  ParamStore ps;
  Rng rng(31);
  EncoderDecoder m(parseModelConfig(y, "grad"), ps, rng);
  std::vector<int32_t> s = {4, 5, 6, 3, 7, 8, 3, 0}, ti = {2, 4, 5, 2, 6, 0}, to = {4, 5, 3, 6, 3, 0};
  Tensor src = Tensor::fromVector(Shape{2, 4}, s);
  Tensor tin = Tensor::fromVector(Shape{2, 3}, ti);
  Tensor tout = Tensor::fromVector(Shape{2, 3}, to);
  Var loss;
  lossOf(m, src, tin, tout, &loss);
  ps.zeroGrad();
  backward(loss);
  Rng pick(7);
  const float eps = 1e-2f;
  for (const auto& name : names) {
    Var p = ps.get(name);
    REQUIRE(p.grad().defined());
    Tensor g = p.grad().clone();
    for (int rep = 0; rep < 4; ++rep) {
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

TEST_CASE("gradient: tiny lite-dynamic model, loss w.r.t. parameters") {
  gradCheckModel("lite-dynamic",
                 {"encoder/embed/table", "encoder/l0/mix/b0/q/weight",
                  "encoder/l0/mix/b1/kernel_gen/weight", "encoder/l0/mix/b1/linear1/weight",
                  "decoder/l0/mix/b1/linear2/bias", "decoder/l0/cross/v/weight",
                  "decoder/l0/ffn/fc1/weight", "decoder/l0/ln3/gamma", "decoder/out/weight"});
}

TEST_CASE("gradient: tiny lite (lightweight) model, conv weights") {
  gradCheckModel("lite", {"encoder/l0/mix/b1/weight", "decoder/l0/mix/b1/weight",
                          "decoder/l0/mix/b0/k/weight", "decoder/embed/table"});
}
