// lt-bench's subcommands as option tables (cli/option_table.h): each bind* declares one
// subcommand's keys, bound to its options struct; the shared keys (threads, seed, beam-size,
// batch-size, workers, precision, ...) come from cli/shared_keys.h as in every program.
#pragma once
#include <cstdint>
#include <string>

#include "decode_bench.h"
#include "layout_bench.h"
#include "train_bench.h"
#include "cli/option_table.h"
#include "cli/shared_keys.h"

namespace lt::bench {

struct OpsOptions {
  int threads = 2;
  int repeats = 11;
  int warmup = 1;
  int tinyIters = 5000;
  int tinyRounds = 31;
  double sampleSeconds = 0.05;
  bool quick = false;
  int64_t rows = 4096;  // M of every shape (4096 = a training batch; 256 = 64 sentences x beam 4)
};

// --large-block-cache-mb, in every subcommand (A/B of tensor/block_cache.h).
inline void bindBlockCache(cli::OptionTable& t, int64_t& mb) {
  t.add("Allocator", "large-block-cache-mb", &mb,
        "freed tensor blocks >= 8 MiB kept for reuse, in MiB (0 = off)")
      .range(0);
}

inline void bindOps(cli::OptionTable& t, OpsOptions& o) {
  const std::string g = "ops";
  cli::addShared(t, g, "threads", &o.threads);
  t.add(g, "repeats", &o.repeats, "timed rounds per shape (medians)").range(1);
  t.add(g, "warmup", &o.warmup, "untimed warm-up rounds").range(0);
  t.add(g, "sample-seconds", &o.sampleSeconds, "target duration of one sample").range(1e-6);
  t.add(g, "tiny-iters", &o.tinyIters, "calls per tiny-op sample").range(1);
  t.add(g, "tiny-rounds", &o.tinyRounds, "tiny-op samples per variant").range(1);
  t.add(g, "quick", &o.quick, "only the two square shapes");
  t.add(g, "rows", &o.rows, "M of every matmul shape (256 = decoding 64 sentences x beam 4)").range(1);
}

inline void bindTrainBench(cli::OptionTable& t, TrainBenchOptions& o) {
  const std::string g = "train";
  t.add(g, "preset", &o.model, "model preset", {"lite160", "transformer160", "transformer512-ffn1024", "transformer512"})
      .alias("--model");
  cli::addShared(t, g, "max-tokens", &o.maxTokens).range(1).help = "sentences * max(S, T) per batch";
  cli::addShared(t, g, "threads", &o.threads);
  t.add(g, "updates", &o.updates, "measured updates").range(1);
  t.add(g, "warmup", &o.warmup, "updates before measuring").range(0);
  cli::addShared(t, g, "vocab-size", &o.vocab).range(8, 1 << 24).alias("--vocab").help =
      "source and target vocabulary";
  cli::addShared(t, g, "seed", &o.seed).help = "batching, token and weight seed";
  cli::addShared(t, g, "profile", &o.profile).help = "op-level wall-time table on stderr (measured updates)";
  t.add(g, "attention-dropout", &o.attentionDropout,
        "dropout on the attention probabilities (the preset's is 0; the peer has none)")
      .range(0, 0.99);
  t.add(g, "keep-logits", &o.keepLogits,
        "A/B: the loss gradient in its own buffer instead of over the logits (lt-train consumes them)");
  t.add(g, "batches", &o.batches, "batch shapes from torch_train_bench.py --dump-batches (default: generate)");
  t.add(g, "pool", &o.pool, "pairs resampled before batching when generating").range(1);
}

inline void bindDecodeBench(cli::OptionTable& t, DecodeBenchOptions& o) {
  const std::string g = "decode";
  t.add(g, "preset", &o.model, "model preset", {"transformer512", "lite160", "transformer160", "transformer512-ffn1024"})
      .alias("--model");
  cli::addShared(t, g, "beam-size", &o.beam).range(1, 64);
  cli::addShared(t, g, "batch-size", &o.batchSize).range(1);
  cli::addShared(t, g, "threads", &o.threads);
  cli::addShared(t, g, "input", &o.input).help = "source text (plain or gzip)";
  t.add(g, "ref", &o.ref, "reference text whose lengths force the outputs");
  t.add(g, "tgt-len", &o.tgtLen, "'ref' (reference tokens + 1) or a fixed number of steps");
  cli::addShared(t, g, "workers", &o.workers);
  t.add(g, "plain-weights", &o.plainWeights,
        "linears read the stored w [out, in] instead of lt-translate's packed copy (A/B)");
  cli::addPrecision(t, g, &o.precision, "fp32 or int8 linears (lt-translate --precision)").alias("--int8", "int8");
  cli::addShared(t, g, "profile", &o.profile).help = "op-level wall-time table on stderr (timed loop)";
  t.add(g, "max-sentences", &o.maxSentences, "only the first N lines (0 = all)").range(0);
  cli::addShared(t, g, "vocab-size", &o.vocab).range(8, 1 << 24).alias("--vocab").help =
      "vocabulary size of the hashed ids";
  cli::addShared(t, g, "seed", &o.seed).help = "weight seed";
}

inline void bindLayouts(cli::OptionTable& t, LayoutBenchOptions& o) {
  const std::string g = "layouts";
  cli::addShared(t, g, "threads", &o.threads);
  t.add(g, "repeats", &o.repeats, "timed rounds per shape (medians)").range(1);
}

}  // namespace lt::bench
