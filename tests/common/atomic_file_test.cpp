// AtomicFileWriter: streamed bytes arrive in order across its buffer, the target changes only
// at commit(), and an abandoned writer leaves the old file and no temp file behind.
#include <doctest/doctest.h>

#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "common/atomic_file.h"
#include "common/error.h"
#include "support/temp_files.h"

using namespace lt;
namespace fs = std::filesystem;

using lt::test::put;
using lt::test::slurp;

namespace {
fs::path tempDir() { return lt::test::freshTempDir("atomic_file_test"); }
std::vector<std::string> entries(const fs::path& dir) {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(dir)) out.push_back(e.path().filename().string());
  std::sort(out.begin(), out.end());
  return out;
}
// A pid no process has: pids are below /proc/sys/kernel/pid_max.
long deadPid() {
  long max = 4194304;
  std::ifstream("/proc/sys/kernel/pid_max") >> max;
  return max;
}
}  // namespace

TEST_CASE("atomic file: pieces of every size arrive in order; the target changes at commit") {
  const fs::path dir = tempDir();
  const fs::path target = dir / "f.bin";
  put(target, "old contents");
  // Pieces around the 1 MiB buffer: small ones, one that overflows the buffer, one larger
  // than the buffer (written past it), then small ones again.
  std::string expected, tmp;
  {
    AtomicFileWriter w(target.string());
    CHECK(w.tempPath().rfind(target.string() + ".tmp." + std::to_string(::getpid()) + ".", 0) == 0);
    uint32_t x = 12345;
    auto piece = [&](size_t n) {
      std::string s(n, '\0');
      for (char& c : s) c = char((x = x * 1103515245u + 12345u) >> 24);
      w.write(s.data(), s.size());
      expected += s;
    };
    for (size_t n : {size_t(1), size_t(7), size_t(1000), size_t(700000), size_t(500000),
                     size_t(3) << 20, size_t(9), size_t(0), size_t(1) << 20, size_t(5)})
      piece(n);
    CHECK(w.written() == expected.size());
    CHECK(slurp(target) == "old contents");  // nothing visible before commit
    CHECK(fs::exists(w.tempPath()));
    tmp = w.tempPath();
    w.commit();
    CHECK_THROWS_AS(w.commit(), Error);
  }
  CHECK(slurp(target) == expected);
  CHECK_FALSE(fs::exists(tmp));
  fs::remove_all(dir);
}

TEST_CASE("atomic file: a writer dropped before commit leaves the old file and no temp file") {
  const fs::path dir = tempDir();
  const fs::path target = dir / "g.bin";
  put(target, "keep me");
  const std::string stale = atomicTempPath(target.string(), deadPid(), 3);
  put(stale, "stale temp of a killed writer");
  std::string tmp;
  {
    AtomicFileWriter w(target.string());  // removes the stale temp file
    CHECK_FALSE(fs::exists(stale));
    const std::string big(size_t(3) << 20, 'x');
    w.write(big.data(), big.size());
    tmp = w.tempPath();
  }  // e.g. an exception while writing
  CHECK(slurp(target) == "keep me");
  CHECK_FALSE(fs::exists(tmp));
  CHECK(entries(dir) == std::vector<std::string>{"g.bin"});  // nothing else is left
  fs::remove_all(dir);
}

TEST_CASE("atomic file: an impossible path is an IoError naming it") {
  try {
    AtomicFileWriter w("/nonexistent-dir-lt/x.bin");
    FAIL("expected an IoError");
  } catch (const IoError& e) {
    CHECK(std::string(e.what()).find("cannot write '/nonexistent-dir-lt/x.bin'") != std::string::npos);
    CHECK(std::string(e.what()).find("/nonexistent-dir-lt/x.bin.tmp.") != std::string::npos);
  }
}

TEST_CASE("atomic file: two writers of one target never share a temp file; the last commit wins whole") {
  const fs::path dir = tempDir();
  const std::string target = (dir / "m.lt").string();
  AtomicFileWriter a(target), b(target);
  CHECK(a.tempPath() != b.tempPath());
  const std::string x(size_t(2) << 20, 'a'), y(size_t(3) << 20, 'b');
  a.write(x.data(), x.size());
  b.write(y.data(), y.size());
  a.write(x.data(), 10);
  a.commit();
  CHECK(slurp(target) == x + x.substr(0, 10));
  b.commit();
  CHECK(slurp(target) == y);
  fs::remove_all(dir);
}

TEST_CASE("atomic file: stale temp files of dead writers go, those of live ones and other files stay") {
  const fs::path dir = tempDir();
  const std::string target = (dir / "f.txt").string();
  const std::string dead = atomicTempPath(target, deadPid(), 0);
  const std::string live = atomicTempPath(target, 1, 0);  // pid 1 always runs
  const std::string otherTarget = atomicTempPath((dir / "g.txt").string(), deadPid(), 0);
  for (const auto& p : {dead, live, otherTarget, target + ".tmp.x.1", target + ".tmp.12"}) put(p, "x");
  CHECK(removeStaleTempFiles(target) == 1);
  CHECK_FALSE(fs::exists(dead));
  for (const auto& p : {live, otherTarget, target + ".tmp.x.1", target + ".tmp.12"}) CHECK(fs::exists(p));
  fs::remove_all(dir);
}

TEST_CASE("atomic file: a write error (file-size limit) names the target; the old file stays") {
  const fs::path dir = tempDir();
  const std::string target = (dir / "big.bin").string();
  put(target, "previous checkpoint");
  struct rlimit old;
  REQUIRE(::getrlimit(RLIMIT_FSIZE, &old) == 0);
  struct sigaction ign {}, prev {};
  ign.sa_handler = SIG_IGN;
  ::sigaction(SIGXFSZ, &ign, &prev);
  struct rlimit lim = old;
  lim.rlim_cur = 1 << 20;  // 1 MiB files at most
  REQUIRE(::setrlimit(RLIMIT_FSIZE, &lim) == 0);
  std::string msg;
  try {
    AtomicFileWriter w(target);
    const std::string big(size_t(3) << 20, 'z');
    w.write(big.data(), big.size());
    w.commit();
  } catch (const IoError& e) {
    msg = e.what();
  }
  ::setrlimit(RLIMIT_FSIZE, &old);
  ::sigaction(SIGXFSZ, &prev, nullptr);
  CHECK(msg.find("cannot write '" + target + "'") != std::string::npos);
  CHECK(msg.find("File too large") != std::string::npos);
  CHECK(slurp(target) == "previous checkpoint");
  CHECK(entries(dir) == std::vector<std::string>{"big.bin"});  // the temp file is gone
  // appendFileWhole under the same limit: all or nothing.
  put(target, "line 1\n");
  REQUIRE(::setrlimit(RLIMIT_FSIZE, &lim) == 0);
  ::sigaction(SIGXFSZ, &ign, &prev);
  CHECK_THROWS_AS(appendFileWhole(target, std::string(size_t(2) << 20, 'q')), IoError);
  appendFileWhole(target, "line 2\n");
  ::setrlimit(RLIMIT_FSIZE, &old);
  ::sigaction(SIGXFSZ, &prev, nullptr);
  CHECK(slurp(target) == "line 1\nline 2\n");
  fs::remove_all(dir);
}
