#include "train/lr_schedule.h"

#include <cmath>
#include <numbers>

#include "common/error.h"

namespace lt::train {

namespace {

double warmup(const LrScheduleOptions& o, int64_t n) {
  return o.warmupInitLr + double(n) * (o.peak - o.warmupInitLr) / double(o.warmupUpdates);
}

class InverseSqrt final : public LrSchedule {
public:
  explicit InverseSqrt(const LrScheduleOptions& o) : o_(o) {}
  double lr(int64_t n) const override {
    if (n < o_.warmupUpdates) return warmup(o_, n);
    if (o_.warmupUpdates == 0) return o_.peak / std::sqrt(double(std::max<int64_t>(n, 1)));
    return o_.peak * std::sqrt(double(o_.warmupUpdates)) / std::sqrt(double(n));
  }

private:
  LrScheduleOptions o_;
};

class Cosine final : public LrSchedule {
public:
  explicit Cosine(const LrScheduleOptions& o) : o_(o) {}
  double lr(int64_t n) const override {
    if (n < o_.warmupUpdates) return warmup(o_, n);
    const int64_t c = n - o_.warmupUpdates;
    const int64_t t = c % o_.periodUpdates;
    return o_.minLr + 0.5 * (o_.peak - o_.minLr) *
                          (1.0 + std::cos(std::numbers::pi * double(t) / double(o_.periodUpdates)));
  }

private:
  LrScheduleOptions o_;
};

class Constant final : public LrSchedule {
public:
  explicit Constant(const LrScheduleOptions& o) : o_(o) {}
  double lr(int64_t n) const override { return n < o_.warmupUpdates ? warmup(o_, n) : o_.peak; }

private:
  LrScheduleOptions o_;
};

}  // namespace

std::unique_ptr<LrSchedule> makeLrSchedule(const LrScheduleOptions& o) {
  LT_CHECK(o.warmupUpdates >= 0, ConfigError, "warmup-updates must be >= 0, got {}", o.warmupUpdates);
  LT_CHECK(o.peak > 0, ConfigError, "lr must be > 0, got {}", o.peak);
  if (o.kind == "inverse-sqrt") return std::make_unique<InverseSqrt>(o);
  if (o.kind == "constant") return std::make_unique<Constant>(o);
  if (o.kind == "cosine") {
    LT_CHECK(o.periodUpdates > 0, ConfigError,
             "lr-schedule cosine: lr-period-updates must be > 0 (or set max-updates), got {}",
             o.periodUpdates);
    return std::make_unique<Cosine>(o);
  }
  LT_THROW(ConfigError, "lr-schedule: '{}' is not one of inverse-sqrt, cosine, constant", o.kind);
}

}  // namespace lt::train
