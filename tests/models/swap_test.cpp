// Swap-then-finetune: a softmax model's weights load into a T2R config (fresh feature maps),
// mismatching architectures are refused naming the first mismatch, attention-only finetuning
// freezes the rest, and a few finetuning steps lower the loss.
#include <doctest/doctest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "autodiff/param_store.h"
#include "models/encoder_decoder.h"
#include "models/model_file.h"
#include "models/swap.h"
#include "ops/cross_entropy.h"
#include "ops/shape_ops.h"
#include "support/gradcheck.h"

using namespace lt;
using namespace lt::models;

namespace {

ModelConfig cfgOf(const std::string& dec, const std::string& cross, int ffn = 24) {
  std::string y = "model-dim: 16\nffn-dim: " + std::to_string(ffn) +
                  "\nencoder-layers: 1\ndecoder-layers: 2\ncross-heads: 2\n"
                  "src-vocab-size: 13\ntgt-vocab-size: 11\ndropout: 0\n"
                  "encoder-block: {preset: transformer, heads: 2}\n"
                  "decoder-block: {branches: [" + dec + "]}\n";
  if (!cross.empty()) y += "cross-attention: " + cross + "\n";
  return resolveModelConfig(parseModelConfig(y, "swap"));
}

std::string tmpPath(const char* name) {
  return (std::filesystem::temp_directory_path() / (std::string("lt_swap_") + name)).string();
}

struct Batch {
  Tensor src, tin, tout;
};

Batch copyBatch() {
  // Target = source (a copy task), BOS 2, EOS 3.
  std::vector<int32_t> s = {4, 5, 6, 7, 3, 8, 9, 10, 3, 0, 5, 7, 9, 11, 3};
  std::vector<int32_t> ti = {2, 4, 5, 6, 7, 2, 8, 9, 10, 0, 2, 5, 7, 9, 11};
  std::vector<int32_t> to = {4, 5, 6, 7, 3, 8, 9, 10, 3, 0, 5, 7, 9, 11, 3};
  for (auto& x : ti) x = x % 11;
  for (auto& x : to) x = x % 11;
  return {Tensor::fromVector(Shape{3, 5}, s), Tensor::fromVector(Shape{3, 5}, ti),
          Tensor::fromVector(Shape{3, 5}, to)};
}

Var loss(EncoderDecoder& m, const Batch& b, bool train) {
  ForwardOptions o;
  o.train = train;
  Var lg = m.forward(b.src, b.tin, o);
  int64_t n = lg.dim(0) * lg.dim(1);
  return ops::labelSmoothedCrossEntropy(ops::reshape(lg, Shape{n, lg.dim(2)}),
                                        b.tout.reshape(Shape{n}), 0.f, 0)
      .loss;
}

void sgd(ParamStore& ps, float lr) {
  for (auto& [n, p] : ps.all()) {
    if (!p.grad().defined()) continue;
    float* w = const_cast<Var&>(p).mutableValue().data<float>();
    const float* g = p.grad().data<float>();
    for (int64_t i = 0; i < p.value().elements(); ++i) w[i] -= lr * g[i];
  }
}

}  // namespace

TEST_CASE("swap: softmax checkpoint -> t2r decoder self + cross, fresh feature maps") {
  ParamStore a;
  Rng ra(1);
  ModelConfig soft = cfgOf("{type: attention, heads: 2}", "");
  EncoderDecoder ma(soft, a, ra);
  std::string path = tmpPath("soft.lt");
  writeModelFile(path, soft, a);
  ModelFileContents file = readModelFile(path);

  ModelConfig t2r = cfgOf("{type: t2r, heads: 2, features: 8}", "{type: t2r, features: 8}");
  ParamStore b;
  Rng rb(2);
  EncoderDecoder mb(t2r, b, rb);
  SwapResult r = loadSwappedWeights(file, t2r, b, path);
  CHECK(r.copiedTensors == int64_t(a.size()));
  CHECK(r.fresh.size() == 8);  // 2 layers x (self, cross) x (weight, bias)
  for (const auto& n : r.fresh) CHECK(n.find("/phi/") != std::string::npos);
  for (const auto& [name, v] : a.all()) {
    CAPTURE(name);
    CHECK(test::maxAbsDiff(v.value(), b.get(name).value()) == 0.f);
  }
  // The fresh feature maps keep their fresh init (nonzero).
  CHECK(test::maxAbsDiff(b.get("decoder/l0/mix/b0/phi/weight").value(),
                         Tensor::zeros(Shape{2, 8, 8})) > 0.f);

  // Finetuning (all parameters) lowers the loss of the swapped model.
  Batch bt = copyBatch();
  double first = 0, last = 0;
  for (int it = 0; it < 25; ++it) {
    b.zeroGrad();
    Var l = loss(mb, bt, true);
    if (it == 0) first = l.value().item();
    last = l.value().item();
    backward(l);
    sgd(b, 0.02f);
  }
  MESSAGE("swap finetune loss " << first << " -> " << last);
  CHECK(last < 0.7 * first);
  std::filesystem::remove(path);
}

TEST_CASE("swap: a mismatching architecture is refused naming the first mismatch") {
  ParamStore a;
  Rng ra(1);
  ModelConfig soft = cfgOf("{type: attention, heads: 2}", "");
  EncoderDecoder ma(soft, a, ra);
  std::string path = tmpPath("soft2.lt");
  writeModelFile(path, soft, a);
  ModelFileContents file = readModelFile(path);
  auto refused = [&](const ModelConfig& c, const std::string& what) {
    CAPTURE(what);
    ParamStore b;
    Rng rb(2);
    EncoderDecoder mb(c, b, rb);
    try {
      loadSwappedWeights(file, c, b, path);
      FAIL("accepted");
    } catch (const ConfigError& e) {
      CHECK(std::string(e.what()).find(what) != std::string::npos);
      CHECK(std::string(e.what()).find(path) != std::string::npos);
    }
  };
  refused(cfgOf("{type: t2r, heads: 4}", ""), "decoder-block branch 1 heads: checkpoint 2, config 4");
  refused(cfgOf("{type: t2r, heads: 2}", "", 32), "ffn-dim: checkpoint 24, config 32");
  refused(cfgOf("{type: lightconv, heads: 2}", ""),
          "decoder-block branch 1 type: checkpoint attention, config lightconv");
  std::filesystem::remove(path);
}

TEST_CASE("swap: attention-only finetuning trains only decoder Q/K/V and feature maps") {
  ParamStore b;
  Rng rb(2);
  EncoderDecoder mb(cfgOf("{type: t2r, heads: 2, features: 4}", "t2r"), b, rb);
  int64_t trainable = applyFinetuneMode(b, "attention-only");
  // 2 layers x [self: 3 projections x (16·16 + 16) + phi (2·4·8 + 2·4);
  //             cross: the same projections + phi with the default 32 features (2·32·8 + 2·32)].
  CHECK(trainable == 2 * ((3 * (256 + 16) + 64 + 8) + (3 * (256 + 16) + 512 + 64)));
  Batch bt = copyBatch();
  b.zeroGrad();
  backward(loss(mb, bt, true));
  CHECK_FALSE(b.get("encoder/l0/mix/b0/q/weight").grad().defined());
  CHECK_FALSE(b.get("decoder/l0/mix/b0/out/weight").grad().defined());
  CHECK_FALSE(b.get("decoder/l1/ffn/fc1/weight").grad().defined());
  CHECK(b.get("decoder/l0/mix/b0/phi/weight").grad().defined());
  CHECK(b.get("decoder/l1/cross/k/weight").grad().defined());
  CHECK(applyFinetuneMode(b, "all") == b.numElements());
  CHECK_THROWS_AS(applyFinetuneMode(b, "encoder"), ConfigError);
}
