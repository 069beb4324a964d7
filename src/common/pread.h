// Reading a file at an offset without a shared file position (pread), for the streaming
// readers of model files (models/model_file_reader) and training-state files (train/file_io).
#pragma once
#include <cstddef>
#include <cstdint>

namespace lt {

// Reads n bytes at `pos` of fd, retrying interrupted and short reads. Returns the bytes read:
// n, or fewer when the file ends first; -1 on a read error (errno says which). Callers word
// their own IoError.
int64_t preadFully(int fd, uint64_t pos, void* dst, size_t n);

}  // namespace lt
