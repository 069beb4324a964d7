// Continuing a model: given model keys must equal the checkpoint's; others come from it.
#include <doctest/doctest.h>

#include "common/error.h"
#include "models/cost.h"
#include "models/model_config.h"
#include "train/resume_check.h"

using namespace lt;
using namespace lt::train;

namespace {
models::ModelConfig parse(const std::string& yaml) {
  return models::parseModelConfig(yaml, "test");
}
const char* kBase = "model-dim: 64\nffn-dim: 128\nencoder-layers: 2\ndecoder-layers: 2\ncross-heads: 4\n";
}  // namespace

TEST_CASE("resume check: the same keys, or none, continue; each differing key is named with both values") {
  models::ModelConfig ck = models::resolveModelConfig(parse(kBase));
  ck.srcVocab = ck.tgtVocab = 1000;  // filled from the vocabulary
  // Re-running the same config, or giving no model key, continues.
  const std::vector<GivenKey> all = {{"model-dim", "a.yml:1"}, {"ffn-dim", "a.yml:2"}, {"encoder-layers", "a.yml:3"},
                                     {"decoder-layers", "a.yml:4"}, {"cross-heads", "a.yml:5"}};
  CHECK(resumeConfigDifferences(parse(kBase), all, ck).empty());
  CHECK(resumeConfigDifferences(parse("model-dim: 32\n"), {}, ck).empty());
  // Vocabulary sizes are not compared (the vocabulary is checked by fingerprint).
  CHECK(resumeConfigDifferences(parse(kBase), {{"tgt-vocab-size", "--tgt-vocab-size"}}, ck).empty());
  // The case: other architecture flags.
  models::ModelConfig req = parse(std::string(kBase) + "model-dim: 32\nencoder-block: lightconv\ndecoder-layers: 6\n");
  const std::vector<GivenKey> given = {{"model-dim", "--model-dim"}, {"encoder-block", "--encoder-block"},
                                       {"decoder-layers", "--decoder-layers"}, {"ffn-dim", "a.yml:2"}};
  auto d = resumeConfigDifferences(req, given, ck);
  REQUIRE(d.size() == 3);
  CHECK(d[0].key == "model-dim");
  CHECK(d[0].where == "--model-dim");
  CHECK(d[0].given == "32");
  CHECK(d[0].checkpoint == "64");
  CHECK(d[1].key == "encoder-block");
  CHECK(d[1].given.find("lightconv") != std::string::npos);
  CHECK(d[1].checkpoint == "{branches: [{type: attention, dim: 64, heads: 4}]}");
  CHECK(d[2].key == "decoder-layers");
  CHECK(d[2].given == "6");
  CHECK_THROWS_WITH_AS(
      checkResumeConfig(req, given, ck, "run/model.lt"),
      doctest::Contains("--model run/model.lt exists with a different architecture: model-dim 32 (--model-dim) but "
                        "64 in the checkpoint; encoder-block "),
      ConfigError);
  CHECK_THROWS_WITH_AS(checkResumeConfig(req, given, ck, "run/model.lt"),
                       doctest::Contains("decoder-layers 6 (--decoder-layers) but 2 in the checkpoint. Model keys "
                                         "cannot change when resuming (training keys can: optimizer"),
                       ConfigError);
  // Dropout is a model key too (the layers are built with it).
  CHECK(resumeConfigDifferences(parse("dropout: 0.3\n"), {{"dropout", "--dropout"}}, ck).size() == 1);
}

TEST_CASE("resume check: with a budget, the widths the search chose are not a difference") {
  models::ModelConfig req = parse(std::string(kBase) + "budget: {params: 500k}\n");
  models::ModelConfig fitted = models::resolveModelConfig(models::withModelDim(req, 96));
  const std::vector<GivenKey> given = {{"model-dim", "b.yml:1"}, {"ffn-dim", "b.yml:2"}, {"budget", "b.yml:6"},
                                       {"encoder-layers", "b.yml:3"}};
  CHECK(resumeConfigDifferences(req, given, fitted).empty());
  models::ModelConfig other = parse(std::string(kBase) + "budget: {params: 900k}\n");
  auto d = resumeConfigDifferences(other, given, fitted);
  REQUIRE(!d.empty());
  CHECK(d.back().key == "budget");
}
