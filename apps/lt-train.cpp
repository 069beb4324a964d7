// lt-train: parse -> validate -> build (vocabulary, corpus, model) -> train.
// All the work is in src/cli (options) and src/train (session.h); main() maps
// errors to one line on stderr and an exit code (lt::exitCodeFor).
#include <cstdio>
#include <exception>

#include "cli/train_config.h"
#include "cli/train_translator.h"
#include "common/memory.h"
#include "common/error.h"
#include "common/log.h"
#include "train/session.h"

int main(int argc, char** argv) {
  lt::tuneHeapForTensors();
  try {
    lt::cli::TrainCommandLine cl;
    cl.parse(argc, argv);
    const auto& cfg = cl.config();
    if (cfg.help) {
      std::fputs(cl.helpText().c_str(), stdout);
      return 0;
    }
    if (cfg.version) {
      std::printf("lt-train %s\n", LT_VERSION);
      return 0;
    }
    if (cfg.dumpConfig) {
      std::fputs(cl.dumpYaml().c_str(), stdout);
      return 0;
    }
    cl.validate();
    lt::initLogging(cfg.train.logLevel, cfg.train.logFile);
    spdlog::default_logger()->flush_on(spdlog::level::info);  // log file readable while training
    if (cfg.train.averageLast > 0) {
      lt::train::averageLastCheckpoints(cfg.train.model, cfg.train.averageLast);
      return 0;
    }
    return lt::train::runTrainingSession(cfg.train, cfg.model, lt::cli::beamTranslatorFactory(),
                                         cl.givenModelKeys());
  } catch (const lt::Error& e) {
    std::fprintf(stderr, "lt-train: error: %s\n", e.what());
    return lt::exitCodeFor(e);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "lt-train: internal error: %s\n", e.what());
    return lt::exitCodeFor(e);
  }
}
