// --memory-limit values and their formatting.
#include <doctest/doctest.h>

#include "common/error.h"
#include "common/memory_limit.h"

using namespace lt;

TEST_CASE("memory limit: auto is this machine's memory; sizes with decimal and binary suffixes") {
  const double ram = physicalMemoryBytes();
  CHECK(ram > 64e6);  // any machine that runs the tests
  CHECK(parseMemoryLimit("auto", "--memory-limit") == ram);
  CHECK(parseMemoryLimit("", "--memory-limit") == ram);
  CHECK(parseMemoryLimit("123456", "--memory-limit") == 123456.0);
  CHECK(parseMemoryLimit("16G", "--memory-limit") == 16e9);
  CHECK(parseMemoryLimit("1.5T", "--memory-limit") == 1.5e12);
  CHECK(parseMemoryLimit("64k", "--memory-limit") == 64e3);
  CHECK(parseMemoryLimit("512MiB", "--memory-limit") == 512.0 * 1024 * 1024);
  CHECK(parseMemoryLimit("2GiB", "--memory-limit") == 2.0 * 1024 * 1024 * 1024);
  for (const char* bad : {"lots", "-1G", "0", "16GB", "1e999", "G"})
    CHECK_THROWS_WITH_AS(parseMemoryLimit(bad, "--memory-limit"),
                         doctest::Contains("--memory-limit: expected auto or a size"), ConfigError);
  CHECK(memoryLimitSource("auto", "--memory-limit") == "this machine's memory; --memory-limit overrides");
  CHECK(memoryLimitSource("8G", "--memory-limit") == "--memory-limit 8G");
  CHECK(formatBytes(512.0 * 1024 * 1024) == "512.0 MiB");
  CHECK(formatBytes(1.5 * 1024 * 1024 * 1024) == "1.50 GiB");
  CHECK(formatBytes(8.0 * 1024 * 1024 * 1024 * 1024) == "8.00 TiB");
}
