#include <doctest/doctest.h>

#include <algorithm>
#include <map>

#include "common/error.h"
#include "data/batch.h"
#include "data/batch_generator.h"
#include "data/corpus.h"
#include "data/vocab.h"
#include "test_util.h"

using namespace lt;
using namespace lt::data;

namespace {

std::vector<int32_t> row(const Tensor& t, int64_t r) {
  const int32_t* p = t.data<int32_t>() + r * t.dim(1);
  return std::vector<int32_t>(p, p + t.dim(1));
}

// Random pairs with lengths 1..maxLen; token ids encode (pair, position) so
// a misplaced token is detectable.
Corpus randomCorpus(size_t n, uint64_t seed, size_t maxLen = 60) {
  Rng rng(seed);
  Corpus c;
  for (size_t i = 0; i < n; ++i) {
    size_t ls = 1 + rng.below(maxLen), lt = 1 + rng.below(maxLen);
    std::vector<int32_t> s(ls), t(lt);
    for (size_t k = 0; k < ls; ++k) s[k] = int32_t(4 + (i * 7 + k) % 5000);
    for (size_t k = 0; k < lt; ++k) t[k] = int32_t(4 + (i * 13 + k) % 5000);
    c.add(std::move(s), std::move(t));
  }
  return c;
}

// Checks one batch against the corpus: layout, padding, counts, budget.
void checkBatch(const Batch& b, const Corpus& c, int64_t maxTokens) {
  const int64_t B = int64_t(b.sentences());
  REQUIRE(B > 0);
  REQUIRE(b.src.dtype() == DType::I32);
  REQUIRE(b.src.dim(0) == B);
  REQUIRE(b.tgtIn.dim(0) == B);
  REQUIRE(b.tgtOut.shape() == b.tgtIn.shape());
  const int64_t S = b.srcWidth(), T = b.tgtWidth();
  CHECK(B * std::max(S, T) <= maxTokens);
  int64_t maxS = 0, maxT = 0, st = 0, tt = 0;
  for (int64_t r = 0; r < B; ++r) {
    const auto& xs = c.src(b.ids[size_t(r)]);
    const auto& ys = c.tgt(b.ids[size_t(r)]);
    std::vector<int32_t> es(size_t(S), kPadId), ei(size_t(T), kPadId), eo(size_t(T), kPadId);
    std::copy(xs.begin(), xs.end(), es.begin());
    es[xs.size()] = kEosId;
    ei[0] = kBosId;
    std::copy(ys.begin(), ys.end(), ei.begin() + 1);
    std::copy(ys.begin(), ys.end(), eo.begin());
    eo[ys.size()] = kEosId;
    CHECK(row(b.src, r) == es);
    CHECK(row(b.tgtIn, r) == ei);
    CHECK(row(b.tgtOut, r) == eo);
    CHECK(b.srcLengths[size_t(r)] == int32_t(xs.size() + 1));
    CHECK(b.tgtLengths[size_t(r)] == int32_t(ys.size() + 1));
    maxS = std::max<int64_t>(maxS, int64_t(xs.size()) + 1);
    maxT = std::max<int64_t>(maxT, int64_t(ys.size()) + 1);
    st += int64_t(xs.size()) + 1;
    tt += int64_t(ys.size()) + 1;
  }
  CHECK(S == maxS);  // no excess padding
  CHECK(T == maxT);
  CHECK(b.srcTokens == st);
  CHECK(b.tgtTokens == tt);
}

std::vector<std::vector<size_t>> epochBatches(BatchGenerator& g) {
  std::vector<std::vector<size_t>> out;
  do out.push_back(g.nextIndices());
  while (!g.endOfEpoch());
  return out;
}

}  // namespace

TEST_CASE("makeBatch: hand-worked layout") {
  Corpus c;
  c.add({5, 6, 7}, {8, 9});
  c.add({10}, {11, 12, 13, 14});
  std::vector<size_t> idx = {0, 1};
  Batch b = makeBatch(c, idx);
  CHECK(b.src.shape() == Shape{2, 4});
  CHECK(b.tgtIn.shape() == Shape{2, 5});
  CHECK(row(b.src, 0) == std::vector<int32_t>{5, 6, 7, 3});
  CHECK(row(b.src, 1) == std::vector<int32_t>{10, 3, 0, 0});
  CHECK(row(b.tgtIn, 0) == std::vector<int32_t>{2, 8, 9, 0, 0});
  CHECK(row(b.tgtIn, 1) == std::vector<int32_t>{2, 11, 12, 13, 14});
  CHECK(row(b.tgtOut, 0) == std::vector<int32_t>{8, 9, 3, 0, 0});
  CHECK(row(b.tgtOut, 1) == std::vector<int32_t>{11, 12, 13, 14, 3});
  CHECK(b.srcLengths == std::vector<int32_t>{4, 2});
  CHECK(b.tgtLengths == std::vector<int32_t>{3, 5});
  CHECK(b.srcTokens == 6);
  CHECK(b.tgtTokens == 8);
  CHECK(b.sentences() == 2);
  CHECK(b.hasTarget());

  // Heap-allocated even inside an arena scope (batches outlive an update).
  Arena arena;
  Batch h;
  {
    ArenaScope scope(arena);
    h = makeBatch(c, idx);
  }
  CHECK(row(h.src, 1) == std::vector<int32_t>{10, 3, 0, 0});
}

TEST_CASE("Corpus::filterByLength drops and counts by reason") {
  Corpus c;
  c.add({4, 4, 4}, {5, 5}, 0);        // kept
  c.add({4, 4, 4, 4, 4}, {5}, 1);     // source too long
  c.add({4}, {5, 5, 5, 5, 5, 5}, 2);  // target too long
  c.add({4, 4, 4, 4, 4}, {5, 5, 5, 5, 5, 5}, 3);  // both
  c.add({}, {5}, 4);                  // empty source
  c.add({4, 4, 4, 4}, {5, 5, 5, 5}, 5);  // exactly at the limits: kept
  LengthFilterStats st = c.filterByLength(4, 5);
  CHECK(st.kept == 2);
  CHECK(st.dropped == 4);
  CHECK(st.srcTooLong == 2);
  CHECK(st.tgtTooLong == 2);
  CHECK(st.emptySide == 1);
  REQUIRE(c.size() == 2);
  CHECK(c.origin(0) == 0);
  CHECK(c.origin(1) == 5);
  CHECK(c.src(1).size() == 4);
  CHECK(st.toString().find("dropped 4 of 6 pairs") != std::string::npos);
  CHECK(c.srcTokens() == 7);
  CHECK(c.tgtTokens() == 6);
}

TEST_CASE("BatchGenerator: each pair once per epoch, budget, padding, bucketing") {
  Corpus c = randomCorpus(3000, 1);
  BatchOptions o;
  o.maxTokens = 1000;
  o.seed = 17;
  BatchGenerator g(c, o);
  for (int epoch = 1; epoch <= 2; ++epoch) {
    std::vector<int> seen(c.size(), 0);
    int64_t real = 0, padded = 0;
    size_t batches = 0;
    do {
      Batch b = g.next();
      checkBatch(b, c, o.maxTokens);
      for (size_t i : b.ids) ++seen[i];
      real += b.tgtTokens;
      padded += int64_t(b.sentences()) * b.tgtWidth();
      ++batches;
    } while (!g.endOfEpoch());
    CHECK(g.epoch() == size_t(epoch));
    CHECK(batches == g.batchesInEpoch());
    CHECK(std::all_of(seen.begin(), seen.end(), [](int k) { return k == 1; }));
    // Sorting by target length leaves little target padding.
    CHECK(double(real) / double(padded) > 0.9);
  }
}

TEST_CASE("BatchGenerator: sentence cap, chunked sorting, no shuffle") {
  Corpus c = randomCorpus(1000, 2, 20);
  BatchOptions o;
  o.maxTokens = 100000;
  o.maxSentences = 37;
  o.sortChunk = 300;
  BatchGenerator g(c, o);
  auto ep = epochBatches(g);
  size_t total = 0;
  for (auto& b : ep) {
    CHECK(b.size() <= 37);
    total += b.size();
  }
  CHECK(total == 1000);
  // 4 chunks (300, 300, 300, 100), each cut into ceil(n/37) batches.
  CHECK(ep.size() == 9 + 9 + 9 + 3);

  BatchOptions fixed;
  fixed.maxTokens = 400;
  fixed.shuffle = false;
  BatchGenerator a(c, fixed), b(c, fixed);
  auto e1 = epochBatches(a), e2 = epochBatches(a);
  CHECK(e1 == e2);  // no shuffling: every epoch the same
  CHECK(e1 == epochBatches(b));
  // Length order: target lengths never decrease from batch to batch.
  size_t prev = 0;
  for (auto& batch : e1)
    for (size_t i : batch) {
      CHECK(c.tgt(i).size() >= prev);
      prev = c.tgt(i).size();
    }
}

TEST_CASE("BatchGenerator: deterministic for a seed, different for another") {
  Corpus c = randomCorpus(2000, 3);
  BatchOptions o;
  o.maxTokens = 800;
  o.seed = 5;
  BatchGenerator a(c, o), b(c, o);
  auto a1 = epochBatches(a), a2 = epochBatches(a);
  auto b1 = epochBatches(b), b2 = epochBatches(b);
  CHECK(a1 == b1);
  CHECK(a2 == b2);
  CHECK(a1 != a2);  // epochs are shuffled differently
  o.seed = 6;
  BatchGenerator d(c, o);
  CHECK(epochBatches(d) != a1);
}

TEST_CASE("BatchGenerator: exact resume from a saved state") {
  Corpus c = randomCorpus(1500, 4);
  BatchOptions o;
  o.maxTokens = 600;
  o.seed = 99;
  BatchGenerator ref(c, o);
  std::vector<std::vector<size_t>> all;
  for (int i = 0; i < 700; ++i) all.push_back(ref.nextIndices());  // crosses epoch boundaries
  const size_t perEpoch = ref.batchesInEpoch();
  REQUIRE(perEpoch < 200);

  // Save points: fresh, mid first epoch, exactly at an epoch end, mid a later epoch.
  for (size_t cut : {size_t(0), size_t(17), perEpoch, perEpoch + 3, 2 * perEpoch + 50}) {
    CAPTURE(cut);
    BatchGenerator run(c, o);
    for (size_t i = 0; i < cut; ++i) CHECK(run.nextIndices() == all[i]);
    std::string state = run.saveState();

    BatchGenerator resumed(c, o);
    resumed.loadState(state);
    CHECK(resumed.epoch() == run.epoch());
    CHECK(resumed.position() == run.position());
    for (size_t i = cut; i < cut + 120; ++i) {
      auto got = resumed.nextIndices();
      CHECK(got == all[i]);
      if (got != all[i]) break;
    }
    CHECK(resumed.saveState() == [&] {
      for (size_t i = cut; i < cut + 120; ++i) run.nextIndices();
      return run.saveState();
    }());
  }

  // Full batches match too, not just indices.
  BatchGenerator x(c, o), y(c, o);
  for (int i = 0; i < 10; ++i) x.next();
  y.loadState(x.saveState());
  Batch bx = x.next(), by = y.next();
  CHECK(row(bx.src, 0) == row(by.src, 0));
  CHECK(bx.ids == by.ids);
}

TEST_CASE("BatchGenerator: errors") {
  Corpus c = randomCorpus(100, 5, 50);
  BatchOptions o;
  o.maxTokens = 30;  // some pairs need up to 51
  CHECK_THROWS_AS(BatchGenerator(c, o), ConfigError);
  try {
    BatchGenerator g(c, o);
  } catch (const ConfigError& e) {
    CHECK(std::string(e.what()).find("more than max-tokens 30") != std::string::npos);
  }
  Corpus empty;
  CHECK_THROWS_AS(BatchGenerator(empty, BatchOptions{}), ConfigError);

  BatchOptions ok;
  ok.maxTokens = 500;
  BatchGenerator g(c, ok);
  for (int i = 0; i < 3; ++i) g.next();
  std::string st = g.saveState();
  BatchGenerator h(c, ok);
  CHECK_THROWS_AS(h.loadState("garbage"), IoError);
  CHECK_THROWS_AS(h.loadState(st.substr(0, st.size() / 3)), IoError);  // truncated
  Corpus other = randomCorpus(101, 5, 50);
  BatchGenerator k(other, ok);
  CHECK_THROWS_AS(k.loadState(st), IoError);
  BatchOptions changed = ok;
  changed.maxTokens = 700;
  BatchGenerator m(c, changed);
  CHECK_THROWS_AS(m.loadState(st), IoError);
}

TEST_CASE("makeDecodeBatches: length-sorted batches that restore input order") {
  auto lines = lt::data::testing::generatedSentences(500, 21, 20);
  lines[10] = "";  // an empty input line still gets an output slot
  VocabTrainOptions vo;
  vo.vocabSize = 100;
  Vocab v = Vocab::train(lines, vo);
  DecodeBatchOptions o;
  o.maxSentences = 16;
  o.maxTokens = 200;
  auto batches = makeDecodeBatches(lines, v, o);
  std::vector<std::string> restored(lines.size());
  std::vector<int> seen(lines.size(), 0);
  int64_t prevWidth = INT64_MAX;
  for (const Batch& b : batches) {
    CHECK_FALSE(b.hasTarget());
    CHECK(b.sentences() <= 16);
    CHECK((int64_t(b.sentences()) * b.srcWidth() <= 200 || b.sentences() == 1));
    CHECK(b.srcWidth() <= prevWidth);  // longest first
    prevWidth = b.srcWidth();
    for (size_t r = 0; r < b.sentences(); ++r) {
      auto ids = row(b.src, int64_t(r));
      ids.resize(size_t(b.srcLengths[r]));
      CHECK(ids.back() == kEosId);
      restored[b.ids[r]] = v.decode(ids);
      ++seen[b.ids[r]];
    }
  }
  CHECK(std::all_of(seen.begin(), seen.end(), [](int k) { return k == 1; }));
  CHECK(restored == lines);

  o.maxSrcLen = 3;  // cropping
  for (const Batch& b : makeDecodeBatches(lines, v, o)) CHECK(b.srcWidth() <= 4);
}

TEST_CASE("makeDecodeBatches: over-long lines listed with their lengths; cropped or left out") {
  auto lines = lt::data::testing::generatedSentences(60, 7, 20);
  VocabTrainOptions vo;
  vo.vocabSize = 60;
  Vocab v = Vocab::train(lines, vo);
  const size_t limit = 6;
  std::vector<OverLongLine> expected;
  for (size_t i = 0; i < lines.size(); ++i)
    if (size_t n = v.encode(lines[i]).size(); n > limit) expected.push_back({i, n});
  REQUIRE(expected.size() >= 5);
  REQUIRE(expected.size() < lines.size());
  auto same = [](const std::vector<OverLongLine>& a, const std::vector<OverLongLine>& b) {
    return a.size() == b.size() &&
           std::equal(a.begin(), a.end(), b.begin(),
                      [](const OverLongLine& x, const OverLongLine& y) { return x.index == y.index && x.tokens == y.tokens; });
  };
  DecodeBatchOptions o;
  o.maxSentences = 8;
  o.maxSrcLen = limit;
  for (bool crop : {true, false}) {
    o.cropLong = crop;
    std::vector<OverLongLine> over;
    size_t rows = 0;
    for (const Batch& b : makeDecodeBatches(lines, v, o, &over)) {
      CHECK(b.srcWidth() <= int64_t(limit) + 1);
      for (size_t id : b.ids) {
        const bool overLong = v.encode(lines[id]).size() > limit;
        if (!crop) CHECK_FALSE(overLong);  // left out
      }
      rows += b.sentences();
    }
    CHECK(same(over, expected));
    CHECK(rows == (crop ? lines.size() : lines.size() - expected.size()));
  }
  // Left out with nowhere to report them: an error naming the first one.
  o.cropLong = false;
  CHECK_THROWS_WITH_AS(makeDecodeBatches(lines, v, o),
                       doctest::Contains(fmt::format("input line {}: {} subword tokens, more than the limit of 6",
                                                     expected[0].index + 1, expected[0].tokens)
                                             .c_str()),
                       DataError);
}
