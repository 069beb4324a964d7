// Greedy search through the model scorer (incremental startState/step/reorder) must pick, at
// every step, the arg-max of a full teacher-forced forward pass over the prefix it has
// produced (an independent path through the model).
#include <doctest/doctest.h>

#include "autodiff/param_store.h"
#include "common/rng.h"
#include "data/batch.h"
#include "data/vocab.h"
#include "models/encoder_decoder.h"
#include "decode/greedy_search.h"
#include "decode/search.h"

using namespace lt;

namespace {

int32_t argmaxNoSpecial(const float* row, int64_t V) {
  int32_t best = -1;
  for (int64_t v = 0; v < V; ++v) {
    if (v == data::kPadId || v == data::kBosId) continue;
    if (best < 0 || row[v] > row[best]) best = int32_t(v);
  }
  return best;
}

void checkAgainstForward(const char* block) {
  models::ModelConfig cfg;
  cfg.encoderLayers = 2;
  cfg.decoderLayers = 2;
  cfg.modelDim = 32;
  cfg.ffnDim = 64;
  cfg.crossHeads = 4;
  cfg.encoderBlock = models::blockPreset(block);
  cfg.decoderBlock = models::blockPreset(block);
  cfg.srcVocab = cfg.tgtVocab = 23;
  cfg.dropout = 0.f;
  cfg.maxPositions = 64;
  ParamStore ps;
  Rng rng(7);
  models::EncoderDecoder net(cfg, ps, rng);

  std::vector<std::vector<int32_t>> src = {{5, 6, 7, 8, 9, 10}, {11, 4}, {12, 13, 14, 15}};
  std::vector<const std::vector<int32_t>*> rows = {&src[0], &src[1], &src[2]};
  data::Batch batch = data::makeSourceBatch(rows, {0, 1, 2});
  decode::SearchOptions g;
  g.greedy = true;
  g.maxLenA = 1.f;
  g.maxLenB = 3;
  g.minLen = 0;
  g.maxLenCap = cfg.maxPositions - 1;
  std::vector<std::vector<int32_t>> hyps;
  for (const auto& h : decode::decodeBatch(net, batch, g)) {
    REQUIRE(h.size() == 1);
    hyps.push_back(std::vector<int32_t>(h[0].tokens.begin(), h[0].tokens.end()));
  }
  REQUIRE(hyps.size() == 3);
  for (size_t b = 0; b < 3; ++b) {
    CAPTURE(b);
    const int limit = int(src[b].size()) + 3;
    CHECK(int(hyps[b].size()) <= limit);
    data::Batch one = data::makeSourceBatch({&src[b]}, {0});
    std::vector<int32_t> prefix = {data::kBosId};
    // Replay: each produced token is the arg-max after its prefix; a hypothesis shorter than
    // the limit must have ended with EOS.
    for (size_t t = 0; t <= hyps[b].size(); ++t) {
      if (t == hyps[b].size() && int(t) == limit) break;
      NoGradScope ng;
      Tensor tgtIn = Tensor::fromVector(Shape{1, int64_t(prefix.size())}, prefix);
      Var logits = net.forward(one.src, tgtIn);  // [1, t+1, V]
      const int64_t V = logits.dim(2);
      const float* last = logits.value().data<float>() + int64_t(prefix.size() - 1) * V;
      int32_t expect = argmaxNoSpecial(last, V);
      if (t < hyps[b].size()) {
        CHECK(hyps[b][t] == expect);
        prefix.push_back(hyps[b][t]);
      } else {
        CHECK(expect == data::kEosId);
      }
    }
  }
}

}  // namespace

TEST_CASE("greedy decoding equals arg-max of teacher-forced forward passes: transformer") {
  checkAgainstForward("transformer");
}

TEST_CASE("greedy decoding equals arg-max of teacher-forced forward passes: lite") {
  checkAgainstForward("lite");
}
