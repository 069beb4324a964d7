// RunLock: one holder at a time, a refusal naming the holder's pid, nothing stale after a
// holder dies (kill -9 included), and the file gone after a clean release.
#include <doctest/doctest.h>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "common/error.h"
#include "common/run_lock.h"
#include "support/error_message.h"
#include "support/temp_files.h"

using namespace lt;
namespace fs = std::filesystem;

namespace {
fs::path lockDir() { return lt::test::freshTempDir("run_lock_test"); }
// The refusal's message, or "" when the lock was taken (and released again).
std::string refusal(const std::string& path) {
  std::string m = lt::test::errorMessage<IoError>([&] { RunLock again(path, "model 'm.lt'"); });
  return m == "no exception" ? "" : m;
}
}  // namespace

TEST_CASE("run lock: a second holder is refused with the first one's pid; released on destruction") {
  const fs::path d = lockDir();
  const std::string path = (d / "m.lt.lock").string();
  {
    RunLock first(path, "model 'm.lt'");
    CHECK(fs::exists(path));
    // flock conflicts between open file descriptions, also within one process.
    CHECK(refusal(path) == "model 'm.lt' is in use by another process (pid " + std::to_string(::getpid()) +
                               "), which holds the lock file '" + path +
                               "'; wait for it to finish or use another path");
  }
  CHECK_FALSE(fs::exists(path));
  { RunLock again(path, "model 'm.lt'"); }
  fs::remove_all(d);
}

TEST_CASE("run lock: a holder killed with SIGKILL leaves its file but never blocks the next run") {
  const fs::path d = lockDir();
  const std::string path = (d / "k.lock").string();
  int ready[2];
  REQUIRE(::pipe(ready) == 0);
  const pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    RunLock held(path, "x");
    char c = 1;
    if (::write(ready[1], &c, 1) != 1) ::_exit(2);
    ::pause();
    ::_exit(0);
  }
  char c = 0;
  REQUIRE(::read(ready[0], &c, 1) == 1);
  CHECK(refusal(path).find("(pid " + std::to_string(child) + ")") != std::string::npos);
  ::kill(child, SIGKILL);
  int status = 0;
  ::waitpid(child, &status, 0);
  CHECK(fs::exists(path));  // left behind by the killed holder
  CHECK(refusal(path).empty());
  ::close(ready[0]);
  ::close(ready[1]);
  fs::remove_all(d);
}
