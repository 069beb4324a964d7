#include "common/error.h"

#include <new>

namespace lt {

int exitCodeFor(const std::exception& e) {
  if (dynamic_cast<const ConfigError*>(&e)) return 2;
  if (dynamic_cast<const std::bad_alloc*>(&e)) return 1;  // too big a job, not a bug
  if (dynamic_cast<const Error*>(&e)) return 1;
  return 70;
}

}  // namespace lt
