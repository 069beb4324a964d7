// Thread-count control shared by OpenMP kernels and oneDNN (both use the
// OpenMP runtime in Debian's build of oneDNN).
#pragma once

namespace lt {
void setThreads(int n);  // n <= 0: leave the runtime default
int numThreads();
}  // namespace lt
