#include "common/path_identity.h"

#include <sys/stat.h>
#include <unistd.h>

#include "common/error.h"

namespace lt {

namespace {
bool statOf(const std::string& path, struct stat& st) {
  if (path == "-") return ::fstat(STDIN_FILENO, &st) == 0;
  return ::stat(path.c_str(), &st) == 0;
}
bool same(const struct stat& a, const struct stat& b) {
  return a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}
}  // namespace

bool sameFile(const std::string& a, const std::string& b) {
  struct stat sa, sb;
  return ::stat(a.c_str(), &sa) == 0 && ::stat(b.c_str(), &sb) == 0 && same(sa, sb);
}

void checkOutputIsNotAnInput(const NamedPath& output, const std::vector<NamedPath>& inputs) {
  struct stat so;
  if (output.path == "-" || ::stat(output.path.c_str(), &so) != 0) return;
  // Writing to a terminal, /dev/null or a pipe replaces nothing, even when it is also read.
  if (!S_ISREG(so.st_mode)) return;
  for (const auto& in : inputs) {
    struct stat si;
    if (in.path.empty() || !statOf(in.path, si) || !same(so, si)) continue;
    const std::string what = in.path == "-" ? in.flag + " - (standard input)" : in.flag + " " + in.path;
    LT_THROW(ConfigError, "{} {} is the same file as {}; write the output elsewhere", output.flag,
             output.path, what);
  }
}

}  // namespace lt
