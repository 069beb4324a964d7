// Scratch files for tests: a fresh directory per test, whole-file reads and writes.
#pragma once
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

namespace lt::test {

// An empty directory <tmp>/lt_<name>_<pid> (removed first if it exists).
inline std::filesystem::path freshTempDir(const std::string& name) {
  auto d = std::filesystem::temp_directory_path() / ("lt_" + name + "_" + std::to_string(::getpid()));
  std::filesystem::remove_all(d);
  std::filesystem::create_directories(d);
  return d;
}

inline std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

inline void put(const std::filesystem::path& p, const std::string& s) {
  std::ofstream(p, std::ios::binary) << s;
}

}  // namespace lt::test
