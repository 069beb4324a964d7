#include "common/threads.h"

#include <omp.h>

namespace lt {
void setThreads(int n) {
  if (n > 0) omp_set_num_threads(n);
}
int numThreads() { return omp_get_max_threads(); }
}  // namespace lt
