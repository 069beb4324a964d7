// Training state: serialisation round trip, atomic replacement under a
// simulated crash, corrupt and truncated files.
#include <doctest/doctest.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <unistd.h>

#include "autodiff/param_store.h"
#include "common/atomic_file.h"
#include "common/error.h"
#include "train/file_io.h"
#include "train/loss.h"
#include "train/state_file.h"
#include "train/training_state.h"

using namespace lt;
using namespace lt::train;
namespace fs = std::filesystem;

namespace {

fs::path tempDir(const char* name) {
  fs::path d = fs::temp_directory_path() / (std::string("lt_train_test_") + name + "_" +
                                            std::to_string(::getpid()));
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

struct Tiny {
  ParamStore ps;
  Adam adam{AdamOptions{}};
  Tiny(float base) {
    ps.addTensor("enc/w", Tensor::fromVector(Shape{2, 2}, std::vector<float>{base, 2, 3, 4}));
    ps.addTensor("dec/b", Tensor::fromVector(Shape{3}, std::vector<float>{-1, 0, base}));
  }
  void stepOnce() {
    for (auto& [_, v] : ps.all()) {
      Tensor g = Tensor::full(v.shape(), 0.5f);
      accumulateGrad(*v.node(), g);
    }
    adam.step(ps, 1e-2);
    ps.zeroGrad();
  }
};

TrainingState sampleState() {
  TrainingState s;
  s.updates = 1234;
  s.epoch = 3;
  s.batches = 2468;
  s.tgtTokens = 99999;
  s.sentences = 777;
  s.trainSeconds = 12.5;
  s.lr = 3.5e-4;
  s.batchGenerator = "epoch 3 pos 17 rng ...";
  s.seed = 42;
  s.bestMetric = "bleu";
  s.bestValue = 31.25;
  s.bestUpdate = 1000;
  s.stalled = 1;
  s.history.push_back({1000, 2, 2.5, 12.18, 31.25, 10.0});
  s.history.push_back({1234, 3, 2.4, 11.02, 30.0, 12.5});
  s.keptCheckpoints = {"m.u1000.lt", "m.u1234.lt"};
  return s;
}

}  // namespace

TEST_CASE("rational loss: exact averages across parts") {
  RationalLoss a{10.0, 4}, b{2.0, 1};
  a += b;
  CHECK(a.mean() == doctest::Approx(12.0 / 5));
  CHECK(a.perplexity() == doctest::Approx(std::exp(12.0 / 5)));
}

TEST_CASE("training state round trip") {
  TrainingState s = sampleState();
  TrainingState r = TrainingState::deserialize(s.serialize(), "x");
  CHECK(r.updates == 1234);
  CHECK(r.epoch == 3);
  CHECK(r.batchGenerator == s.batchGenerator);
  CHECK(r.bestValue == 31.25);
  CHECK(r.stalled == 1);
  REQUIRE(r.history.size() == 2);
  CHECK(r.history[1].ppl == 11.02);
  CHECK(r.keptCheckpoints == s.keptCheckpoints);
  std::string bad = s.serialize();
  bad.resize(bad.size() - 3);
  CHECK_THROWS_WITH_AS(TrainingState::deserialize(bad, "st"), doctest::Contains("st: truncated"), IoError);
}

TEST_CASE("state file: write, read back exactly, atomic under a crash mid-write") {
  fs::path dir = tempDir("state");
  const std::string path = (dir / "model.lt.state").string();
  Tiny a(1.f);
  a.stepOnce();
  writeStateFile(path, sampleState(), a.adam, a.ps, "tag-1");

  // Simulated kill while writing the next checkpoint: a half-written temp file is left by a
  // process that no longer runs (pids are below pid_max).
  long deadPid = 4194304;
  std::ifstream("/proc/sys/kernel/pid_max") >> deadPid;
  const std::string stale = atomicTempPath(path, deadPid, 0);
  {
    std::ofstream tmp(stale, std::ios::binary);
    tmp << "LTSTATE\n\x01\x00";
  }
  Tiny b(7.f);  // different values; loading must restore a's exactly
  LoadedState ls = readStateFile(path, b.adam, b.ps);
  CHECK(ls.tag == "tag-1");
  CHECK(ls.state.updates == 1234);
  for (size_t i = 0; i < a.ps.size(); ++i)
    CHECK(a.ps.all()[i].second.value().toVector() == b.ps.all()[i].second.value().toVector());
  // Both continue identically.
  a.stepOnce();
  b.stepOnce();
  for (size_t i = 0; i < a.ps.size(); ++i)
    CHECK(a.ps.all()[i].second.value().toVector() == b.ps.all()[i].second.value().toVector());

  // The next successful write removes the stale temp file.
  writeStateFile(path, sampleState(), a.adam, a.ps, "tag-2");
  CHECK_FALSE(fs::exists(stale));
  Tiny c(0.f);
  CHECK(readStateFile(path, c.adam, c.ps).tag == "tag-2");
  fs::remove_all(dir);
}

TEST_CASE("state file: corrupt, truncated, foreign and missing files are IoErrors") {
  fs::path dir = tempDir("corrupt");
  const std::string path = (dir / "m.state").string();
  Tiny a(1.f);
  a.stepOnce();
  writeStateFile(path, sampleState(), a.adam, a.ps, "");
  std::string bytes = readFileBytes(path);

  Tiny b(0.f);
  std::string flipped = bytes;
  flipped[flipped.size() / 2] ^= 0x40;
  writeFileAtomic(path, flipped);
  CHECK_THROWS_WITH_AS(readStateFile(path, b.adam, b.ps), doctest::Contains("checksum mismatch"), IoError);

  writeFileAtomic(path, bytes.substr(0, bytes.size() / 3));
  CHECK_THROWS_WITH_AS(readStateFile(path, b.adam, b.ps), doctest::Contains("checksum mismatch"), IoError);

  writeFileAtomic(path, "hello world, not a state file");
  CHECK_THROWS_WITH_AS(readStateFile(path, b.adam, b.ps), doctest::Contains("bad header"), IoError);

  CHECK_THROWS_WITH_AS(readStateFile((dir / "nope").string(), b.adam, b.ps),
                       doctest::Contains("no such file"), IoError);

  // A state written for another model (different parameter sizes) names the parameter.
  writeFileAtomic(path, bytes);
  ParamStore other;
  other.addTensor("enc/w", Tensor::zeros(Shape{3, 3}));
  other.addTensor("dec/b", Tensor::zeros(Shape{3}));
  Adam adam{AdamOptions{}};
  CHECK_THROWS_WITH_AS(readStateFile(path, adam, other), doctest::Contains("'enc/w' has 4 elements"),
                       IoError);
  fs::remove_all(dir);
}

TEST_CASE("state file: the streamed file is the documented layout, byte for byte") {
  // The layout of state_file.h assembled in memory from the in-memory serializers, so files
  // written before streaming (and by this build) read the same.
  fs::path dir = tempDir("layout");
  const std::string path = (dir / "m.state").string();
  Tiny a(2.f);
  a.stepOnce();
  a.stepOnce();
  ByteWriter w;
  w.raw("LTSTATE\n", 8);
  w.u32(1);
  w.bytes(sampleState().serialize());
  w.bytes(a.adam.saveState(a.ps));
  w.bytes(serializeParams(a.ps));
  w.bytes("the tag");
  w.u64(fnv1a64(w.data()));
  writeStateFile(path, sampleState(), a.adam, a.ps, "the tag");
  CHECK(readFileBytes(path) == w.data());

  // A blob whose declared length disagrees with what it holds is named, even under a valid checksum.
  std::string bad = w.data();
  const size_t optAt = 8 + 4 + 8 + sampleState().serialize().size();
  uint64_t n;
  std::memcpy(&n, bad.data() + optAt, 8);
  n += 4;
  std::memcpy(bad.data() + optAt, &n, 8);
  bad.resize(bad.size() - 8);
  const uint64_t sum = fnv1a64(bad);
  bad.append(reinterpret_cast<const char*>(&sum), 8);
  writeFileAtomic(path, bad);
  Tiny b(0.f);
  CHECK_THROWS_WITH_AS(readStateFile(path, b.adam, b.ps),
                       doctest::Contains("the optimizer state holds"), IoError);
  CHECK(b.adam.steps() == 0);  // the optimizer is untouched by a failed load
  fs::remove_all(dir);
}
