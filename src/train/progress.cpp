#include "train/progress.h"

#include <unistd.h>

#include <cmath>
#include <cstdio>

#include "common/log.h"
#include "train/system.h"

namespace lt::train {

std::string formatDuration(double s) {
  if (!std::isfinite(s) || s < 0) return "?";
  int64_t t = int64_t(s + 0.5);
  int64_t h = t / 3600, m = (t / 60) % 60, sec = t % 60;
  if (h > 0) return fmt::format("{}:{:02d}:{:02d}", h, m, sec);
  return fmt::format("{}:{:02d}", m, sec);
}

Progress::Progress(const ProgressOptions& o) : o_(o) {
  if (o.mode == "bar") bar_ = true;
  else if (o.mode == "auto") bar_ = ::isatty(STDERR_FILENO) != 0;
}

void Progress::start() {
  runTimer_.reset();
  windowTimer_.reset();
  barTimer_.reset();
  drawTimer_.reset();
  excluded_ = barExcluded_ = 0;
}

std::string Progress::eta(int64_t updates) const {
  double elapsed = runTimer_.seconds();
  int64_t done = updates - startUpdates_;
  double byTime = o_.timeLimitSeconds > 0 ? o_.timeLimitSeconds - elapsed : INFINITY;
  double byUpdates = INFINITY;
  if (o_.maxUpdates > 0 && done > 0)
    byUpdates = elapsed / double(done) * double(o_.maxUpdates - updates);
  double e = std::min(byTime, byUpdates);
  return std::isfinite(e) ? formatDuration(std::max(0.0, e)) : "?";
}

void Progress::update(int64_t updates, int64_t epoch, const RationalLoss& loss,
                      const RationalLoss& nll, double lr, int64_t tgtTokens, double gradNorm) {
  if (startUpdates_ < 0) startUpdates_ = updates - 1;
  winLoss_ += loss;
  winNll_ += nll;
  winTokens_ += tgtTokens;
  ++winUpdates_;
  barLoss_ += loss;
  barNll_ += nll;
  barTokens_ += tgtTokens;
  lastGradNorm_ = gradNorm;
  if (bar_ && (drawTimer_.seconds() > 0.25 || updates == o_.maxUpdates)) {
    drawBar(updates, epoch, lr);
    drawTimer_.reset();
  }
  if (o_.logFreq > 0 && updates % o_.logFreq == 0) {
    double secs = std::max(1e-9, windowTimer_.seconds() - excluded_);
    double tps = secs > 0 ? double(winTokens_) / secs : 0;
    lastTokPerSec_ = tps;
    message(fmt::format(
        "ep {} up {} | loss {:.4f} ppl {:.2f} | lr {:.3e} | gnorm {:.3f} | {:.0f} tgt tok/s | {:.2f} s/up | "
        "elapsed {} eta {} | rss {}",
        epoch, updates, winLoss_.mean(), winNll_.perplexity(), lr, gradNorm, tps,
        secs / double(std::max<int64_t>(winUpdates_, 1)), formatDuration(runTimer_.seconds()),
        eta(updates), formatBytes(currentRssBytes())));
    winLoss_.reset();
    winNll_.reset();
    winTokens_ = 0;
    winUpdates_ = 0;
    excluded_ = 0;
    windowTimer_.reset();
  }
}

void Progress::drawBar(int64_t updates, int64_t epoch, double lr) {
  double secs = std::max(1e-9, barTimer_.seconds() - barExcluded_);
  double tps = secs > 0 ? double(barTokens_) / secs : 0;
  std::string bar;
  if (o_.maxUpdates > 0) {
    const int width = 20;
    int filled = int(double(width) * double(updates) / double(o_.maxUpdates));
    filled = std::clamp(filled, 0, width);
    bar = "[" + std::string(size_t(filled), '#') + std::string(size_t(width - filled), '.') + "] ";
  }
  std::string total = o_.maxUpdates > 0 ? fmt::format("/{}", o_.maxUpdates) : "";
  std::fprintf(stderr, "\r\033[K%sup %lld%s ep %lld | loss %.3f ppl %.2f | lr %.2e | %.0f tok/s | eta %s",
               bar.c_str(), (long long)updates, total.c_str(), (long long)epoch, barLoss_.mean(),
               barNll_.perplexity(), lr, tps, eta(updates).c_str());
  std::fflush(stderr);
  barVisible_ = true;
  if (secs > 5) {  // sliding window for the bar figures
    barLoss_.reset();
    barNll_.reset();
    barTokens_ = 0;
    barExcluded_ = 0;
    barTimer_.reset();
  }
}

void Progress::message(const std::string& line) {
  if (barVisible_) {
    std::fprintf(stderr, "\r\033[K");
    std::fflush(stderr);
    barVisible_ = false;
  }
  spdlog::info("{}", line);
}

void Progress::finish() {
  if (barVisible_) {
    std::fprintf(stderr, "\n");
    barVisible_ = false;
  }
}

}  // namespace lt::train
