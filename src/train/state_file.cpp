#include "train/state_file.h"

#include <cstring>

#include <algorithm>
#include <vector>

#include "common/atomic_file.h"
#include "common/error.h"
#include "train/file_io.h"

namespace lt::train {

namespace {
constexpr char kMagic[8] = {'L', 'T', 'S', 'T', 'A', 'T', 'E', '\n'};
constexpr uint32_t kVersion = 1;
}  // namespace

namespace {
void writeParams(ByteSink& w, const ParamStore& params) {
  w.u64(params.size());
  for (const auto& [name, v] : params.all()) {
    w.bytes(name);
    const Tensor& t = v.value();
    w.u64(uint64_t(t.elements()));
    w.raw(t.data<float>(), size_t(t.elements()) * sizeof(float));
  }
}

void readParams(ByteSource& r, ParamStore& params) {
  const std::string& what = r.what();
  uint64_t n = r.u64();
  LT_CHECK(n == params.size(), IoError, "{}: has {} parameters, the model has {}", what, n,
           params.size());
  for (uint64_t i = 0; i < n; ++i) {
    std::string name = r.bytes();
    LT_CHECK(params.has(name), IoError, "{}: parameter '{}' is not in the model", what, name);
    Var p = params.get(name);
    uint64_t count = r.u64();
    LT_CHECK(int64_t(count) == p.value().elements(), IoError,
             "{}: parameter '{}' has {} elements, the model's has {} ({})", what, name, count,
             p.value().elements(), p.shape().toString());
    r.raw(p.value().data<float>(), count * sizeof(float));
  }
}

}  // namespace

std::string serializeParams(const ParamStore& params) {
  ByteWriter w;
  writeParams(w, params);
  return w.data();
}

void deserializeParams(const std::string& bytes, ParamStore& params, const std::string& what) {
  ByteReader r(bytes, what);
  readParams(r, params);
  LT_CHECK(r.remaining() == 0, IoError, "{}: {} unexpected trailing bytes", what, r.remaining());
}

namespace {
// Passes bytes to the file and to the checksum.
class ChecksummedFile : public ByteSink {
public:
  explicit ChecksummedFile(AtomicFileWriter& f) : f_(f) {}
  void raw(const void* p, size_t n) override {
    f_.write(p, n);
    sum_.update(p, n);
  }
  uint64_t checksum() const { return sum_.value(); }

private:
  AtomicFileWriter& f_;
  Fnv1a64 sum_;
};

// A blob streamed from `write`: its length first (a dry run through a ByteCounter), then its bytes.
template <typename Fn> void streamBlob(ByteSink& out, Fn write) {
  ByteCounter size;
  write(size);
  out.u64(size.size());
  write(out);
}

// Runs `read` over a blob and requires it to consume exactly the blob's length.
template <typename Fn> void readBlob(ByteSource& in, const char* what, Fn read) {
  const uint64_t n = in.u64();
  LT_CHECK(n <= in.remaining(), IoError, "{}: truncated {} ({} bytes declared, {} left)", in.what(),
           what, n, in.remaining());
  const uint64_t start = in.position();
  read(in);
  LT_CHECK(in.position() - start == n, IoError, "{}: the {} holds {} bytes, {} were read", in.what(),
           what, n, in.position() - start);
}
}  // namespace

void writeStateFile(const std::string& path, const TrainingState& state, const Adam& adam,
                    const ParamStore& params, const std::string& tag) {
  AtomicFileWriter file(path);
  ChecksummedFile w(file);
  w.raw(kMagic, sizeof kMagic);
  w.u32(kVersion);
  w.bytes(state.serialize());
  streamBlob(w, [&](ByteSink& s) { adam.writeState(s, params); });
  streamBlob(w, [&](ByteSink& s) { writeParams(s, params); });
  w.bytes(tag);
  const uint64_t sum = w.checksum();
  file.write(&sum, sizeof sum);
  file.commit();
}

LoadedState readStateFile(const std::string& path, Adam& adam, ParamStore& params) {
  FileByteSource in(path);
  const uint64_t size = in.fileSize();
  char magic[sizeof kMagic] = {};
  if (size >= sizeof kMagic) in.readAt(0, magic, sizeof magic);
  LT_CHECK(size >= sizeof kMagic + 4 + 8 && std::memcmp(magic, kMagic, sizeof kMagic) == 0, IoError,
           "{}: not a training-state file (bad header)", path);
  // The checksum first, in one pass through a fixed buffer: nothing is loaded from a damaged file.
  {
    Fnv1a64 sum;
    std::vector<char> piece(size_t(1) << 20);
    for (uint64_t pos = 0; pos < size - 8; pos += piece.size()) {
      const size_t n = size_t(std::min<uint64_t>(piece.size(), size - 8 - pos));
      in.readAt(pos, piece.data(), n);
      sum.update(piece.data(), n);
    }
    uint64_t stored;
    in.readAt(size - 8, &stored, sizeof stored);
    LT_CHECK(stored == sum.value(), IoError,
             "{}: checksum mismatch (file truncated or corrupt); delete it to start over", path);
  }
  in.limit(size - 8);
  in.raw(magic, sizeof magic);
  uint32_t version = in.u32();
  LT_CHECK(version == kVersion, IoError, "{}: training-state version {} (this build reads {})", path,
           version, kVersion);
  LoadedState out;
  out.state = TrainingState::deserialize(in.bytes(), path);
  // The moments go into a separate Adam, checked against the model before the parameters
  // are read straight into it; the optimizer is replaced only when everything has been read.
  Adam loaded(adam.options());
  readBlob(in, "optimizer state", [&](ByteSource& s) { loaded.readState(s, params); });
  readBlob(in, "parameters", [&](ByteSource& s) { readParams(s, params); });
  out.tag = in.bytes();
  LT_CHECK(in.remaining() == 0, IoError, "{}: {} unexpected trailing bytes", path, in.remaining());
  adam = std::move(loaded);
  return out;
}

}  // namespace lt::train
