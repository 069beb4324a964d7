// AtomicFileWriter: streamed bytes arrive in order across its buffer, the target changes only
// at commit(), and an abandoned writer leaves the old file and no temp file behind.
#include <doctest/doctest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "common/atomic_file.h"
#include "common/error.h"

using namespace lt;
namespace fs = std::filesystem;

namespace {
fs::path tempDir() {
  fs::path d = fs::temp_directory_path() / ("lt_atomic_file_test_" + std::to_string(::getpid()));
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}
std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}
void put(const fs::path& p, const std::string& s) { std::ofstream(p, std::ios::binary) << s; }
}  // namespace

TEST_CASE("atomic file: pieces of every size arrive in order; the target changes at commit") {
  const fs::path dir = tempDir();
  const fs::path target = dir / "f.bin";
  put(target, "old contents");
  // Pieces around the 1 MiB buffer: small ones, one that overflows the buffer, one larger
  // than the buffer (written past it), then small ones again.
  std::string expected;
  {
    AtomicFileWriter w(target.string());
    CHECK(w.tempPath() == target.string() + ".tmp");
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
    CHECK(fs::exists(target.string() + ".tmp"));
    w.commit();
    CHECK_THROWS_AS(w.commit(), Error);
  }
  CHECK(slurp(target) == expected);
  CHECK_FALSE(fs::exists(target.string() + ".tmp"));
  fs::remove_all(dir);
}

TEST_CASE("atomic file: a writer dropped before commit leaves the old file and no temp file") {
  const fs::path dir = tempDir();
  const fs::path target = dir / "g.bin";
  put(target, "keep me");
  put(target.string() + ".tmp", "stale temp of a killed writer");
  {
    AtomicFileWriter w(target.string());  // replaces the stale temp file
    const std::string big(size_t(3) << 20, 'x');
    w.write(big.data(), big.size());
  }  // e.g. an exception while writing
  CHECK(slurp(target) == "keep me");
  CHECK_FALSE(fs::exists(target.string() + ".tmp"));
  fs::remove_all(dir);
}

TEST_CASE("atomic file: an impossible path is an IoError naming it") {
  try {
    AtomicFileWriter w("/nonexistent-dir-lt/x.bin");
    FAIL("expected an IoError");
  } catch (const IoError& e) {
    CHECK(std::string(e.what()).find("/nonexistent-dir-lt/x.bin.tmp") != std::string::npos);
  }
}
