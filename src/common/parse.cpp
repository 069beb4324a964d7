#include "common/parse.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>

#include "common/error.h"

namespace lt {

namespace {

std::string trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return "";
  size_t e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

// The whole of `s` as a double (from_chars: no locale, no leading '+').
bool wholeDouble(const std::string& s, double& d) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), d);
  return ec == std::errc() && p == s.data() + s.size() && !s.empty();
}

}  // namespace

bool parseBool(const std::string& s0, const std::string& what) {
  std::string s = trim(s0);
  std::transform(s.begin(), s.end(), s.begin(), ::tolower);
  if (s == "true" || s == "yes" || s == "on" || s == "1") return true;
  if (s == "false" || s == "no" || s == "off" || s == "0") return false;
  LT_THROW(ConfigError, "{}: expected a bool (true or false), got '{}'", what, s0);
}

int64_t parseInt(const std::string& s0, const std::string& what) {
  std::string s = trim(s0);
  int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec == std::errc() && p == s.data() + s.size() && !s.empty()) return v;
  double d = 0;
  if (wholeDouble(s, d) && std::floor(d) == d && std::fabs(d) < 9e18) return int64_t(d);
  LT_THROW(ConfigError, "{}: expected an integer, got '{}'", what, s0);
}

double parseDouble(const std::string& s0, const std::string& what) {
  std::string s = trim(s0);
  double d = 0;
  if (wholeDouble(s, d) && std::isfinite(d)) return d;
  LT_THROW(ConfigError, "{}: expected a number, got '{}'", what, s0);
}

double parseCount(const std::string& s0, const std::string& what) {
  std::string s = trim(s0);
  double mult = 1;
  if (!s.empty()) {
    char c = s.back();
    if (c == 'k' || c == 'K') mult = 1e3;
    else if (c == 'M' || c == 'm') mult = 1e6;
    else if (c == 'G' || c == 'g' || c == 'B' || c == 'b') mult = 1e9;
    if (mult != 1) s.pop_back();
  }
  double d = 0;
  if (wholeDouble(s, d) && std::isfinite(d) && d >= 0) return d * mult;
  LT_THROW(ConfigError, "{}: expected a non-negative count such as 90000000, 90M, 64k or 3.5e6, got '{}'",
           what, s0);
}

double parseDuration(const std::string& s0, const std::string& what) {
  std::string s = trim(s0);
  double total = 0;
  size_t i = 0;
  bool any = false;
  while (i < s.size()) {
    size_t j = i;
    while (j < s.size() && (std::isdigit(static_cast<unsigned char>(s[j])) || s[j] == '.')) ++j;
    double v = 0;
    auto [p, ec] = std::from_chars(s.data() + i, s.data() + j, v);
    if (ec != std::errc() || p != s.data() + j || j == i) {
      any = false;
      break;
    }
    double unit = 1;
    if (j < s.size()) {
      char u = s[j++];
      if (u == 's') unit = 1;
      else if (u == 'm') unit = 60;
      else if (u == 'h') unit = 3600;
      else if (u == 'd') unit = 86400;
      else {
        any = false;
        break;
      }
    }
    total += v * unit;
    any = true;
    i = j;
  }
  LT_CHECK(any, ConfigError, "{}: expected a duration such as 3600, 90s, 45m, 2h or 1h30m, got '{}'",
           what, s0);
  return total;
}

}  // namespace lt
