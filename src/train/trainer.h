// The training loop: a small driver over its collaborators (BatchGenerator,
// the model's loss via ModelHooks, Adam, LrSchedule, TrainingState,
// validation, checkpoints, Progress). The model is reached only through
// ModelHooks, so the loop is tested with any small model and lt-train wires in
// the EncoderDecoder (train/model_hooks.h).
//
// One update = update-freq batches: per batch the summed label-smoothed loss
// is back-propagated (gradients accumulate), then, like fairseq, gradients are
// multiplied by 1 / (target tokens of the update), clipped to clip-norm, and
// Adam steps with lr = schedule(completed updates). Dropout masks derive from
// (seed, update, batch-in-update), so a resumed run redraws the same masks.
//
// Checkpoints (every valid-freq / save-freq updates, at epoch ends when
// valid-freq is 0, on stop, on SIGINT/SIGTERM): the training state <model>.state
// (state_file.h, written first: it holds the parameters too), numbered copies
// <stem>.u<N><ext> (keep-last), the model file --model, and <stem>.best<ext> (keep-best).
// Every file is replaced atomically, so a kill at any moment leaves a state that resumes
// exactly and a model file that loads (tests/reliability/crash_safety.py).
#pragma once
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "autodiff/param_store.h"
#include "data/batch.h"
#include "data/batch_generator.h"
#include "data/corpus.h"
#include "ops/cross_entropy.h"
#include "train/adam.h"
#include "train/lr_schedule.h"
#include "train/progress.h"
#include "train/train_options.h"
#include "train/training_state.h"

namespace lt::train {

struct ModelHooks {
  // Teacher-forced loss of `batch` (summed over target tokens). train = true:
  // dropout on, seeded by dropoutSeed, gradients recorded.
  std::function<ops::CrossEntropyResult(const data::Batch& batch, float labelSmoothing, bool train,
                                        uint64_t dropoutSeed)>
      loss;
  // Writes the model file (current parameters) to `path` atomically.
  std::function<void(const std::string& path)> save;
  // Called before each update's batches with the number of completed updates (Performer
  // feature redraws, deterministic in the update number); may be empty.
  std::function<void(int64_t update)> beforeUpdate;
  // Translates validation source lines to detokenised text (for BLEU); may be empty.
  std::function<std::vector<std::string>(const std::vector<std::string>& src)> translate;
};

struct ValidationData {
  data::Corpus corpus;                // encoded pairs (cross-entropy)
  std::vector<std::string> src, ref;  // raw text (BLEU)
};

// Paths derived from --model: "dir/model.lt" -> "dir/model.u1000.lt", "dir/model.best.lt".
std::string statePathFor(const std::string& model);
std::string lockPathFor(const std::string& model);  // <model>.lock (the run lock)
std::string numberedPathFor(const std::string& model, int64_t update);
std::string bestPathFor(const std::string& model);
std::string averagedPathFor(const std::string& model, int n);

class Trainer {
public:
  // `params`, `train`, `valid` (may be null) must outlive the trainer.
  // `stateTag` identifies model config + vocabularies; a state file with a
  // different tag is refused on resume.
  Trainer(const TrainOptions& opts, ParamStore& params, const data::Corpus& train,
          const ValidationData* valid, ModelHooks hooks, std::string stateTag);
  ~Trainer();

  // Restores parameters, optimizer and position from a state file.
  void resumeFrom(const std::string& statePath);

  struct Result {
    int exitCode = 0;        // 0, or 128 + signal
    std::string stopReason;  // "max-updates", "max-epochs", "time-limit", "early-stopping", "signal N"
  };
  // Trains until a stop condition; throws NumericError on a NaN/Inf loss or
  // gradient (after logging; the last checkpoint on disk stays the good one).
  Result run();

  // Runs validation now (cross-entropy, perplexity, BLEU as configured).
  ValidationRecord validate();

  const TrainingState& state() const { return state_; }
  const Adam& optimizer() const { return adam_; }

private:
  void trainUpdate();
  void checkpoint(bool numbered);
  void afterValidation(ValidationRecord rec);
  uint64_t dropoutSeed(int64_t update, int k) const;

  TrainOptions opts_;
  ParamStore& params_;
  const data::Corpus& trainCorpus_;
  const ValidationData* valid_;
  ModelHooks hooks_;
  std::string tag_;
  data::BatchGenerator gen_;
  Adam adam_;
  std::unique_ptr<LrSchedule> schedule_;
  TrainingState state_;
  Progress progress_;
  std::vector<data::Batch> validBatches_;
  int64_t lastValidUpdate_ = -1, lastSavedUpdate_ = -1;
  // After resumeFrom: the model file may be one checkpoint behind the state (a kill between
  // the two writes), so the run ends with a checkpoint even when it made no update.
  bool modelFileMayLag_ = false;
};

}  // namespace lt::train
