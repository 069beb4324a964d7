// A minimal JSON object writer for lt-eval's output (one object per call to
// str()). Strings are escaped per RFC 8259 and written as UTF-8; doubles use
// the shortest representation that reads back to the same value; non-finite
// numbers become null.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace lt::eval {

std::string jsonEscape(std::string_view s);  // with the surrounding quotes
std::string jsonNumber(double v);

class JsonObject {
public:
  JsonObject& add(std::string_view key, std::string_view value);
  JsonObject& add(std::string_view key, const char* value) { return add(key, std::string_view(value)); }
  JsonObject& add(std::string_view key, double value);
  JsonObject& add(std::string_view key, int64_t value);
  JsonObject& add(std::string_view key, int value) { return add(key, static_cast<int64_t>(value)); }
  JsonObject& add(std::string_view key, size_t value) { return add(key, static_cast<int64_t>(value)); }
  JsonObject& add(std::string_view key, bool value);
  JsonObject& add(std::string_view key, const std::vector<double>& values);
  JsonObject& addNull(std::string_view key);
  // Inserts already-serialised JSON (an object or array).
  JsonObject& addRaw(std::string_view key, std::string_view json);
  std::string str() const { return "{" + body_ + "}"; }

private:
  void key(std::string_view k);
  std::string body_;
};

}  // namespace lt::eval
