// lt-train's configuration: the training options (train/train_options.h) and
// the model architecture (models/model_config.h), declared once in an
// OptionTable (option_table.h) whose names are both the long flags and the
// YAML keys. Precedence: defaults < --config files (left to right) < flags; a
// resumed run takes the architecture from its model file.
#pragma once
#include <string>
#include <vector>

#include "cli/option_table.h"
#include "models/model_config.h"
#include "train/resume_check.h"
#include "train/train_options.h"

namespace lt::cli {

struct TrainConfig {
  train::TrainOptions train;
  models::ModelConfig model;
};

// Declares lt-train's keys in `table`, bound to `cfg`: the training options and the model
// keys (models::modelConfigKeys(), set through models::setModelConfigKey).
void bindTrainConfig(OptionTable& table, TrainConfig& cfg);
// Cross-option checks (ConfigError naming the options); ranges are the table's.
void validateTrainConfig(const TrainConfig& cfg);
// The model keys a --config file or a flag set in `table`, with where (train/resume_check.h).
std::vector<train::GivenKey> givenModelKeys(const OptionTable& table);

// A TrainConfig with its own table (tests, and reading lt-train configs elsewhere).
class TrainCommandLine {
public:
  TrainCommandLine();  // declares every option, bound to config()
  TrainCommandLine(const TrainCommandLine&) = delete;
  TrainCommandLine& operator=(const TrainCommandLine&) = delete;

  // Applies --config files then flags. Throws ConfigError / IoError.
  void parse(int argc, const char* const* argv);
  // Cross-option checks (ConfigError naming the options); call after parse()
  // unless --help / --dump-config was given.
  void validate() const;

  TrainConfig& config() { return cfg_; }
  const TrainConfig& config() const { return cfg_; }
  const OptionTable& table() const { return table_; }
  OptionTable& table() { return table_; }
  std::string dumpYaml() const { return table_.dumpYaml(); }
  // Model keys set by a --config file or a flag, with where (for resuming: resume_check.h).
  std::vector<train::GivenKey> givenModelKeys() const { return cli::givenModelKeys(table_); }

private:
  TrainConfig cfg_;
  OptionTable table_;
};

// The model keys of an lt-train config file (its training keys are read and dropped; any
// other key is a ConfigError naming file:line), e.g. for lt-eval cost --model-config.
models::ModelConfig loadModelConfig(const std::string& path);

// Checks of the training options alone (used by validate()).
void validateTrainOptions(const train::TrainOptions& o);

}  // namespace lt::cli
