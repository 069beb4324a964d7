// RationalLoss (Marian): a loss kept as {sum, count} so that averages across
// gradient-accumulation steps, logging windows and whole validation sets are
// exact: per-word cross-entropy = sum / count, perplexity = exp of it.
#pragma once
#include <cmath>
#include <cstdint>

namespace lt::train {

struct RationalLoss {
  double sum = 0;    // summed loss (nats)
  double count = 0;  // labels (target tokens)

  RationalLoss& operator+=(const RationalLoss& o) {
    sum += o.sum;
    count += o.count;
    return *this;
  }
  double mean() const { return count > 0 ? sum / count : 0.0; }
  double perplexity() const { return std::exp(mean()); }
  void reset() { sum = count = 0; }
};

}  // namespace lt::train
