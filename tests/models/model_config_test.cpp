// ModelConfig: YAML parsing, presets, validation messages, round trip.
#include <doctest/doctest.h>

#include <string>

#include "common/error.h"
#include "common/parse.h"
#include "models/model_config.h"

using namespace lt;
using namespace lt::models;

namespace {
// Message of the ConfigError thrown by f ("" if none).
template <typename F> std::string configError(F f) {
  try {
    f();
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}
bool has(const std::string& s, const std::string& sub) { return s.find(sub) != std::string::npos; }
}  // namespace

TEST_CASE("config: lite preset resolves to the LT IWSLT embed160 block") {
  ModelConfig c = parseModelConfig(
      "model-dim: 160\nffn-dim: 160\ncross-heads: 4\nencoder-block: lite\ndecoder-block: lite\n",
      "t.yml");
  ModelConfig r = resolveModelConfig(c);
  REQUIRE(r.encoderBlock.branches.size() == 2);
  CHECK(r.encoderBlock.branches[0].type == "attention");
  CHECK(r.encoderBlock.branches[0].dim == 80);
  CHECK(r.encoderBlock.branches[0].heads == 4);
  CHECK(r.encoderBlock.branches[1].type == "lightconv");
  CHECK(r.encoderBlock.branches[1].dim == 80);
  CHECK(r.encoderBlock.branches[1].glu == false);
  CHECK(r.encoderBlock.branches[1].kernelFor(0) == 3);
  CHECK(r.encoderBlock.branches[1].kernelFor(3) == 31);
  CHECK(r.encoderBlock.branches[1].kernelFor(9) == 31);  // last value repeats
  ModelConfig w = resolveModelConfig(
      parseModelConfig("model-dim: 496\nencoder-block: lite-dynamic\n", "w.yml"));
  CHECK(w.encoderBlock.branches[1].type == "dynamicconv");
  CHECK(w.encoderBlock.branches[1].glu == true);
  CHECK(w.encoderBlock.branches[1].dim == 248);
}

TEST_CASE("config: transformer preset heads follow cross-heads; preset map overrides") {
  ModelConfig c = resolveModelConfig(parseModelConfig("model-dim: 128\ncross-heads: 4\n", "t"));
  CHECK(c.encoderBlock.branches[0].heads == 4);
  CHECK(c.encoderBlock.branches[0].dim == 128);
  ModelConfig m = resolveModelConfig(parseModelConfig(
      "model-dim: 64\nencoder-block: {preset: lightconv, heads: 2, glu: false, kernels: [3, 5]}\n",
      "t"));
  CHECK(m.encoderBlock.branches[0].type == "lightconv");
  CHECK(m.encoderBlock.branches[0].heads == 2);
  CHECK(m.encoderBlock.branches[0].glu == false);
  CHECK(m.encoderBlock.branches[0].kernelFor(1) == 5);
}

TEST_CASE("config: explicit branches, budget counts, round trip through YAML") {
  std::string y =
      "model-dim: 96\nffn-dim: 192\nencoder-layers: 2\ndecoder-layers: 3\n"
      "encoder-block:\n  branches:\n    - {type: attention, dim: 32, heads: 2}\n"
      "    - {type: dynamicconv, dim: 64, heads: 4, kernels: [3, 7], glu: true}\n"
      "pre-norm: true\nshare-embeddings: all\nsrc-vocab-size: 100\ntgt-vocab-size: 100\n"
      "dropout: 0.25\nweight-dropout: 0.1\nffn-init: ratio-xavier\n"
      "budget: {mult-adds: 54.5M, params: 3M}\n";
  ModelConfig c = resolveModelConfig(parseModelConfig(y, "x.yml"));
  CHECK(c.encoderBlock.branches[1].dim == 64);
  CHECK(c.budget.multAdds == 54500000);
  CHECK(c.budget.params == 3000000);
  CHECK(c.dropout == 0.25f);
  ModelConfig back = resolveModelConfig(parseModelConfig(toYaml(c), "round-trip"));
  CHECK(back == c);
  CHECK(lt::parseCount("1.5k", "x") == 1500);
  CHECK(lt::parseCount("2b", "x") == 2e9);
  CHECK(has(configError([] { lt::parseCount("12Q", "budget"); }), "12Q"));
  CHECK(has(configError([] { parseModelConfig("budget: {params: 0}\n", "b.yml"); }), "positive count"));
}

TEST_CASE("config: errors name the key, the line and the allowed values") {
  std::string e = configError([] {
    parseModelConfig("model-dim: 64\nencoder-block:\n  branches:\n    - {type: convolution, dim: 64}\n",
                     "bad.yml");
  });
  CHECK(has(e, "bad.yml:4"));
  CHECK(has(e, "encoder-block"));
  CHECK(has(e, "convolution"));
  CHECK(has(e, "attention, lightconv, dynamicconv"));

  e = configError([] { parseModelConfig("model-dim: 64\ndecoder-block: lstm\n", "p.yml"); });
  CHECK(has(e, "p.yml:2"));
  CHECK(has(e, "decoder-block"));
  CHECK(has(e, "transformer, lightconv, dynamicconv, lite, lite-dynamic"));

  e = configError([] { parseModelConfig("model-dim: 64\nmodel-dims: 3\n", "u.yml"); });
  CHECK(has(e, "u.yml:2"));
  CHECK(has(e, "unknown model key 'model-dims'"));
  CHECK(has(e, "model-dim,"));

  e = configError([] { parseModelConfig("model-dim: sixty\n", "v.yml"); });
  CHECK(has(e, "v.yml:1"));
  CHECK(has(e, "'model-dim' expects an integer"));

  e = configError([] { parseModelConfig("share-embeddings: some\n", "s.yml"); });
  CHECK(has(e, "none, decoder-output, all"));

  // Widths not divisible by heads.
  e = configError([] {
    resolveModelConfig(parseModelConfig(
        "model-dim: 90\ncross-heads: 2\nencoder-block:\n  branches:\n    - {type: attention, dim: 45, heads: 4}\n"
        "    - {type: lightconv, dim: 45, heads: 5}\n",
        "h.yml"));
  });
  CHECK(has(e, "encoder-block"));
  CHECK(has(e, "dim 45 is not divisible by heads 4"));
  e = configError([] { resolveModelConfig(parseModelConfig("model-dim: 100\ncross-heads: 8\n", "c")); });
  CHECK(has(e, "cross-heads"));
  CHECK(has(e, "100"));

  // Branch dims not summing to model-dim.
  e = configError([] {
    resolveModelConfig(parseModelConfig(
        "model-dim: 160\ndecoder-block:\n  branches:\n    - {type: attention, dim: 80, heads: 4}\n"
        "    - {type: lightconv, dim: 72, heads: 4}\n",
        "s.yml"));
  });
  CHECK(has(e, "decoder-block"));
  CHECK(has(e, "80 + 72 = 152 must sum to model-dim 160"));

  e = configError([] {
    resolveModelConfig(parseModelConfig(
        "share-embeddings: all\nsrc-vocab-size: 10\ntgt-vocab-size: 12\n", "a.yml"));
  });
  CHECK(has(e, "share-embeddings"));
  e = configError([] { parseModelConfig("dropout: 1.5\n", "d.yml"); });
  CHECK(has(e, "'dropout' must be in [0, 1)"));
  CHECK(configError([] { resolveModelConfig(ModelConfig()); }).empty());
}

TEST_CASE("config: command-line style values") {
  ModelConfig c;
  CHECK(setModelConfigKey(c, "model-dim", std::string("256"), "--model-dim"));
  CHECK(setModelConfigKey(c, "encoder-block", std::string("lite"), "--encoder-block"));
  CHECK_FALSE(setModelConfigKey(c, "lr", std::string("0.1"), "--lr"));
  CHECK(c.modelDim == 256);
  CHECK(c.encoderBlock.branches.size() == 2);
}

TEST_CASE("config: command-line errors name the flag without a line") {
  ModelConfig c;
  std::string e = configError([&] { setModelConfigKey(c, "ffn-dim", std::string("big"), "--ffn-dim"); });
  CHECK(has(e, "--ffn-dim: key 'ffn-dim' expects an integer, got big"));
}
