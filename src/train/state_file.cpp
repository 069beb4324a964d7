#include "train/state_file.h"

#include <cstring>

#include "common/error.h"
#include "train/file_io.h"

namespace lt::train {

namespace {
constexpr char kMagic[8] = {'L', 'T', 'S', 'T', 'A', 'T', 'E', '\n'};
constexpr uint32_t kVersion = 1;
}  // namespace

std::string serializeParams(const ParamStore& params) {
  ByteWriter w;
  w.u64(params.size());
  for (const auto& [name, v] : params.all()) {
    w.bytes(name);
    const Tensor& t = v.value();
    w.u64(uint64_t(t.elements()));
    w.raw(t.data<float>(), size_t(t.elements()) * sizeof(float));
  }
  return w.data();
}

void deserializeParams(const std::string& bytes, ParamStore& params, const std::string& what) {
  ByteReader r(bytes, what);
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
  LT_CHECK(r.remaining() == 0, IoError, "{}: {} unexpected trailing bytes", what, r.remaining());
}

void writeStateFile(const std::string& path, const TrainingState& state, const Adam& adam,
                    const ParamStore& params, const std::string& tag) {
  ByteWriter w;
  w.raw(kMagic, sizeof kMagic);
  w.u32(kVersion);
  w.bytes(state.serialize());
  w.bytes(adam.saveState(params));
  w.bytes(serializeParams(params));
  w.bytes(tag);
  w.u64(fnv1a64(w.data()));
  writeFileAtomic(path, w.data());
}

LoadedState readStateFile(const std::string& path, Adam& adam, ParamStore& params) {
  const std::string bytes = readFileBytes(path);
  LT_CHECK(bytes.size() >= sizeof kMagic + 4 + 8 && std::memcmp(bytes.data(), kMagic, sizeof kMagic) == 0,
           IoError, "{}: not a training-state file (bad header)", path);
  const std::string_view body(bytes.data(), bytes.size() - 8);
  uint64_t stored;
  std::memcpy(&stored, bytes.data() + bytes.size() - 8, 8);
  LT_CHECK(stored == fnv1a64(body), IoError,
           "{}: checksum mismatch (file truncated or corrupt); delete it to start over", path);
  ByteReader r(body, path);
  char magic[8];
  r.raw(magic, 8);
  uint32_t version = r.u32();
  LT_CHECK(version == kVersion, IoError, "{}: training-state version {} (this build reads {})", path,
           version, kVersion);
  LoadedState out;
  out.state = TrainingState::deserialize(r.bytes(), path);
  std::string opt = r.bytes();
  std::string par = r.bytes();
  out.tag = r.bytes();
  deserializeParams(par, params, path);
  adam.loadState(opt, params);
  return out;
}

}  // namespace lt::train
