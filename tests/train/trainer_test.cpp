// The training loop on a small bigram model built from ops (embedding ->
// dropout -> linear -> label-smoothed CE): it learns, resumes exactly, stops
// on NaN without overwriting the last good checkpoint, and checkpoints on a
// stop signal.
#include <doctest/doctest.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <fstream>

#include "autodiff/param_store.h"
#include "common/error.h"
#include "common/log.h"
#include "common/rng.h"
#include "data/corpus.h"
#include "ops/cross_entropy.h"
#include "ops/dropout.h"
#include "ops/embedding.h"
#include "ops/linear.h"
#include "train/file_io.h"
#include "train/state_file.h"
#include "train/system.h"
#include "train/session.h"
#include "train/trainer.h"

using namespace lt;
using namespace lt::train;
namespace fs = std::filesystem;

namespace {

constexpr int kV = 12, kD = 8;

// Target sentences follow a deterministic pattern (next = prev + 1 mod ...),
// so a bigram model can learn them well.
data::Corpus makeCorpus(size_t n, uint64_t seed) {
  data::Corpus c;
  Rng rng(seed);
  for (size_t i = 0; i < n; ++i) {
    int len = 2 + int(rng.below(6));
    int start = 4 + int(rng.below(kV - 4));
    std::vector<int32_t> src, tgt;
    for (int t = 0; t < len; ++t) {
      src.push_back(4 + int32_t(rng.below(kV - 4)));
      tgt.push_back(4 + (start - 4 + t) % (kV - 4));
    }
    c.add(src, tgt);
  }
  return c;
}

struct Bigram {
  ParamStore ps;
  Var emb, w, b;
  explicit Bigram(uint64_t seed) {
    Rng rng(seed);
    emb = ps.add("emb", Shape{kV, kD}, Init::normal(0.5f), rng);
    w = ps.add("out/w", Shape{kV, kD}, Init::xavier(), rng);
    b = ps.add("out/b", Shape{kV}, Init::zeros(), rng);
  }
  ModelHooks hooks(const std::string& dir) {
    ModelHooks h;
    h.loss = [this](const data::Batch& batch, float ls, bool train, uint64_t seed) {
      const int64_t n = batch.tgtIn.elements();
      Var x = ops::embedding(emb, batch.tgtIn.reshape(Shape{n}), 0);
      if (train) x = ops::dropout(x, 0.1f, seed, 0);
      Var logits = ops::linear(x, w, b);
      return ops::labelSmoothedCrossEntropy(logits, batch.tgtOut.reshape(Shape{n}), ls, 0);
    };
    h.save = [this](const std::string& path) { writeFileAtomic(path, serializeParams(ps)); };
    return h;
  }
  std::vector<std::vector<float>> values() const {
    std::vector<std::vector<float>> v;
    for (auto& [_, p] : ps.all()) v.push_back(p.value().toVector());
    return v;
  }
};

fs::path tempDir(const char* name) {
  fs::path d = fs::temp_directory_path() /
               (std::string("lt_trainer_test_") + name + "_" + std::to_string(::getpid()));
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

TrainOptions baseOptions(const fs::path& dir) {
  TrainOptions o;
  o.model = (dir / "m.bin").string();
  o.maxTokens = 64;
  o.updateFreq = 2;
  o.lr = 3e-2;
  o.warmupUpdates = 5;
  o.warmupInitLr = 1e-4;
  o.clipNorm = 1.0;
  o.weightDecay = 1e-3;
  o.validFreq = 7;
  o.logFreq = 0;
  o.progress = "lines";
  o.keepLast = 2;
  o.seed = 5;
  return o;
}

}  // namespace

TEST_CASE("trainer: learns, and a resumed run equals an uninterrupted one bit for bit") {
  spdlog::set_level(spdlog::level::warn);
  fs::path dir = tempDir("resume");
  data::Corpus corpus = makeCorpus(300, 1);
  ValidationData valid;
  valid.corpus = makeCorpus(40, 2);

  // Uninterrupted: 30 updates.
  Bigram full(3);
  TrainOptions o = baseOptions(dir / "a");
  fs::create_directories(dir / "a");
  o.maxUpdates = 30;
  Trainer ta(o, full.ps, corpus, &valid, full.hooks(""), "tag");
  ValidationRecord before = ta.validate();
  ta.run();
  ValidationRecord after = ta.validate();
  CHECK(after.ce < 0.75 * before.ce);  // it learns the pattern
  CHECK(ta.state().updates == 30);
  CHECK(ta.state().history.size() >= 4);  // updates 7, 14, 21, 28 (+ final)
  // keep-last 2: only the two newest numbered checkpoints remain.
  CHECK(ta.state().keptCheckpoints.size() == 2);
  CHECK(fs::exists(numberedPathFor(o.model, 28)));
  CHECK_FALSE(fs::exists(numberedPathFor(o.model, 21)));
  CHECK(fs::exists(bestPathFor(o.model)));

  // Interrupted: 17 updates, then a new process-like start resuming to 30.
  fs::create_directories(dir / "b");
  TrainOptions ob = baseOptions(dir / "b");
  ob.maxUpdates = 17;
  {
    Bigram part(3);
    Trainer tb(ob, part.ps, corpus, &valid, part.hooks(""), "tag");
    tb.run();
  }
  Bigram resumed(99);  // different init: everything must come from the state file
  ob.maxUpdates = 30;
  Trainer tc(ob, resumed.ps, corpus, &valid, resumed.hooks(""), "tag");
  tc.resumeFrom(statePathFor(ob.model));
  CHECK(tc.state().updates == 17);
  tc.run();
  CHECK(tc.state().updates == 30);
  CHECK(resumed.values() == full.values());
  CHECK(tc.optimizer().steps() == 30);

  // A state written for another model/vocabulary is refused.
  Bigram other(1);
  Trainer td(ob, other.ps, corpus, &valid, other.hooks(""), "other-tag");
  CHECK_THROWS_WITH_AS(td.resumeFrom(statePathFor(ob.model)),
                       doctest::Contains("different model or vocabulary"), IoError);
  fs::remove_all(dir);
}

TEST_CASE("trainer: the state file is written before the model file; a lagging model file is caught up") {
  spdlog::set_level(spdlog::level::warn);
  fs::path dir = tempDir("order");
  data::Corpus corpus = makeCorpus(100, 1);
  TrainOptions o = baseOptions(dir);
  o.validFreq = 0;
  o.saveFreq = 1;
  o.maxUpdates = 3;
  Bigram m(3);
  std::vector<std::string> order;  // which file each checkpoint write replaced, in order
  ModelHooks h = m.hooks("");
  auto save = h.save;
  h.save = [&](const std::string& path) {
    order.push_back(fs::exists(statePathFor(o.model)) ? "state+" + fs::path(path).filename().string()
                                                       : fs::path(path).filename().string());
    save(path);
  };
  {
    Trainer t(o, m.ps, corpus, nullptr, h, "tag");
    t.run();
  }
  // Update 1: the state exists before the first model file is written.
  REQUIRE(order.size() >= 2);
  CHECK(order[0] == "state+m.u1.bin");
  CHECK(order[1] == "state+m.bin");
  const std::string finalModel = [&] {
    std::ifstream in(o.model, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }();
  // A kill between the state (update 3) and the model file: the model file is at update 2.
  fs::copy_file(numberedPathFor(o.model, 2), o.model, fs::copy_options::overwrite_existing);
  Bigram again(99);
  Trainer t2(o, again.ps, corpus, nullptr, again.hooks(""), "tag");
  t2.resumeFrom(statePathFor(o.model));
  t2.run();  // already at max-updates: no update, but the model file is rewritten
  std::ifstream in(o.model, std::ios::binary);
  CHECK(std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()) == finalModel);
  fs::remove_all(dir);
}

TEST_CASE("trainer: NaN loss stops with a message and keeps the last good checkpoint") {
  spdlog::set_level(spdlog::level::warn);
  fs::path dir = tempDir("nan");
  data::Corpus corpus = makeCorpus(200, 1);
  Bigram m(3);
  TrainOptions o = baseOptions(dir);
  o.maxUpdates = 20;
  o.validFreq = 0;
  o.saveFreq = 5;
  ModelHooks h = m.hooks("");
  auto inner = h.loss;
  int calls = 0;
  h.loss = [&](const data::Batch& b, float ls, bool train, uint64_t seed) {
    // At the 13th update, poison the output bias so the loss becomes NaN.
    if (train && ++calls == 2 * 12 + 1) m.b.value().data<float>()[5] = NAN;
    return inner(b, ls, train, seed);
  };
  Trainer t(o, m.ps, corpus, nullptr, h, "tag");
  CHECK_THROWS_WITH_AS(t.run(), doctest::Contains("training loss is nan at update 13"), NumericError);
  // The checkpoint on disk is the one of update 10, and it loads.
  Bigram back(4);
  Adam adam{AdamOptions{}};
  LoadedState ls = readStateFile(statePathFor(o.model), adam, back.ps);
  CHECK(ls.state.updates == 10);
  for (auto& v : back.values())
    for (float x : v) CHECK(std::isfinite(x));
  fs::remove_all(dir);
}

TEST_CASE("trainer: a stop signal finishes the update, checkpoints and returns 128 + signal") {
  spdlog::set_level(spdlog::level::warn);
  fs::path dir = tempDir("signal");
  data::Corpus corpus = makeCorpus(200, 1);
  Bigram m(3);
  TrainOptions o = baseOptions(dir);
  o.maxUpdates = 100;
  ModelHooks h = m.hooks("");
  auto inner = h.loss;
  int calls = 0;
  h.loss = [&](const data::Batch& b, float ls, bool train, uint64_t seed) {
    if (train && ++calls == 9) raiseStopSignalForTest(SIGTERM);  // during update 5
    return inner(b, ls, train, seed);
  };
  Trainer t(o, m.ps, corpus, nullptr, h, "tag");
  Trainer::Result r = t.run();
  resetStopSignal();
  CHECK(r.exitCode == 128 + SIGTERM);
  CHECK(t.state().updates == 5);
  Bigram back(4);
  Adam adam{AdamOptions{}};
  CHECK(readStateFile(statePathFor(o.model), adam, back.ps).state.updates == 5);
  CHECK(back.values() == m.values());
  fs::remove_all(dir);
}

TEST_CASE("trainer: max-epochs, early stopping and lr warm-up bookkeeping") {
  spdlog::set_level(spdlog::level::warn);
  fs::path dir = tempDir("stops");
  data::Corpus corpus = makeCorpus(60, 1);
  ValidationData valid;
  valid.corpus = makeCorpus(20, 2);
  {
    Bigram m(3);
    TrainOptions o = baseOptions(dir);
    o.updateFreq = 1;
    o.maxEpochs = 2;
    o.validFreq = 0;  // validate at epoch ends
    o.keepLast = 0;
    Trainer t(o, m.ps, corpus, &valid, m.hooks(""), "tag");
    Trainer::Result r = t.run();
    CHECK(r.stopReason == "max-epochs");
    CHECK(t.state().epoch == 2);
    CHECK(t.state().history.size() == 2);  // one validation per epoch
    // lr of the last update follows the schedule: lr(n-1) of inverse-sqrt with warm-up 5.
    const double n = double(t.state().updates - 1);
    CHECK(t.state().lr == doctest::Approx(o.lr * std::sqrt(5.0) / std::sqrt(n)));
  }
  {
    // A learning rate of ~0 cannot improve the validation loss: early stopping after 2.
    Bigram m(3);
    TrainOptions o = baseOptions(dir);
    o.model = (dir / "es.bin").string();
    o.lr = 1e-12;
    o.warmupUpdates = 0;
    o.validFreq = 1;
    o.earlyStopping = 2;
    o.maxUpdates = 50;
    o.keepLast = 0;
    Trainer t(o, m.ps, corpus, &valid, m.hooks(""), "tag");
    Trainer::Result r = t.run();
    CHECK(r.stopReason == "early-stopping");
    CHECK(t.state().updates == 3);
    CHECK(t.state().bestUpdate == 1);
  }
  fs::remove_all(dir);
}

TEST_CASE("checkpoint file names and numeric ordering of numbered checkpoints") {
  CHECK(statePathFor("runs/a/model.lt") == "runs/a/model.lt.state");
  CHECK(numberedPathFor("runs/a/model.lt", 1200) == "runs/a/model.u1200.lt");
  CHECK(bestPathFor("runs/a/model.lt") == "runs/a/model.best.lt");
  CHECK(averagedPathFor("model.lt", 10) == "model.avg10.lt");
  fs::path dir = tempDir("names");
  for (int u : {100, 20, 3000}) writeFileAtomic(numberedPathFor((dir / "m.lt").string(), u), "x");
  writeFileAtomic((dir / "m.ux.lt").string(), "not numbered");
  writeFileAtomic((dir / "other.u5.lt").string(), "another model");
  std::vector<std::string> found = findNumberedCheckpoints((dir / "m.lt").string());
  REQUIRE(found.size() == 3);
  CHECK(fs::path(found[0]).filename() == "m.u20.lt");
  CHECK(fs::path(found[1]).filename() == "m.u100.lt");
  CHECK(fs::path(found[2]).filename() == "m.u3000.lt");
  fs::remove_all(dir);
}
