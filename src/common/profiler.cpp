#include "common/profiler.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <unordered_map>

namespace lt::profiler {

namespace detail {
bool gEnabled = false;
}

namespace {

struct Stat {
  double forwardS = 0, backwardS = 0, sectionS = 0;
  int64_t forwardCalls = 0, backwardCalls = 0, sectionCalls = 0;
};

// Keyed by the literal's address (cheap); merged by text in rows().
std::unordered_map<const char*, Stat>& stats() {
  static std::unordered_map<const char*, Stat> s;
  return s;
}

int64_t nowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

int64_t gMarkNs = 0;

}  // namespace

void enable(bool on) {
  detail::gEnabled = on;
  gMarkNs = nowNs();
}

void reset() {
  stats().clear();
  gMarkNs = nowNs();
}

void mark() {
  if (detail::gEnabled) gMarkNs = nowNs();
}

void forward(const char* op) {
  if (!detail::gEnabled) return;
  const int64_t t = nowNs();
  Stat& s = stats()[op];
  s.forwardS += double(t - gMarkNs) * 1e-9;
  ++s.forwardCalls;
  gMarkNs = t;
}

void backward(const char* op, double seconds) {
  if (!detail::gEnabled) return;
  Stat& s = stats()[op];
  s.backwardS += seconds;
  ++s.backwardCalls;
}

void section(const char* name, double seconds) {
  if (!detail::gEnabled) return;
  Stat& s = stats()[name];
  s.sectionS += seconds;
  ++s.sectionCalls;
}

Section::Section(const char* name) : name_(name), startNs_(detail::gEnabled ? nowNs() : 0) {}

Section::~Section() {
  if (!detail::gEnabled) return;
  const int64_t t = nowNs();
  section(name_, double(t - startNs_) * 1e-9);
  gMarkNs = t;
}

std::vector<Row> rows() {
  std::map<std::string, Row> merged;
  for (const auto& [key, s] : stats()) {
    Row& r = merged[key];
    r.name = key;
    r.forwardS += s.forwardS;
    r.backwardS += s.backwardS;
    r.sectionS += s.sectionS;
    r.forwardCalls += s.forwardCalls;
    r.backwardCalls += s.backwardCalls;
    r.sectionCalls += s.sectionCalls;
  }
  std::vector<Row> out;
  out.reserve(merged.size());
  for (auto& [name, r] : merged) out.push_back(std::move(r));
  std::stable_sort(out.begin(), out.end(),
                   [](const Row& a, const Row& b) { return a.total() > b.total(); });
  return out;
}

std::string table(int maxRows) {
  const std::vector<Row> rs = rows();
  double total = 0, fwd = 0, bwd = 0, sec = 0;
  for (const Row& r : rs) {
    total += r.total();
    fwd += r.forwardS;
    bwd += r.backwardS;
    sec += r.sectionS;
  }
  std::string s = fmt::format("{:<22} {:>10} {:>10} {:>10} {:>7} {:>9}\n", "op / section", "fwd ms",
                              "bwd ms", "other ms", "share", "calls");
  int shown = 0;
  double rest = 0;
  for (const Row& r : rs) {
    if (shown >= maxRows) {
      rest += r.total();
      continue;
    }
    ++shown;
    s += fmt::format("{:<22} {:>10.1f} {:>10.1f} {:>10.1f} {:>6.1f}% {:>9}\n", r.name,
                     1e3 * r.forwardS, 1e3 * r.backwardS, 1e3 * r.sectionS,
                     total > 0 ? 100.0 * r.total() / total : 0.0,
                     r.forwardCalls + r.sectionCalls);
  }
  if (rest > 0)
    s += fmt::format("{:<22} {:>10} {:>10} {:>10} {:>6.1f}%\n", "(other rows)", "", "", "",
                     100.0 * rest / total);
  s += fmt::format("{:<22} {:>10.1f} {:>10.1f} {:>10.1f} {:>6.1f}%\n", "total", 1e3 * fwd,
                   1e3 * bwd, 1e3 * sec, 100.0);
  return s;
}

}  // namespace lt::profiler
