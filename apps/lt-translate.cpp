// lt-translate: batched beam search with a trained lt model.
//   lt-translate --model M.lt [--input F] [--output F] [--beam-size 4] ...
// Raw text in (one sentence per line, stdin by default), detokenised text out in
// input order; empty lines give empty lines. With --n-best N the output has N
// lines per input: "index<TAB>score<TAB>text".
#include <CLI/CLI.hpp>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <strings.h>

#include "common/memory.h"
#include "common/memory_limit.h"
#include "common/error.h"
#include "common/log.h"
#include "common/output_file.h"
#include "common/path_identity.h"
#include "common/threads.h"
#include "decode/decode_limits.h"
#include "decode/input_limit.h"
#include "decode/model_scorer.h"
#include "decode/translator.h"
#include "kernels/backend.h"
#include "models/translation_model.h"

namespace {

long peakRssKb() {
  std::ifstream f("/proc/self/status");
  std::string line;
  while (std::getline(f, line))
    if (line.rfind("VmHWM:", 0) == 0) return std::stol(line.substr(6));
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  lt::tuneHeapForTensors();
  lt::installOutputSignalHandlers();
  using namespace lt;
  CLI::App app{"lt-translate: translate text with a trained lt model (beam search)"};
  std::string modelPath, input = "-", output = "-", penalty = "fairseq", kernelsMode = "fast",
              precision = "fp32", longPolicy = "error", memoryLimit = "auto";
  size_t maxInputLength = 0;
  decode::TranslateOptions opt;
  int threads = 0;
  bool quiet = false;
  size_t chunk = 10000;
  app.add_option("--model,-m", modelPath, "model file written by lt-train")->required();
  app.add_option("--input,-i", input, "input text, one sentence per line ('-' = stdin)");
  app.add_option("--output,-o", output, "output file ('-' = stdout)");
  app.add_option("--beam-size,-b", opt.search.beamSize, "beam size (1 = greedy)")->capture_default_str();
  app.add_option("--length-penalty", penalty,
                 "fairseq: score = logprob / len^lenpen; gnmt: logprob / ((5+len)/6)^alpha")
      ->check(CLI::IsMember({"fairseq", "gnmt"}))
      ->capture_default_str();
  app.add_option("--lenpen", opt.search.lenpen, "fairseq length-penalty exponent")->capture_default_str();
  app.add_option("--alpha", opt.search.alpha, "GNMT length-penalty alpha")->capture_default_str();
  app.add_option("--max-length-a", opt.search.maxLenA, "max output length = a * source length + b")
      ->capture_default_str();
  app.add_option("--max-length-b", opt.search.maxLenB, "see --max-length-a")->capture_default_str();
  app.add_option("--n-best", opt.search.nBest, "hypotheses per input (tab-separated index, score, text)")
      ->capture_default_str();
  app.add_option("--batch-size", opt.batching.maxSentences, "sentences per batch")->capture_default_str();
  app.add_option("--batch-tokens", opt.batching.maxTokens, "source tokens per batch (0 = no limit)")
      ->capture_default_str();
  app.add_option("--threads", threads, "compute threads (0 = all cores)")->capture_default_str();
  app.add_option("--workers", opt.workers,
                 "batches decoded at once, each with threads/workers threads (output unchanged)")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_option("--chunk-lines", chunk, "lines read and translated at a time")->capture_default_str();
  app.add_option("--kernels", kernelsMode, "fast or ref (plain-loop reference kernels, for debugging)")
      ->check(CLI::IsMember({"fast", "ref"}));
  app.add_option("--precision", precision,
                 "fp32, or int8: linear layers multiply int8 weights (one scale per output) by int8 "
                 "activations (one scale per row) on VNNI; about 3x faster GEMMs, see docs/results.md "
                 "for the BLEU cost")
      ->check(CLI::IsMember({"fp32", "int8"}))
      ->capture_default_str();
  app.add_option("--max-input-length", maxInputLength,
                 "longest source line in subword tokens (0 = the model's max-positions - 1)")
      ->capture_default_str();
  app.add_option("--max-input-length-policy", longPolicy,
                 "a line over --max-input-length (or over 1 MiB): error (names file:line), truncate "
                 "(translate its first tokens), or skip (an empty output line, so the output stays "
                 "line-aligned with the input)")
      ->check(CLI::IsMember({"error", "truncate", "skip"}))
      ->capture_default_str();
  app.add_option("--memory-limit", memoryLimit,
                 "refuse a beam/batch whose decoding-memory estimate (docs/reliability.md) exceeds "
                 "this: auto (this machine's memory) or a size such as 8G, 512MiB")
      ->capture_default_str();
  app.add_flag("--quiet,-q", quiet, "no statistics on stderr");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }

  try {
    initLogging(quiet ? "warn" : "info");
    setThreads(threads);
    if (const char* wait = std::getenv("OMP_WAIT_POLICY");
        wait && numThreads() / opt.workers > 1 && strcasecmp(wait, "passive") == 0)
      spdlog::warn(
          "OMP_WAIT_POLICY=PASSIVE: idle OpenMP threads sleep between decoding's many small "
          "parallel regions; on a 2-core test machine this made decoding 3-6x slower "
          "(docs/performance.md). Unset it for speed.");
    kernels::setReferenceKernels(kernelsMode == "ref");
    LT_CHECK(opt.workers <= numThreads(), ConfigError,
             "--workers {} exceeds the {} threads (--threads): each worker needs at least one",
             opt.workers, numThreads());
    LT_CHECK(chunk > 0, ConfigError, "--chunk-lines must be positive");
    opt.search.penalty = penalty == "gnmt" ? decode::LengthPenalty::Gnmt : decode::LengthPenalty::Fairseq;
    if (opt.search.nBest > opt.search.beamSize)
      LT_THROW(ConfigError, "--n-best {} exceeds --beam-size {}", opt.search.nBest, opt.search.beamSize);

    // The output replaces nothing the run reads (symlinks and hard links included).
    checkOutputIsNotAnInput({"--output", output}, {{"--input", input}, {"--model", modelPath}});
    const double memLimit = parseMemoryLimit(memoryLimit, "--memory-limit");
    const InferencePrecision prec = precisionFromName(precision).value();  // checked by CLI11
    // int8 decoding of an int8 model file packs the file's rows as they are: its f32 matrices
    // are never materialized.
    auto model = models::TranslationModel::load(modelPath, prec == InferencePrecision::Int8);
    // packed linear weights (ops::packLinearWeight), fp32 or int8; their fp32 sources are
    // dropped (decoding reads only the packed copies)
    model->params.freezeForInference(prec, /*releaseReplaced=*/true);
    opt.search.maxLenCap = model->config.maxPositions - 1;
    opt.inputLimit = {decode::resolveMaxInputTokens(maxInputLength, model->config.maxPositions),
                      decode::longInputPolicyFromName(longPolicy).value()};  // checked by CLI11
    decode::checkDecodeLimits(model->config, opt, memLimit, memoryLimitSource(memoryLimit, "--memory-limit"));
    auto& net = *model->net;
    const auto search = opt.search;
    decode::Translator translator(
        model->srcVocab, model->tgtVocab,
        [&](const data::Batch& b, int beam) -> std::unique_ptr<decode::Scorer> {
          int steps = decode::maxDecodeSteps(b, search.maxLenA, search.maxLenB, model->config.maxPositions);
          return std::make_unique<decode::ModelScorer>(net, b, beam, steps);
        },
        opt);

    // A file output appears whole at the end, or not at all (common/output_file.h).
    decode::InputLines reader(input, opt.inputLimit, translator.longInputs());
    OutputFile outFile(output, "--output");
    std::ostream* out = &outFile.stream();
    std::vector<std::string> lines;
    size_t base = 0;
    auto flush = [&]() {
      auto res = translator.translate(lines, reader.origin());
      for (size_t i = 0; i < res.size(); ++i) {
        if (opt.search.nBest == 1) {
          *out << (res[i].empty() ? "" : translator.detokenize(res[i][0])) << '\n';
        } else {
          for (const auto& h : res[i])
            *out << (base + i) << '\t' << fmt::format("{:.6f}", h.score) << '\t' << translator.detokenize(h)
                 << '\n';
        }
      }
      outFile.flush();  // a failed write stops at the first chunk, not after the whole input
      base += lines.size();
      lines.clear();
    };
    while (reader.nextChunk(chunk, lines)) flush();
    outFile.commit();
    if (auto s = translator.longInputs().summary(opt.inputLimit); !s.empty()) spdlog::warn("{}", s);

    const auto& st = translator.stats();
    if (!quiet && st.seconds > 0)
      spdlog::info("translated {} sentences in {:.2f} s: {:.1f} sentences/s, {:.0f} target tokens/s, "
                   "peak memory {:.1f} MiB",
                   st.sentences, st.seconds, st.sentences / st.seconds, st.targetTokens / st.seconds,
                   peakRssKb() / 1024.0);
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "lt-translate: error: %s\n", e.what());
    return exitCodeFor(e);
  }
}
