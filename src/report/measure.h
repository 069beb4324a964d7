// Decoding speed of a model on this machine (lt-eval cost --measure).
//
// Sources are random token ids (seeded) of a fixed length; outputs are forced to a fixed
// length (no early EOS), so every model does the same number of decoder steps whatever its
// weights. Latency: one sentence at a time (batch 1), median over `sentences` runs after
// `warmup` runs. Throughput: `batch` sentences decoded together, best of `batchRepeats`.
// Each timed run includes the encoder and the search (what a user waits for).
#pragma once
#include <cstdint>

#include <vector>

#include "data/batch.h"
#include "decode/beam_search.h"
#include "models/encoder_decoder.h"

namespace lt::report {

struct MeasureOptions {
  int srcLen = 30;       // source positions (srcLen - 1 tokens + EOS)
  int tgtLen = 30;       // decoder steps (tgtLen - 1 tokens + EOS)
  int beam = 4;
  int sentences = 50;    // latency samples
  int warmup = 2;        // untimed runs first
  int batch = 64;        // throughput batch size
  int batchRepeats = 2;  // throughput: best of this many runs
  uint64_t seed = 1;
};

struct Measurement {
  int threads = 0;
  double latencyMedianMs = 0;  // per sentence at batch 1
  double latencyMinMs = 0;
  double sentencesPerSecond = 0;  // at `batch`
  double batchSeconds = 0;        // best time of one batch
  double loadAverage = -1;        // 1-minute load average before measuring (-1 = unknown):
                                  // timings on a busy machine are not comparable
};

// `threads` <= 0 leaves the runtime default. ConfigError on bad options.
Measurement measureDecoding(models::EncoderDecoder& net, const MeasureOptions& opt, int threads);

// Decodes every sentence of `src` (a source-only batch) with beam search of size `beam`
// (1 = greedy) for exactly `steps` decoder steps: EOS is neither allowed before nor avoided at
// steps - 1 tokens (decode::decodeBatch).
std::vector<std::vector<decode::Hypothesis>> decodeForcedLength(models::EncoderDecoder& net,
                                                                 const data::Batch& src, int beam,
                                                                 int steps);

// `n` random sources of `len - 1` tokens in [4, vocab) (+ EOS), seeded.
data::Batch randomSourceBatch(int n, int len, int vocab, uint64_t seed);

}  // namespace lt::report
