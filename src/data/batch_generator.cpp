#include "data/batch_generator.h"

#include <algorithm>
#include <numeric>
#include <sstream>

#include "common/error.h"
#include "data/corpus.h"

namespace lt::data {

namespace {
constexpr const char* kStateMagic = "lt-batch-generator 1";

int64_t padLen(const Corpus& c, size_t i) {
  return int64_t(std::max(c.src(i).size(), c.tgt(i).size())) + 1;
}

template <typename T> void shuffleWith(std::vector<T>& v, Rng& rng) {
  for (size_t i = v.size(); i > 1; --i) std::swap(v[i - 1], v[rng.below(i)]);
}
}  // namespace

BatchGenerator::BatchGenerator(const Corpus& corpus, const BatchOptions& opts)
    : corpus_(corpus), opts_(opts), rng_(opts.seed) {
  LT_CHECK(!corpus.empty(), ConfigError, "no training pairs to batch (the corpus is empty)");
  LT_CHECK(opts.maxTokens > 0, ConfigError, "max-tokens must be positive, got {}", opts.maxTokens);
  int64_t longest = 0;
  size_t which = 0;
  for (size_t i = 0; i < corpus.size(); ++i) {
    int64_t l = padLen(corpus, i);
    if (l > longest) longest = l, which = i;
  }
  LT_CHECK(longest <= opts.maxTokens, ConfigError,
           "training pair {} needs {} tokens (longest side + 1), more than max-tokens {}; raise "
           "max-tokens or lower max-length",
           corpus.origin(which) + 1, longest, opts.maxTokens);
}

void BatchGenerator::planEpoch() {
  const size_t n = corpus_.size();
  order_.resize(n);
  std::iota(order_.begin(), order_.end(), size_t(0));
  if (opts_.shuffle) shuffleWith(order_, rng_);
  const size_t chunk = opts_.sortChunk ? opts_.sortChunk : n;
  auto byLength = [&](size_t a, size_t b) {
    size_t ta = corpus_.tgt(a).size(), tb = corpus_.tgt(b).size();
    if (ta != tb) return ta < tb;
    return corpus_.src(a).size() < corpus_.src(b).size();
  };
  for (size_t c = 0; c < n; c += chunk)
    std::stable_sort(order_.begin() + ptrdiff_t(c), order_.begin() + ptrdiff_t(std::min(n, c + chunk)),
                     byLength);

  // Greedy cut; batches never span a chunk boundary.
  std::vector<std::pair<size_t, size_t>> batches;  // [begin, end) into order_
  size_t begin = 0;
  int64_t width = 0;
  for (size_t k = 0; k < n; ++k) {
    int64_t w = std::max(width, padLen(corpus_, order_[k]));
    size_t rows = k - begin + 1;
    bool full = int64_t(rows) * w > opts_.maxTokens ||
                (opts_.maxSentences && rows > opts_.maxSentences) || (k > begin && k % chunk == 0);
    if (full && k > begin) {
      batches.emplace_back(begin, k);
      begin = k;
      w = padLen(corpus_, order_[k]);
    }
    width = w;
  }
  batches.emplace_back(begin, n);
  if (opts_.shuffle) shuffleWith(batches, rng_);

  std::vector<size_t> order;
  order.reserve(n);
  starts_.assign(1, 0);
  for (auto [b, e] : batches) {
    order.insert(order.end(), order_.begin() + ptrdiff_t(b), order_.begin() + ptrdiff_t(e));
    starts_.push_back(order.size());
  }
  order_ = std::move(order);
}

std::vector<size_t> BatchGenerator::nextIndices() {
  if (epoch_ == 0 || endOfEpoch()) {
    rngAtEpochStart_ = rng_.saveState();
    planEpoch();
    ++epoch_;
    pos_ = 0;
  }
  auto b = order_.begin() + ptrdiff_t(starts_[pos_]);
  auto e = order_.begin() + ptrdiff_t(starts_[pos_ + 1]);
  ++pos_;
  return std::vector<size_t>(b, e);
}

Batch BatchGenerator::next() {
  auto idx = nextIndices();
  return makeBatch(corpus_, idx);
}

std::string BatchGenerator::saveState() const {
  // The Rng state is last: it is a space-separated list of numbers.
  return fmt::format("{}\nepoch {}\nposition {}\npairs {}\nmax-tokens {}\nmax-sentences {}\n"
                     "sort-chunk {}\nshuffle {}\nrng {}\n",
                     kStateMagic, epoch_, pos_, corpus_.size(), opts_.maxTokens, opts_.maxSentences,
                     opts_.sortChunk, opts_.shuffle ? 1 : 0,
                     epoch_ ? rngAtEpochStart_ : rng_.saveState());
}

void BatchGenerator::loadState(const std::string& state) {
  std::istringstream in(state);
  std::string line;
  LT_CHECK(std::getline(in, line) && line == kStateMagic, IoError,
           "batch generator state: bad header (corrupt checkpoint?)");
  auto field = [&](const char* key) -> std::string {
    LT_CHECK(std::getline(in, line), IoError, "batch generator state: missing '{}' (truncated?)", key);
    std::string k(key);
    LT_CHECK(line.size() > k.size() && line.compare(0, k.size() + 1, k + " ") == 0, IoError,
             "batch generator state: expected '{}', found '{}'", key, line.substr(0, 40));
    return line.substr(k.size() + 1);
  };
  auto number = [&](const char* key) -> uint64_t {
    std::string v = field(key);
    size_t used = 0;
    uint64_t x = 0;
    try {
      x = std::stoull(v, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    LT_CHECK(used == v.size() && !v.empty(), IoError, "batch generator state: bad number for '{}': {}",
             key, v);
    return x;
  };
  size_t epoch = number("epoch"), pos = number("position"), pairs = number("pairs");
  int64_t maxTokens = int64_t(number("max-tokens"));
  size_t maxSentences = number("max-sentences"), sortChunk = number("sort-chunk");
  bool shuffle = number("shuffle") != 0;
  std::string rngState = field("rng");
  LT_CHECK(pairs == corpus_.size(), IoError,
           "batch generator state was saved for a corpus of {} pairs, this corpus has {}", pairs,
           corpus_.size());
  LT_CHECK(maxTokens == opts_.maxTokens && maxSentences == opts_.maxSentences &&
               sortChunk == opts_.sortChunk && shuffle == opts_.shuffle,
           IoError,
           "batch generator state was saved with max-tokens {} max-sentences {} sort-chunk {} "
           "shuffle {}, now {} {} {} {}; resume needs the same batching options",
           maxTokens, maxSentences, sortChunk, shuffle, opts_.maxTokens, opts_.maxSentences,
           opts_.sortChunk, opts_.shuffle);
  Rng rng;
  rng.loadState(rngState);
  rng_ = rng;
  epoch_ = epoch;
  pos_ = 0;
  order_.clear();
  starts_.clear();
  if (epoch_ > 0) {
    rngAtEpochStart_ = rngState;
    planEpoch();
    LT_CHECK(pos <= batchesInEpoch(), IoError,
             "batch generator state: position {} is beyond the {} batches of the epoch", pos,
             batchesInEpoch());
    pos_ = pos;
  }
}

}  // namespace lt::data
