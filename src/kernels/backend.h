// Kernel selection and instrumentation shared by all kernels.
//  * Reference mode (--kernels ref): every kernel entry point runs its plain-loop
//    reference implementation (kernels/ref), the test oracle, instead of the
//    fast path. For debugging numerical differences end to end.
//  * Mult-Adds counter: matmul-like kernels add the multiply-accumulates they
//    perform while a MacCounterScope is active, so the cost of a model is
//    counted from a real forward pass (lt-eval cost, lt-train budget).
#pragma once
#include <cstdint>
#include <string>

namespace lt::kernels {

void setReferenceKernels(bool on);
bool referenceKernels();

struct MacCounter {
  int64_t macs = 0;
  // Optional breakdown label set by the caller (e.g. "attention", "conv").
};

// While alive, kernels add their MACs to `c` (not thread-safe across threads:
// counting runs single-threaded forward passes).
class MacCounterScope {
public:
  explicit MacCounterScope(MacCounter& c);
  ~MacCounterScope();
  MacCounterScope(const MacCounterScope&) = delete;
  MacCounterScope& operator=(const MacCounterScope&) = delete;

private:
  MacCounter* prev_;
};

// Called by kernels: adds n multiply-accumulates to the active counter, if any.
void countMacs(int64_t n);
bool countingMacs();

}  // namespace lt::kernels
