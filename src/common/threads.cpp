#include "common/threads.h"

#include <omp.h>

#include <algorithm>
#include <atomic>
#include <barrier>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace lt {
void setThreads(int n) {
  if (n > 0) omp_set_num_threads(n);
}
int numThreads() { return omp_get_max_threads(); }

void runOnWorkers(size_t items, int workers, const std::function<void(size_t)>& work,
                  const std::function<void()>& setup, const std::function<void()>& allReady) {
  workers = std::max(workers, 1);
  const int inner = std::max(1, numThreads() / workers);
  std::atomic<size_t> next{0};
  std::atomic<bool> failed{false};
  std::exception_ptr error;
  std::mutex errorMutex;
  auto fail = [&] {
    std::lock_guard<std::mutex> lock(errorMutex);
    if (!error) error = std::current_exception();
    failed = true;
  };
  std::barrier ready(workers + 1);
  std::vector<std::thread> pool;
  for (int w = 0; w < workers; ++w)
    pool.emplace_back([&] {
      setThreads(inner);
      try {
        if (setup) setup();
      } catch (...) {
        fail();
      }
      ready.arrive_and_wait();  // every setup done
      ready.arrive_and_wait();  // allReady done
      try {
        for (size_t k; !failed && (k = next.fetch_add(1)) < items;) work(k);
      } catch (...) {
        fail();
      }
    });
  ready.arrive_and_wait();
  try {
    if (allReady && !failed) allReady();
  } catch (...) {
    fail();
  }
  ready.arrive_and_wait();
  for (auto& t : pool) t.join();
  if (error) std::rethrow_exception(error);
}
}  // namespace lt
