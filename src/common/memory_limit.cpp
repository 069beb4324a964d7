#include "common/memory_limit.h"

#include <unistd.h>

#include <charconv>
#include <cmath>

#include "common/error.h"

namespace lt {

double physicalMemoryBytes() {
  const long pages = ::sysconf(_SC_PHYS_PAGES), page = ::sysconf(_SC_PAGESIZE);
  return pages > 0 && page > 0 ? double(pages) * double(page) : 0.0;
}

double parseMemoryLimit(const std::string& text, const std::string& flag) {
  if (text.empty() || text == "auto") return physicalMemoryBytes();
  static const std::pair<const char*, double> kSuffixes[] = {
      {"KiB", 1024.0}, {"MiB", 1024.0 * 1024}, {"GiB", 1024.0 * 1024 * 1024},
      {"TiB", 1024.0 * 1024 * 1024 * 1024}, {"k", 1e3}, {"K", 1e3}, {"M", 1e6}, {"G", 1e9},
      {"T", 1e12}};
  std::string num = text;
  double mult = 1;
  for (const auto& [suffix, m] : kSuffixes) {
    const std::string s(suffix);
    if (num.size() > s.size() && num.compare(num.size() - s.size(), s.size(), s) == 0) {
      num.resize(num.size() - s.size());
      mult = m;
      break;
    }
  }
  double v = 0;
  auto [p, ec] = std::from_chars(num.data(), num.data() + num.size(), v);
  LT_CHECK(ec == std::errc() && p == num.data() + num.size() && std::isfinite(v) && v > 0, ConfigError,
           "{}: expected auto or a size in bytes such as 16G, 1.5T or 512MiB, got '{}'", flag, text);
  return v * mult;
}

std::string memoryLimitSource(const std::string& text, const std::string& flag) {
  return text.empty() || text == "auto" ? "this machine's memory; " + flag + " overrides" : flag + " " + text;
}

std::string formatBytes(double b) {
  constexpr double kGiB = 1024.0 * 1024 * 1024;
  if (b >= 1024 * kGiB) return fmt::format("{:.2f} TiB", b / (1024 * kGiB));
  if (b >= kGiB) return fmt::format("{:.2f} GiB", b / kGiB);
  return fmt::format("{:.1f} MiB", b / (1024.0 * 1024));
}

}  // namespace lt
