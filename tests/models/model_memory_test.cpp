// The parameter lower bound against the real count of built models, and the refusal of
// absurd configs before anything is allocated.
#include <doctest/doctest.h>

#include "autodiff/param_store.h"
#include "common/error.h"
#include "common/rng.h"
#include "models/encoder_decoder.h"
#include "models/model_memory.h"

using namespace lt;
using namespace lt::models;

namespace {
ModelConfig config(const std::string& yaml) {
  return resolveModelConfig(parseModelConfig(yaml + "src-vocab-size: 50\ntgt-vocab-size: 50\n", "test"));
}
int64_t builtParameters(const ModelConfig& c) {
  ParamStore ps;
  Rng rng(1);
  EncoderDecoder net(c, ps, rng, /*initialize=*/false);
  return ps.numElements();
}
}  // namespace

TEST_CASE("parameter lower bound: by hand, and below the real count of every block type") {
  // d = 16, f = 32, 1 + 1 layers, V = 50, untied: embeddings 2·50·16, output 50·16,
  // encoder FFN 2·16·32 + 16 + 32 and 2 LayerNorms, decoder the same + 3 LNs + cross 4·16².
  const ModelConfig t = config(
      "model-dim: 16\nffn-dim: 32\nencoder-layers: 1\ndecoder-layers: 1\ncross-heads: 2\n"
      "share-embeddings: none\nencoder-block: {preset: transformer, heads: 2}\n"
      "decoder-block: {preset: transformer, heads: 2}\n");
  const double ffn = 2 * 16 * 32 + 16 + 32;
  CHECK(parameterCountLowerBound(t) == 2 * 50 * 16 + 50 * 16 + (ffn + 4 * 16) + (ffn + 6 * 16 + 4 * 16 * 16));
  for (const char* blocks :
       {"encoder-block: {preset: transformer, heads: 2}\ndecoder-block: {preset: transformer, heads: 2}\n",
        "encoder-block: lite\ndecoder-block: lite\n", "encoder-block: lightconv\ndecoder-block: dynamicconv\n",
        "encoder-block: transformer\ndecoder-block: {branches: [{type: t2r, heads: 4}]}\ncross-attention: linear\n"}) {
    for (const char* sharing : {"none", "all"}) {
      const ModelConfig c = config(std::string("model-dim: 32\nffn-dim: 64\nencoder-layers: 2\ndecoder-layers: 2\n"
                                               "cross-heads: 4\nshare-embeddings: ") +
                                   sharing + "\n" + blocks);
      const double bound = parameterCountLowerBound(c);
      const double real = double(builtParameters(c));
      CAPTURE(blocks);
      CAPTURE(sharing);
      CHECK(bound <= real);
      CHECK(bound >= 0.5 * real);  // close enough to mean something
    }
  }
}

TEST_CASE("model memory: absurd configs are refused with the numbers, in microseconds") {
  ModelConfig c = config("model-dim: 512\nffn-dim: 2048\n");
  c.modelDim = 1000000;  // 10^6 (divisible by the 8 cross heads)
  CHECK_THROWS_WITH_AS(checkModelMemory(c, 16, 0, 24e9, "training", "this machine's memory"),
                       doctest::Contains("model config: at least 2.4e+13 parameters (model-dim 1000000"),
                       ConfigError);
  ModelConfig v = config("model-dim: 512\nffn-dim: 2048\n");
  v.srcVocab = v.tgtVocab = 1000000000;
  CHECK_THROWS_WITH_AS(checkModelMemory(v, 16, 0, 24e9, "training", "x"),
                       doctest::Contains("vocabularies 1000000000 / 1000000000"), ConfigError);
  ModelConfig deep = config("model-dim: 512\nffn-dim: 2048\n");
  deep.encoderLayers = 10000;
  CHECK_THROWS_AS(checkModelMemory(deep, 16, 0, 24e9, "training", "x"), ConfigError);
  // What fits passes, and the activations of a batch count: d = 512, f = 2048, 6 + 6 layers,
  // V = 50, 4096 tokens: 4096 · (6 · (10·512 + 2048) + 6 · (12·512 + 2048) + 50) · 4 bytes.
  const ModelConfig base = config("model-dim: 512\nffn-dim: 2048\n");
  CHECK(trainingActivationBytesLowerBound(base, 4096) ==
        4096.0 * (6 * (10 * 512 + 2048) + 6 * (12 * 512 + 2048) + 50) * 4);
  const double params = parameterCountLowerBound(base) * 16 + 1024.0 * 512 * 4;
  const double act = trainingActivationBytesLowerBound(base, 4096);
  checkModelMemory(base, 16, 4096, params + act, "training", "x");
  CHECK_THROWS_WITH_AS(checkModelMemory(base, 16, 4096, params + act - 1, "training", "x"),
                       doctest::Contains("and the activations of a batch of 4096 tokens"), ConfigError);
}
