// Thread-count control shared by OpenMP kernels and oneDNN (both use the
// OpenMP runtime in Debian's build of oneDNN), and a small pool of workers that
// each run whole jobs with their share of the threads.
#pragma once
#include <cstddef>
#include <functional>

namespace lt {
void setThreads(int n);  // n <= 0: leave the runtime default
int numThreads();

// Runs work(i) for every i in [0, items) on `workers` threads, each with numThreads()/workers
// OpenMP threads (at least one). Items are taken in order by whichever worker is free.
// `setup` runs first in every worker; `allReady` runs on the calling thread once every
// worker's setup has finished, before any item is taken. The first exception (from setup or
// work) stops the taking of items and is rethrown here after every worker has ended.
void runOnWorkers(size_t items, int workers, const std::function<void(size_t)>& work,
                  const std::function<void()>& setup = {},
                  const std::function<void()>& allReady = {});
}  // namespace lt
