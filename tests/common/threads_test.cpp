// runOnWorkers: every item runs exactly once, setups and allReady come before any item,
// each worker gets its share of the OpenMP threads, the first error is rethrown.
#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <set>
#include <stdexcept>
#include <thread>
#include <vector>

#include "common/threads.h"

using namespace lt;

TEST_CASE("runOnWorkers runs every item once after all setups and allReady") {
  const int before = numThreads();
  setThreads(4);
  for (int workers : {1, 2, 4}) {
    CAPTURE(workers);
    std::vector<std::atomic<int>> runs(50);
    std::atomic<int> setups{0}, readyAt{-1}, started{0}, badThreads{0};
    std::mutex mu;
    std::set<std::thread::id> ids;
    runOnWorkers(
        runs.size(), workers,
        [&](size_t k) {
          if (numThreads() != 4 / workers) ++badThreads;
          if (readyAt.load() != workers) ++badThreads;  // allReady saw every setup first
          ++started;
          ++runs[k];
          std::lock_guard<std::mutex> lock(mu);
          ids.insert(std::this_thread::get_id());
        },
        [&] { ++setups; }, [&] { readyAt = started.load() == 0 ? setups.load() : -2; });
    CHECK(setups == workers);
    CHECK(readyAt == workers);
    CHECK(badThreads == 0);
    CHECK(int(ids.size()) <= workers);
    CHECK(ids.count(std::this_thread::get_id()) == 0);
    for (auto& r : runs) CHECK(r == 1);
  }
  CHECK(numThreads() == 4);  // the caller's count is left alone
  setThreads(before);
}

TEST_CASE("runOnWorkers rethrows the first error and stops taking items") {
  std::atomic<int> ran{0};
  CHECK_THROWS_WITH_AS(runOnWorkers(1000, 2,
                                    [&](size_t k) {
                                      ++ran;
                                      if (k == 3) throw std::runtime_error("item three");
                                      std::this_thread::sleep_for(std::chrono::microseconds(200));
                                    }),
                       "item three", std::runtime_error);
  CHECK(ran < 1000);
  CHECK_THROWS_WITH_AS(runOnWorkers(10, 2, [](size_t) {}, [] { throw std::runtime_error("setup"); }),
                       "setup", std::runtime_error);
}
