// lt-translate: batched beam search with a trained lt model.
//   lt-translate --model M.lt [--input F] [--output F] [--beam-size 4] ... (--help for all)
// Raw text in (one sentence per line, stdin by default), detokenised text out in input
// order; empty lines give empty lines. With --n-best N the output has N lines per input:
// "index<TAB>score<TAB>text". Options: src/cli/decode_options.h (also as --config YAML keys).
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <strings.h>

#include "cli/decode_options.h"
#include "cli/program.h"
#include "common/error.h"
#include "common/log.h"
#include "common/memory.h"
#include "common/memory_limit.h"
#include "common/output_file.h"
#include "common/path_identity.h"
#include "common/threads.h"
#include "decode/decode_limits.h"
#include "decode/input_limit.h"
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

int translate(const cli::TranslateConfig& c) {
  cli::validateTranslateConfig(c);
  initLogging(c.quiet ? "warn" : "info");
  setThreads(c.threads);
  warnPassiveWait(c.decoding.workers);
  kernels::setReferenceKernels(c.kernels == "ref");
  LT_CHECK(c.decoding.workers <= numThreads(), ConfigError,
           "--workers {} exceeds the {} threads (--threads): each worker needs at least one",
           c.decoding.workers, numThreads());
  // The output replaces nothing the run reads (symlinks and hard links included).
  checkOutputIsNotAnInput({"--output", c.output}, {{"--input", c.input}, {"--model", c.model}});
  const double memLimit = parseMemoryLimit(c.memoryLimit, "--memory-limit");
  // int8 decoding of an int8 model file packs the file's rows as they are: its f32 matrices
  // are never materialized.
  auto model = models::TranslationModel::load(c.model, c.precision == InferencePrecision::Int8);
  // packed linear weights (ops::packLinearWeight), fp32 or int8; their fp32 sources are
  // dropped (decoding reads only the packed copies)
  model->params.freezeForInference(c.precision, /*releaseReplaced=*/true);
  decode::TranslateOptions opt = c.decoding;
  opt.search.maxLenCap = model->config.maxPositions - 1;
  opt.inputLimit = {decode::resolveMaxInputTokens(c.maxInputLength, model->config.maxPositions),
                    decode::longInputPolicyFromName(c.maxInputLengthPolicy).value()};  // an allowed value
  decode::checkDecodeLimits(model->config, opt, memLimit, memoryLimitSource(c.memoryLimit, "--memory-limit"));
  decode::Translator translator = decode::makeTranslator(*model, opt);

  // A file output appears whole at the end, or not at all (common/output_file.h).
  decode::InputLines reader(c.input, opt.inputLimit, translator.longInputs());
  OutputFile outFile(c.output, "--output");
  std::ostream& out = outFile.stream();
  std::vector<std::string> lines;
  size_t base = 0;
  while (reader.nextChunk(c.chunkLines, lines)) {
    auto res = translator.translate(lines, reader.origin());
    for (size_t i = 0; i < res.size(); ++i) {
      if (opt.search.nBest == 1) {
        out << (res[i].empty() ? "" : translator.detokenize(res[i][0])) << '\n';
      } else {
        for (const auto& h : res[i])
          out << (base + i) << '\t' << fmt::format("{:.6f}", h.score) << '\t' << translator.detokenize(h) << '\n';
      }
    }
    outFile.flush();  // a failed write stops at the first chunk, not after the whole input
    base += lines.size();
  }
  outFile.commit();
  if (auto s = translator.longInputs().summary(opt.inputLimit); !s.empty()) spdlog::warn("{}", s);

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
