// The message of the exception E that fn() throws, or "no <E>" when it throws nothing, so a
// test can CHECK the exact one-line error text.
#pragma once
#include <string>

namespace lt::test {

template <class E, class F>
std::string errorMessage(F&& fn, const char* name = "exception") {
  try {
    fn();
  } catch (const E& e) {
    return e.what();
  }
  return std::string("no ") + name;
}

}  // namespace lt::test
