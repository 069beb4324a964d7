// Progress display of the training loop (a TrainingObserver in Marian's
// terms): a one-line bar redrawn in place on a terminal (updates, epoch, loss,
// ppl, lr, target tokens/s, ETA), or plain log lines otherwise. Log lines go
// through spdlog, so they also reach the --log-file.
#pragma once
#include <cstdint>
#include <string>

#include "common/memory_limit.h"
#include "common/timer.h"
#include "train/loss.h"

namespace lt::train {

struct ProgressOptions {
  std::string mode = "auto";  // auto | bar | lines
  int64_t logFreq = 100;
  int64_t maxUpdates = 0;      // for the ETA (0 = unknown)
  double timeLimitSeconds = 0;
};

class Progress {
public:
  explicit Progress(const ProgressOptions& o);
  // Starts the clocks (call when the training loop starts).
  void start();

  // After every update: the training loss (label-smoothed) and plain NLL of
  // that update, with its target token count.
  void update(int64_t updates, int64_t epoch, const RationalLoss& loss, const RationalLoss& nll,
              double lr, int64_t tgtTokens, double gradNorm);
  // A message that must not be overwritten by the bar (validation, checkpoints).
  void message(const std::string& line);
  void finish();
  // Time spent outside training updates (validation, checkpoints) is excluded
  // from the tokens/s and s/update figures.
  void excludeSeconds(double s) { excluded_ += s; barExcluded_ += s; }
  bool barMode() const { return bar_; }

private:
  void drawBar(int64_t updates, int64_t epoch, double lr);
  std::string eta(int64_t updates) const;

  ProgressOptions o_;
  bool bar_ = false;
  bool barVisible_ = false;
  Timer runTimer_, windowTimer_, drawTimer_;
  int64_t startUpdates_ = -1;
  RationalLoss winLoss_, winNll_;
  int64_t winTokens_ = 0, winUpdates_ = 0;
  double lastTokPerSec_ = 0;
  double excluded_ = 0, barExcluded_ = 0;
  double lastGradNorm_ = 0;
  RationalLoss barLoss_, barNll_;
  int64_t barTokens_ = 0;
  Timer barTimer_;
};

std::string formatDuration(double seconds);  // "1:02:03" or "2:03"
using lt::formatBytes;                        // "512.0 MiB" (common/memory_limit.h)

}  // namespace lt::train
