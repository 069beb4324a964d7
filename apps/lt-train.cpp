// lt-train: parse -> validate -> build (vocabulary, corpus, model) -> train.
// Options: src/cli/train_config.h (every key is also a --config YAML key); the work is in
// src/train (session.h). Errors and exit codes: src/cli/program.h.
#include "cli/program.h"
#include "cli/train_config.h"
#include "common/log.h"
#include "common/memory.h"
#include "train/session.h"

namespace {

int train(const lt::cli::TrainConfig& cfg, const lt::cli::OptionTable& table) {
  lt::cli::validateTrainConfig(cfg);
  lt::initLogging(cfg.train.logLevel, cfg.train.logFile);
  spdlog::default_logger()->flush_on(spdlog::level::info);  // log file readable while training
  if (cfg.train.averageLast > 0) {
    lt::train::averageLastCheckpoints(cfg.train.model, cfg.train.averageLast);
    return 0;
  }
  return lt::train::runTrainingSession(cfg.train, cfg.model, lt::cli::givenModelKeys(table));
}

}  // namespace

int main(int argc, char** argv) {
  lt::tuneHeapForTensors();
  lt::cli::Program program("lt-train",
                           "Trains an encoder-decoder translation model. Every option is also a "
                           "YAML key of the --config files.");
  lt::cli::TrainConfig cfg;
  lt::cli::Command& cmd = program.command();
  lt::cli::bindTrainConfig(cmd.table, cfg);
  cmd.run = [&] { return train(cfg, cmd.table); };
  return program.main(argc, argv);
}
