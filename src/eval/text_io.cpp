#include "eval/text_io.h"

#include "common/error.h"
#include "eval/unicode_text.h"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>

namespace lt::eval {

std::vector<std::string> splitLines(const std::string& data, const std::string& name, bool rstrip) {
  std::vector<std::string> lines;
  size_t start = 0;
  size_t lineNo = 0;
  while (start < data.size()) {
    size_t end = data.find('\n', start);
    if (end == std::string::npos) end = data.size();
    ++lineNo;
    std::string_view line(data.data() + start, end - start);
    size_t bad = findInvalidUtf8(line);
    LT_CHECK(bad == std::string_view::npos, DataError, "{}:{}: invalid UTF-8 at byte {} of the line", name,
             lineNo, bad + 1);
    lines.emplace_back(rstrip ? pyRstrip(line) : line);
    start = end + 1;
  }
  return lines;
}

std::vector<std::string> readTextLines(const std::string& path, std::istream& stdinStream, bool rstrip) {
  std::string data;
  if (path == "-") {
    data.assign(std::istreambuf_iterator<char>(stdinStream), std::istreambuf_iterator<char>());
    return splitLines(data, "<stdin>", rstrip);
  }
  std::error_code ec;
  LT_CHECK(!std::filesystem::is_directory(path, ec), IoError, "cannot read '{}': it is a directory", path);
  std::ifstream in(path, std::ios::binary);
  LT_CHECK(in.good(), IoError, "cannot open '{}': {}", path, std::strerror(errno));
  std::ostringstream ss;
  ss << in.rdbuf();
  LT_CHECK(!in.bad(), IoError, "error while reading '{}'", path);
  data = ss.str();
  return splitLines(data, path, rstrip);
}

}  // namespace lt::eval
