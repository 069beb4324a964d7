#include "train/trainer.h"

#include <algorithm>
#include <cmath>
#include <filesystem>

#include "autodiff/var.h"
#include "common/error.h"
#include "common/log.h"
#include "common/profiler.h"
#include "common/threads.h"
#include "common/timer.h"
#include "eval/bleu.h"
#include "train/file_io.h"
#include "train/state_file.h"
#include "train/system.h"

namespace lt::train {

namespace fs = std::filesystem;

namespace {

uint64_t splitmix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

std::string withSuffix(const std::string& model, const std::string& mid) {
  fs::path p(model);
  std::string ext = p.extension().string();
  fs::path stem = p.parent_path() / p.stem();
  return stem.string() + "." + mid + ext;
}

data::BatchOptions batchOptions(const TrainOptions& o) {
  data::BatchOptions b;
  b.maxTokens = o.maxTokens;
  b.sortChunk = size_t(o.sortChunk);
  b.shuffle = true;
  b.seed = o.seed;
  return b;
}

LrScheduleOptions scheduleOptions(const TrainOptions& o) {
  LrScheduleOptions s;
  s.kind = o.lrSchedule;
  s.peak = o.lr;
  s.warmupUpdates = o.warmupUpdates;
  s.warmupInitLr = o.warmupInitLr;
  s.minLr = o.minLr;
  s.periodUpdates = o.lrPeriodUpdates > 0 ? o.lrPeriodUpdates : o.maxUpdates - o.warmupUpdates;
  return s;
}

AdamOptions adamOptions(const TrainOptions& o) {
  AdamOptions a;
  a.beta1 = o.adamBetas.size() > 0 ? o.adamBetas[0] : 0.9;
  a.beta2 = o.adamBetas.size() > 1 ? o.adamBetas[1] : 0.98;
  a.eps = o.adamEps;
  a.weightDecay = o.weightDecay;
  a.decayMode = o.weightDecayMode == "l2" ? WeightDecayMode::L2 : WeightDecayMode::Decoupled;
  return a;
}

ProgressOptions progressOptions(const TrainOptions& o) {
  ProgressOptions p;
  p.mode = o.progress;
  p.logFreq = o.logFreq;
  p.maxUpdates = o.maxUpdates;
  p.timeLimitSeconds = o.timeLimitSeconds;
  return p;
}

}  // namespace

std::string statePathFor(const std::string& model) { return model + ".state"; }
std::string lockPathFor(const std::string& model) { return model + ".lock"; }
std::string numberedPathFor(const std::string& model, int64_t update) {
  return withSuffix(model, "u" + std::to_string(update));
}
std::string bestPathFor(const std::string& model) { return withSuffix(model, "best"); }
std::string averagedPathFor(const std::string& model, int n) {
  return withSuffix(model, "avg" + std::to_string(n));
}

Trainer::Trainer(const TrainOptions& opts, ParamStore& params, const data::Corpus& train,
                 const ValidationData* valid, ModelHooks hooks, std::string stateTag)
    : opts_(opts),
      params_(params),
      trainCorpus_(train),
      valid_(valid),
      hooks_(std::move(hooks)),
      tag_(std::move(stateTag)),
      gen_(train, batchOptions(opts)),
      adam_(adamOptions(opts)),
      schedule_(makeLrSchedule(scheduleOptions(opts))),
      progress_(progressOptions(opts)) {
  LT_CHECK(hooks_.loss, Error, "Trainer: no loss function");
  state_.seed = opts.seed;
  state_.bestMetric = opts.earlyStoppingMetric;
  if (valid_ && !valid_->corpus.empty()) {
    data::BatchOptions vb;
    vb.maxTokens = opts.maxTokens;
    vb.shuffle = false;
    data::BatchGenerator vg(valid_->corpus, vb);
    do {
      validBatches_.push_back(vg.next());
    } while (!vg.endOfEpoch());
  }
}

Trainer::~Trainer() = default;

uint64_t Trainer::dropoutSeed(int64_t update, int k) const {
  return splitmix64(opts_.seed ^ splitmix64(uint64_t(update) * 1024 + uint64_t(k)));
}

void Trainer::resumeFrom(const std::string& path) {
  LoadedState ls = readStateFile(path, adam_, params_);
  LT_CHECK(ls.tag == tag_, IoError,
           "{}: the training state belongs to a different model or vocabulary; remove it (or "
           "use --resume false with a new --model) to start over",
           path);
  state_ = std::move(ls.state);
  gen_.loadState(state_.batchGenerator);
  lastValidUpdate_ = lastSavedUpdate_ = state_.updates;
  modelFileMayLag_ = true;
  progress_.message(fmt::format("resumed from {}: update {}, epoch {}, {} target tokens seen", path,
                                state_.updates, state_.epoch, state_.tgtTokens));
  if (opts_.maxUpdates > 0 && state_.updates >= opts_.maxUpdates)
    spdlog::warn("nothing to train: {} is at update {} and --max-updates is {}; raise --max-updates "
                 "to continue this run",
                 path, state_.updates, opts_.maxUpdates);
}

void Trainer::trainUpdate() {
  if (hooks_.beforeUpdate) hooks_.beforeUpdate(state_.updates);
  {
    profiler::Section zs("zero_grad");
    params_.zeroGrad();
  }
  RationalLoss upLoss, upNll;
  const float ls = float(opts_.labelSmoothing);
  for (int k = 0; k < opts_.updateFreq; ++k) {
    data::Batch batch = [&] {
      profiler::Section bs("batching");
      return gen_.next();
    }();
    // Activations come from the heap, not an Arena: a bump arena keeps every
    // intermediate of forward + backward alive until the batch ends (and
    // fragments across batch shapes), which cost GBs at 4096-token batches;
    // the heap frees each tensor as soon as the tape drops it.
    ops::CrossEntropyResult r = hooks_.loss(batch, ls, true, dropoutSeed(state_.updates, k));
    const double lossValue = r.loss.value().item();
    if (!std::isfinite(lossValue) || !std::isfinite(r.nll)) {
      clearTape();
      LT_THROW(NumericError,
               "training loss is {} at update {} (epoch {}, batch of {} sentences); stopped "
               "without writing a checkpoint, the last good one is '{}' (update {})",
               lossValue, state_.updates + 1, gen_.epoch(), batch.sentences(), opts_.model,
               lastSavedUpdate_ < 0 ? std::string("none") : std::to_string(lastSavedUpdate_));
    }
    backward(r.loss);
    upLoss += RationalLoss{lossValue, double(r.tokens)};
    upNll += RationalLoss{r.nll, double(r.tokens)};
    state_.batches += 1;
    state_.sentences += int64_t(batch.sentences());
  }
  const double tokens = std::max(upNll.count, 1.0);
  const double scale = 1.0 / tokens;
  const double gnorm = [&] {
    profiler::Section gs("grad_norm");
    return std::sqrt(gradSquaredNorm(params_)) * scale;
  }();
  LT_CHECK(std::isfinite(gnorm), NumericError,
           "gradient norm is {} at update {}; stopped without writing a checkpoint, the last good "
           "one is '{}' (update {})",
           gnorm, state_.updates + 1, opts_.model,
           lastSavedUpdate_ < 0 ? std::string("none") : std::to_string(lastSavedUpdate_));
  double coef = 1.0;
  if (opts_.clipNorm > 0 && gnorm > opts_.clipNorm) coef = opts_.clipNorm / (gnorm + 1e-6);
  const double lr = schedule_->lr(state_.updates);
  {
    profiler::Section as("adam");
    adam_.step(params_, lr, scale * coef);
  }
  state_.updates += 1;
  state_.lr = lr;
  state_.tgtTokens += int64_t(upNll.count);
  state_.epoch = int64_t(gen_.epoch());
  progress_.update(state_.updates, state_.epoch, upLoss, upNll, lr, int64_t(upNll.count), gnorm);
}

ValidationRecord Trainer::validate() {
  ValidationRecord rec;
  rec.update = state_.updates;
  rec.epoch = state_.epoch;
  rec.seconds = state_.trainSeconds;
  Timer t;
  {
    NoGradScope ng;
    RationalLoss nll;
    for (const auto& b : validBatches_) {
      ops::CrossEntropyResult r = hooks_.loss(b, 0.f, false, 0);
      nll += RationalLoss{r.nll, double(r.tokens)};
    }
    rec.ce = nll.mean();
    rec.ppl = nll.perplexity();
  }
  const bool wantBleu = std::find(opts_.validMetrics.begin(), opts_.validMetrics.end(), "bleu") !=
                            opts_.validMetrics.end() ||
                        opts_.earlyStoppingMetric == "bleu";
  std::string bleuText;
  if (wantBleu && hooks_.translate && valid_ && !valid_->src.empty()) {
    size_t n = valid_->src.size();
    if (opts_.validMaxSentences > 0) n = std::min(n, size_t(opts_.validMaxSentences));
    std::vector<std::string> src(valid_->src.begin(), valid_->src.begin() + long(n));
    std::vector<std::string> ref(valid_->ref.begin(), valid_->ref.begin() + long(n));
    std::vector<std::string> hyp;
    {
      NoGradScope ng;
      hyp = hooks_.translate(src);
    }
    eval::Bleu bleu{eval::BleuOptions{}};
    bleu.setReferences({ref});
    rec.bleu = bleu.corpusScore(hyp).score;
    bleuText = fmt::format(" bleu {:.2f} ({} sentences)", rec.bleu, n);
  }
  progress_.message(fmt::format("valid | ep {} up {} | ce {:.4f} ppl {:.2f}{} | {:.1f} s", rec.epoch,
                                rec.update, rec.ce, rec.ppl, bleuText, t.seconds()));
  return rec;
}

void Trainer::afterValidation(ValidationRecord rec) {
  state_.history.push_back(rec);
  lastValidUpdate_ = state_.updates;
  const std::string& metric = opts_.earlyStoppingMetric;
  const double v = metricValue(metric, rec);
  if (metric == "bleu" && v < 0) return;  // no BLEU computed
  if (state_.bestUpdate < 0 || metricImproves(metric, v, state_.bestValue)) {
    state_.bestMetric = metric;
    state_.bestValue = v;
    state_.bestUpdate = state_.updates;
    state_.stalled = 0;
    if (opts_.keepBest && hooks_.save) {
      hooks_.save(bestPathFor(opts_.model));
      progress_.message(fmt::format("new best {} {:.4f}: saved {}", metric, v, bestPathFor(opts_.model)));
    }
  } else {
    state_.stalled += 1;
    progress_.message(fmt::format("no improvement of {} for {} validation(s) (best {:.4f} at update {})",
                                  metric, state_.stalled, state_.bestValue, state_.bestUpdate));
  }
}

void Trainer::checkpoint(bool numbered) {
  state_.batchGenerator = gen_.saveState();
  state_.epoch = int64_t(gen_.epoch());
  std::string numberedPath;
  std::vector<std::string> dropped;
  if (numbered && opts_.keepLast > 0 && hooks_.save) {
    numberedPath = numberedPathFor(opts_.model, state_.updates);
    if (state_.keptCheckpoints.empty() || state_.keptCheckpoints.back() != numberedPath)
      state_.keptCheckpoints.push_back(numberedPath);
    while (int(state_.keptCheckpoints.size()) > opts_.keepLast) {
      dropped.push_back(state_.keptCheckpoints.front());
      state_.keptCheckpoints.erase(state_.keptCheckpoints.begin());
    }
  }
  // The state file first: it carries the parameters, so a kill between the files still resumes
  // exactly (the state wins over an older model file). The other order would leave, at the
  // first checkpoint, a model file without a state, which a rerun continues from update 0.
  writeStateFile(statePathFor(opts_.model), state_, adam_, params_, tag_);
  if (!numberedPath.empty()) hooks_.save(numberedPath);
  for (const auto& p : dropped) removeFile(p);
  if (hooks_.save) hooks_.save(opts_.model);
  lastSavedUpdate_ = state_.updates;
  modelFileMayLag_ = false;
  progress_.message(fmt::format("saved checkpoint {} (+ .state) at update {}", opts_.model, state_.updates));
}

Trainer::Result Trainer::run() {
  Result res;
  Timer runTimer;
  const double startSeconds = state_.trainSeconds;
  auto syncTime = [&] { state_.trainSeconds = startSeconds + runTimer.seconds(); };
  const bool haveValid = !validBatches_.empty();
  progress_.start();
  progress_.message(fmt::format(
      "training: {} pairs, {} parameters ({} tensors), max-tokens {} x update-freq {}, lr {} ({}), "
      "threads {}",
      trainCorpus_.size(), params_.numElements(), params_.size(), opts_.maxTokens, opts_.updateFreq,
      opts_.lr, opts_.lrSchedule, numThreads()));

  if (opts_.profile) {
    profiler::reset();
    profiler::enable(true);
  }
  int64_t profileLoggedAt = -1;
  auto logProfile = [&] {
    if (!opts_.profile || profileLoggedAt == state_.updates) return;
    profileLoggedAt = state_.updates;
    progress_.message(fmt::format("op-level profile of the training updates so far (wall ms):\n{}",
                                    profiler::table()));
  };
  while (true) {
    if (opts_.maxUpdates > 0 && state_.updates >= opts_.maxUpdates) {
      res.stopReason = "max-updates";
      break;
    }
    trainUpdate();
    syncTime();
    const bool epochEnd = gen_.endOfEpoch();
    bool validNow = haveValid && ((opts_.validFreq > 0 && state_.updates % opts_.validFreq == 0) ||
                                  (opts_.validFreq == 0 && epochEnd));
    bool saveNow = validNow || (opts_.saveFreq > 0 && state_.updates % opts_.saveFreq == 0) ||
                   (!haveValid && ((opts_.validFreq > 0 && state_.updates % opts_.validFreq == 0) ||
                                   (opts_.validFreq == 0 && epochEnd)));
    Timer outside;
    {
      profiler::Pause pause;
      if (validNow) afterValidation(validate());
      if (saveNow) checkpoint(true);
    }
    if (validNow) logProfile();
    progress_.excludeSeconds(outside.seconds());

    if (int sig = stopSignal()) {
      res.exitCode = 128 + sig;
      res.stopReason = "signal " + std::to_string(sig);
      progress_.message(fmt::format("received signal {}: checkpointing and stopping", sig));
      profiler::enable(false);
      if (lastSavedUpdate_ != state_.updates || modelFileMayLag_) checkpoint(false);
      progress_.finish();
      logProfile();
      return res;
    }
    if (opts_.earlyStopping > 0 && state_.stalled >= opts_.earlyStopping) {
      res.stopReason = "early-stopping";
      break;
    }
    if (opts_.maxEpochs > 0 && epochEnd && int64_t(gen_.epoch()) >= opts_.maxEpochs) {
      res.stopReason = "max-epochs";
      break;
    }
    if (opts_.timeLimitSeconds > 0 && runTimer.seconds() >= opts_.timeLimitSeconds) {
      res.stopReason = "time-limit";
      break;
    }
  }
  syncTime();
  profiler::enable(false);
  if (haveValid && lastValidUpdate_ != state_.updates) afterValidation(validate());
  if (lastSavedUpdate_ != state_.updates || modelFileMayLag_) checkpoint(true);
  progress_.finish();
  logProfile();
  progress_.message(fmt::format("stopped ({}) at update {}, epoch {}; {} target tokens in {}; peak RSS {}",
                                res.stopReason, state_.updates, state_.epoch, state_.tgtTokens,
                                formatDuration(state_.trainSeconds), formatBytes(peakRssBytes())));
  return res;
}

}  // namespace lt::train
