// What lt-train does after option parsing, as library calls (so apps stay
// thin): read the corpora, train or load the vocabularies (SentencePiece on
// the training text when --vocab is not given, like Marian), build or load
// the model (fitting a size budget when `budget:` is set), wire the model
// into the Trainer and run it (validation BLEU decodes with decode::makeTranslator, greedy or
// beam as --valid-decode says); and checkpoint averaging.
#pragma once
#include <string>
#include <vector>

#include "models/model_config.h"
#include "models/translation_model.h"
#include "train/resume_check.h"
#include "train/train_options.h"

namespace lt::train {

// Runs a whole training session; returns the process exit code (0, or
// 128 + signal when stopped by SIGINT/SIGTERM). Throws lt::Error subclasses.
// Holds the run lock <model>.lock (common/run_lock.h) throughout: a second process on the same
// --model is refused. Continuing an existing model refuses model keys in `givenModelKeys`
// that differ from the checkpoint's (train/resume_check.h); a new model whose estimated size
// exceeds --memory-limit is refused before anything is read (models/model_memory.h).
int runTrainingSession(const TrainOptions& opts, const models::ModelConfig& modelConfig,
                       const std::vector<GivenKey>& givenModelKeys = {});

// --average-last N: averages the parameters of the last N numbered
// checkpoints of --model (<stem>.u<update><ext>, newest by update number)
// element-wise (summed in double, divided by N) and writes
// <stem>.avg<N><ext>. Returns the path written.
std::string averageLastCheckpoints(const std::string& model, int n);

// Numbered checkpoints of `model` found on disk, oldest first.
std::vector<std::string> findNumberedCheckpoints(const std::string& model);

}  // namespace lt::train
