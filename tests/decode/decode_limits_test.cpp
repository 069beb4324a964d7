// Decoding bounds checked before any work: the beam against the vocabulary and the memory
// estimate (hand-worked below) against the limit.
#include <doctest/doctest.h>

#include "common/error.h"
#include "decode/decode_limits.h"

using namespace lt;
using namespace lt::decode;

namespace {
models::ModelConfig smallConfig() {
  models::ModelConfig c = models::parseModelConfig(
      "decoder-layers: 2\nencoder-layers: 1\nmodel-dim: 8\nffn-dim: 16\ncross-heads: 2\nmax-positions: 64\n"
      "src-vocab-size: 10\ntgt-vocab-size: 10\nencoder-block: {preset: transformer, heads: 2}\n"
      "decoder-block: {preset: transformer, heads: 2}\n",
      "test");
  return models::resolveModelConfig(c);
}
}  // namespace

TEST_CASE("decode memory estimate: each term by hand") {
  // B = 3 sentences of S = 5 tokens (16 after padding), beam 4 (R = 12 rows), T = 7 steps,
  // L = 2, d = 8, f = 16, H = 2, V = 10, 4 bytes each:
  const DecodeMemoryEstimate e = estimateDecodeMemory(smallConfig(), 3, 5, 4, 7);
  CHECK(e.selfCache == 2 * 2 * 12 * 7 * 8 * 4);      // 10752
  CHECK(e.crossKv == 2 * 2 * 3 * 16 * 8 * 4);        // 6144
  CHECK(e.scratch == 12 * 2 * 16 * 4);               // max(T, S16) = 16: 1536
  CHECK(e.stepOutputs == 12 * (10 + 4 * 8 + 16) * 4);  // 2784
  CHECK(e.hypotheses == 2 * 12 * 7 * 4);             // 672
  CHECK(e.total() == 21888);
}

TEST_CASE("decode limits: beam above the vocabulary, and workers x the largest batch above the limit") {
  const models::ModelConfig c = smallConfig();
  TranslateOptions o;
  o.search.beamSize = 11;
  CHECK_THROWS_WITH_AS(checkDecodeLimits(c, o, 1e12, "test"),
                       "--beam-size 11 exceeds the target vocabulary of 10 pieces: a beam holds distinct "
                       "hypotheses, at most one per piece",
                       ConfigError);
  o.search.beamSize = 4;
  o.batching.maxSentences = 3;
  o.inputLimit.maxTokens = 4;  // S = 5 with EOS
  o.search.maxLenA = 1;
  o.search.maxLenB = 2;        // T = floor(1 * 4 + 2) + 1 = 7
  o.search.maxLenCap = 63;
  o.workers = 2;
  checkDecodeLimits(c, o, 2 * 21888, "test");  // exactly at the limit
  CHECK_THROWS_WITH_AS(checkDecodeLimits(c, o, 2 * 21888 - 1, "--memory-limit 43775"),
                       doctest::Contains("(2 worker(s) x a batch of 3 sentences x beam 4 x 7 steps"),
                       ConfigError);
  CHECK_THROWS_WITH_AS(checkDecodeLimits(c, o, 100, "--memory-limit 100"),
                       doctest::Contains("more than the memory limit of 0.0 MiB (--memory-limit 100)"),
                       ConfigError);
  // The max-length rule is capped by the model's positions.
  o.search.maxLenB = 1000;
  o.workers = 1;
  const double capped = estimateDecodeMemory(c, 3, 5, 4, 64).total();
  checkDecodeLimits(c, o, capped, "test");
  CHECK_THROWS_AS(checkDecodeLimits(c, o, capped - 1, "test"), ConfigError);
}

TEST_CASE("input limit: the default is the model's positions; a larger limit is refused") {
  CHECK(resolveMaxInputTokens(0, 256) == 255);
  CHECK(resolveMaxInputTokens(100, 256) == 100);
  CHECK(resolveMaxInputTokens(255, 256) == 255);
  CHECK_THROWS_WITH_AS(resolveMaxInputTokens(256, 256),
                       "--max-input-length 256 exceeds what the model encodes: max-positions 256 - 1 = 255 tokens",
                       ConfigError);
  CHECK(longInputPolicyFromName("skip") == LongInputPolicy::Skip);
  CHECK_FALSE(longInputPolicyFromName("drop").has_value());
}
