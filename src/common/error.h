// Error hierarchy. The library never exits or aborts on user input: it throws
// one of these with a message written for the user (naming the flag, file:line,
// key or shapes involved). Each app's main() catches at the boundary and maps
// the class to an exit code (see exitCodeFor()).
#pragma once
#include <fmt/format.h>
#include <stdexcept>
#include <string>

namespace lt {

class Error : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};
class ShapeError : public Error { using Error::Error; };   // tensor shapes do not fit an op
class ConfigError : public Error { using Error::Error; };  // bad flag, key, value
class DataError : public Error { using Error::Error; };    // bad corpus / input text
class IoError : public Error { using Error::Error; };      // missing file, corrupt checkpoint
class NumericError : public Error { using Error::Error; }; // NaN/Inf where a number is needed

// Exit codes: 2 config, 1 runtime (also std::bad_alloc), 70 internal.
int exitCodeFor(const std::exception& e);

}  // namespace lt

// LT_CHECK(cond, ErrorClass, "format {}", args...): throws ErrorClass with the
// formatted message when cond is false. The only error macro of the code base.
#define LT_CHECK(cond, ErrT, ...)                           \
  do {                                                      \
    if (!(cond)) [[unlikely]] throw ErrT(fmt::format(__VA_ARGS__)); \
  } while (0)

#define LT_THROW(ErrT, ...) throw ErrT(fmt::format(__VA_ARGS__))
