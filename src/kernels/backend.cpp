#include "kernels/backend.h"

namespace lt::kernels {

namespace {
bool gReference = false;
thread_local MacCounter* tCounter = nullptr;
}  // namespace

void setReferenceKernels(bool on) { gReference = on; }
bool referenceKernels() { return gReference; }

MacCounterScope::MacCounterScope(MacCounter& c) : prev_(tCounter) { tCounter = &c; }
MacCounterScope::~MacCounterScope() { tCounter = prev_; }

void countMacs(int64_t n) {
  if (tCounter) tCounter->macs += n;
}
bool countingMacs() { return tCounter != nullptr; }

}  // namespace lt::kernels
