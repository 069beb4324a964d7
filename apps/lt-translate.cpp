// lt-translate: batched beam search with a trained lt model.
//   lt-translate --model M.lt [--input F] [--output F] [--beam-size 4] ... (--help for all)
// Raw text in (one sentence per line, stdin by default), detokenised text out in input
// order; empty lines give empty lines. With --n-best N the output has N lines per input:
// "index<TAB>score<TAB>text". Options: src/cli/decode_options.h (also as --config YAML keys).
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <strings.h>

#include "cli/decode_options.h"
#include "cli/program.h"
#include "common/error.h"
#include "common/log.h"
#include "common/memory.h"
#include "common/threads.h"
#include "data/text_reader.h"
#include "decode/translator.h"
#include "kernels/backend.h"
#include "models/translation_model.h"

namespace {

using namespace lt;

long peakRssKb() {
  std::ifstream f("/proc/self/status");
  std::string line;
  while (std::getline(f, line))
    if (line.rfind("VmHWM:", 0) == 0) return std::stol(line.substr(6));
  return 0;
}

void warnPassiveWait(int workers) {
  if (const char* wait = std::getenv("OMP_WAIT_POLICY");
      wait && numThreads() / workers > 1 && strcasecmp(wait, "passive") == 0)
    spdlog::warn(
        "OMP_WAIT_POLICY=PASSIVE: idle OpenMP threads sleep between decoding's many small "
        "parallel regions; on a 2-core test machine this made decoding 3-6x slower "
        "(docs/performance.md). Unset it for speed.");
}

// Reads `input` in chunks of c.chunkLines lines, translates each chunk, writes to `out`.
void translateStream(decode::Translator& translator, const cli::TranslateConfig& c, std::ostream& out) {
  data::LineReader reader(c.input);
  std::vector<std::string> lines;
  std::string line;
  size_t base = 0;
  const int nBest = c.decoding.search.nBest;
  auto flush = [&]() {
    auto res = translator.translate(lines);
    for (size_t i = 0; i < res.size(); ++i) {
      if (nBest == 1) {
        out << (res[i].empty() ? "" : translator.detokenize(res[i][0])) << '\n';
      } else {
        for (const auto& h : res[i])
          out << (base + i) << '\t' << fmt::format("{:.6f}", h.score) << '\t' << translator.detokenize(h) << '\n';
      }
    }
    out.flush();
    base += lines.size();
    lines.clear();
  };
  while (reader.next(line)) {
    lines.push_back(line);
    if (lines.size() >= c.chunkLines) flush();
  }
  if (!lines.empty()) flush();
}

int translate(const cli::TranslateConfig& c) {
  cli::validateTranslateConfig(c);
  initLogging(c.quiet ? "warn" : "info");
  setThreads(c.threads);
  warnPassiveWait(c.decoding.workers);
  kernels::setReferenceKernels(c.kernels == "ref");
  LT_CHECK(c.decoding.workers <= numThreads(), ConfigError,
           "--workers {} exceeds the {} threads (--threads): each worker needs at least one",
           c.decoding.workers, numThreads());
  // int8 decoding of an int8 model file packs the file's rows as they are: its f32 matrices
  // are never materialized.
  auto model = models::TranslationModel::load(c.model, c.precision == InferencePrecision::Int8);
  // packed linear weights (ops::packLinearWeight), fp32 or int8; their fp32 sources are
  // dropped (decoding reads only the packed copies)
  model->params.freezeForInference(c.precision, /*releaseReplaced=*/true);
  decode::Translator translator = decode::makeTranslator(*model, c.decoding);

  std::ofstream fileOut;
  std::ostream* out = &std::cout;
  if (c.output != "-") {
    fileOut.open(c.output);
    LT_CHECK(fileOut.good(), IoError, "--output: cannot write '{}'", c.output);
    out = &fileOut;
  }
  translateStream(translator, c, *out);
  LT_CHECK(out->good(), IoError, "--output: write to '{}' failed", c.output);

  const auto& st = translator.stats();
  if (!c.quiet && st.seconds > 0)
    spdlog::info("translated {} sentences in {:.2f} s: {:.1f} sentences/s, {:.0f} target tokens/s, "
                 "peak memory {:.1f} MiB",
                 st.sentences, st.seconds, st.sentences / st.seconds, st.targetTokens / st.seconds,
                 peakRssKb() / 1024.0);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  lt::tuneHeapForTensors();
  lt::cli::Program program("lt-translate", "Translates text with a trained lt model (beam search).");
  lt::cli::TranslateConfig cfg;
  lt::cli::Command& cmd = program.command();
  lt::cli::bindTranslateConfig(cmd.table, cfg);
  cmd.run = [&] { return translate(cfg); };
  return program.main(argc, argv);
}
