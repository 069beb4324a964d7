// A tiny training run per efficient-attention variant (plain SGD on a copy task, fixed
// batches): the loss must fall well below its starting value. Kept small (a few dozen
// updates of a 16-wide model) so the whole file runs in a few seconds.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "autodiff/param_store.h"
#include "common/threads.h"
#include "models/encoder_decoder.h"
#include "ops/cross_entropy.h"
#include "ops/shape_ops.h"

using namespace lt;
using namespace lt::models;

namespace {

// test_models runs tiny shapes only: on one thread, OpenMP barriers cannot dominate (on a
// loaded 2-core machine they made this binary 30x slower). Applies to the whole binary.
const bool kOneThread = [] {
  setThreads(1);
  return true;
}();

double trainRun(const std::string& enc, const std::string& dec, const std::string& cross,
                double* firstLoss) {
  std::string y = "model-dim: 16\nffn-dim: 32\nencoder-layers: 1\ndecoder-layers: 1\n"
                  "cross-heads: 2\nsrc-vocab-size: 12\ntgt-vocab-size: 12\ndropout: 0\n"
                  "max-positions: 32\n"
                  "encoder-block: {branches: [" + enc + "]}\n"
                  "decoder-block: {branches: [" + dec + "]}\n";
  if (!cross.empty()) y += "cross-attention: " + cross + "\n";
  ParamStore ps;
  Rng rng(3);
  EncoderDecoder m(parseModelConfig(y, "train"), ps, rng);
  // Copy task: 4 sentences of 5 tokens (+ EOS 3), BOS 2.
  std::vector<std::vector<int>> sents = {{4, 5, 6, 7, 8}, {9, 10, 11, 4, 5}, {6, 8, 10, 5, 7},
                                         {11, 9, 7, 5, 4}};
  std::vector<int32_t> s, ti, to;
  for (const auto& w : sents) {
    for (int x : w) s.push_back(x);
    s.push_back(3);
    ti.push_back(2);
    for (int x : w) ti.push_back(x);
    for (int x : w) to.push_back(x);
    to.push_back(3);
  }
  Tensor src = Tensor::fromVector(Shape{4, 6}, s);
  Tensor tin = Tensor::fromVector(Shape{4, 6}, ti);
  Tensor tout = Tensor::fromVector(Shape{4, 6}, to);
  double last = 0;
  for (int it = 0; it < 15; ++it) {
    m.setTrainingUpdate(it);
    ps.zeroGrad();
    ForwardOptions o;
    o.train = true;
    Var lg = m.forward(src, tin, o);
    auto ce = ops::labelSmoothedCrossEntropy(ops::reshape(lg, Shape{24, 12}),
                                             tout.reshape(Shape{24}), 0.f, 0);
    double l = ce.loss.value().item() / 24.0;
    if (it == 0) *firstLoss = l;
    last = l;
    backward(ce.loss);
    for (auto& [n, p] : ps.all()) {
      if (!p.grad().defined()) continue;
      float* w = const_cast<Var&>(p).mutableValue().data<float>();
      const float* g = p.grad().data<float>();
      for (int64_t i = 0; i < p.value().elements(); ++i) w[i] -= 0.02f * g[i];
    }
  }
  return last;
}

}  // namespace

TEST_CASE("efficient training: loss falls for every variant") {
  struct Case {
    const char* enc;
    const char* dec;
    const char* cross;
  };
  const char* soft = "{type: attention, heads: 2}";
  std::vector<Case> cases = {
      {soft, "{type: linear, heads: 2}", "linear"},
      {soft, "{type: t2r, heads: 2, features: 8}", "{type: t2r, features: 8}"},
      {soft, "{type: performer, heads: 2, features: 16, redraw: 10}", "performer"},
      {soft, "{type: rfa, heads: 2, features: 16, redraw: 10}", "{type: rfa, features: 16}"},
      {"{type: local, heads: 2, window: 2, global: 2}", soft, ""},
      {"{type: local, heads: 2, window: 3}", "{type: local, heads: 2, window: 3}", ""},
      {"{type: linformer, heads: 2, k: 4, max-length: 8}", soft, ""},
      {"{type: bigbird, heads: 2, block: 2, window: 1, random: 1, global: 1}", soft, ""},
      {"{type: fastformer, heads: 2}", soft, ""},
  };
  for (const auto& c : cases) {
    CAPTURE(c.enc);
    CAPTURE(c.dec);
    CAPTURE(c.cross);
    double first = 0;
    double last = trainRun(c.enc, c.dec, c.cross, &first);
    MESSAGE((std::string(c.enc) + " / " + c.dec + " / " + c.cross) << ": loss " << first << " -> " << last);
    CHECK(last < 0.6 * first);
  }
}
