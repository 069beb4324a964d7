// Learning-rate schedules with fairseq's exact formulas (seed-systems.md §1.3).
// lr(n) is the rate used for the update that follows n completed updates
// (fairseq calls step_update(num_updates) after each step), so the first
// update runs at lr(0) = warmup-init-lr.
//
// Both schedules warm up linearly: for n < W,
//   lr(n) = init + n * (peak - init) / W
// inverse-sqrt (fairseq inverse_sqrt): for n >= W, lr(n) = peak * sqrt(W) / sqrt(n)
//   (W = 0: lr(n) = peak / sqrt(max(n, 1)) -- fairseq divides by sqrt(0) there; we
//    use the peak for n = 0).
// cosine (fairseq cosine, t-mult 1, lr-shrink 1): for n >= W, with c = n - W,
//   t = c mod P, lr(n) = floor + (peak - floor) * (1 + cos(pi * t / P)) / 2
//   where floor = min-lr and P = the period; after each period the cycle restarts.
#pragma once
#include <cstdint>
#include <memory>
#include <string>

namespace lt::train {

struct LrScheduleOptions {
  std::string kind = "inverse-sqrt";  // "inverse-sqrt" | "cosine" | "constant"
  double peak = 5e-4;                 // --lr
  int64_t warmupUpdates = 4000;       // W
  double warmupInitLr = 1e-7;         // lr(0)
  double minLr = 1e-7;                // cosine floor
  int64_t periodUpdates = 0;          // cosine period P (> 0)
};

class LrSchedule {
public:
  virtual ~LrSchedule() = default;
  virtual double lr(int64_t completedUpdates) const = 0;
};

// Throws ConfigError for an unknown kind or a cosine period <= 0.
std::unique_ptr<LrSchedule> makeLrSchedule(const LrScheduleOptions& opts);

}  // namespace lt::train
