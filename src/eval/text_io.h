// Reading hypothesis and reference files the way sacreBLEU's command line
// does: UTF-8, lines split at '\n' only, each line right-stripped of Python
// whitespace. Invalid UTF-8 is an error naming the file and line.
#pragma once
#include <istream>
#include <string>
#include <vector>

namespace lt::eval {

// Splits `data` into lines (a final '\n' does not start another line) and
// checks every line is valid UTF-8; `name` is used in error messages.
std::vector<std::string> splitLines(const std::string& data, const std::string& name, bool rstrip = true);

// Reads `path` ("-" reads `stdinStream`). Throws IoError when the file cannot
// be opened and DataError on invalid UTF-8.
std::vector<std::string> readTextLines(const std::string& path, std::istream& stdinStream, bool rstrip = true);

}  // namespace lt::eval
