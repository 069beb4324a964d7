#include "common/pread.h"

#include <unistd.h>

#include <cerrno>

namespace lt {

int64_t preadFully(int fd, uint64_t pos, void* dst, size_t n) {
  auto* p = static_cast<char*>(dst);
  size_t done = 0;
  while (done < n) {
    const ssize_t got = ::pread(fd, p + done, n - done, off_t(pos + done));
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) return -1;
    if (got == 0) break;  // end of file
    done += size_t(got);
  }
  return int64_t(done);
}

}  // namespace lt
