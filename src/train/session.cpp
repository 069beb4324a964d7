#include "train/session.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <regex>

#include "common/error.h"
#include "common/log.h"
#include "common/memory_limit.h"
#include "common/output_file.h"
#include "common/run_lock.h"
#include "common/threads.h"
#include "common/timer.h"
#include "data/batch.h"
#include "data/corpus.h"
#include "data/text_reader.h"
#include "data/vocab.h"
#include "decode/translator.h"
#include "models/cost.h"
#include "models/model_memory.h"
#include "models/swap.h"
#include "ops/cross_entropy.h"
#include "ops/shape_ops.h"
#include "train/file_io.h"
#include "train/progress.h"
#include "train/resume_check.h"
#include "train/system.h"
#include "train/trainer.h"

namespace lt::train {

namespace fs = std::filesystem;

namespace {

std::vector<data::Vocab> loadVocabs(const std::vector<std::string>& paths) {
  std::vector<data::Vocab> v;
  for (const auto& p : paths) v.push_back(data::Vocab::load(p));
  if (v.size() == 1) v.push_back(v[0]);
  return v;
}

std::vector<data::Vocab> trainVocabs(const TrainOptions& o, const data::ParallelText& text) {
  data::VocabTrainOptions vo;
  vo.vocabSize = o.vocabSize;
  vo.modelType = o.vocabType;
  vo.inputSentenceSize = size_t(o.vocabSentences);
  vo.seed = o.seed;
  vo.numThreads = std::max(1, numThreads());
  vo.hardVocabLimit = false;
  Timer t;
  std::vector<data::Vocab> v;
  if (o.jointVocab) {
    v.push_back(data::Vocab::train({std::span<const std::string>(text.src),
                                    std::span<const std::string>(text.tgt)},
                                   vo));
    v.push_back(v[0]);
    v[0].save(o.model + ".spm");
    spdlog::info("trained a joint {} vocabulary of {} pieces in {:.1f} s, saved to {}", o.vocabType,
                 v[0].size(), t.seconds(), o.model + ".spm");
  } else {
    v.push_back(data::Vocab::train(std::span<const std::string>(text.src), vo));
    v.push_back(data::Vocab::train(std::span<const std::string>(text.tgt), vo));
    v[0].save(o.model + ".src.spm");
    v[1].save(o.model + ".tgt.spm");
    spdlog::info("trained {} vocabularies of {} / {} pieces in {:.1f} s, saved to {}.{{src,tgt}}.spm",
                 o.vocabType, v[0].size(), v[1].size(), t.seconds(), o.model);
  }
  return v;
}

// Validation BLEU's decoding: lt-translate's Translator with the limits the validation
// decoder has always used (a = 1.2, b = 10; batches of 128 sentences greedy, 64 beam).
decode::TranslateOptions validationDecoding(const models::TranslationModel& m, const TrainOptions& o) {
  decode::TranslateOptions to;
  to.search.greedy = o.validDecode == "greedy";
  to.search.beamSize = o.beamSize;
  to.search.lenpen = float(o.lengthPenalty);
  to.search.maxLenA = 1.2f;
  to.search.maxLenB = 10;
  if (to.search.greedy) to.search.minLen = 0;  // greedy validation may end with EOS at once
  to.batching.maxTokens = std::max<int64_t>(o.maxTokens, 1024);
  to.batching.maxSentences = to.search.greedy ? 128 : 64;
  to.batching.maxSrcLen = size_t(std::max(1, m.config.maxPositions - 2));
  return to;
}

ModelHooks makeHooks(models::TranslationModel& m, const TrainOptions& o) {
  ModelHooks h;
  models::EncoderDecoder* net = m.net.get();
  h.loss = [net](const data::Batch& b, float ls, bool train, uint64_t seed) {
    models::ForwardOptions fo;
    fo.train = train;
    fo.dropoutSeed = seed;
    Var logits = net->forward(b.src, b.tgtIn, fo);  // [B, T, V]
    const int64_t n = b.tgtOut.elements();
    Var flat = ops::reshape(logits, Shape{n, logits.dim(2)});
    return ops::labelSmoothedCrossEntropy(flat, b.tgtOut.reshape(Shape{n}), ls, data::kPadId,
                                          ops::Logits::Consume);  // read by nothing after backward
  };
  h.save = [&m](const std::string& path) { m.save(path); };
  h.beforeUpdate = [net](int64_t update) { net->setTrainingUpdate(update); };
  auto translator = std::make_shared<decode::Translator>(decode::makeTranslator(m, validationDecoding(m, o)));
  h.translate = [translator](const std::vector<std::string>& lines) {
    auto hyps = translator->translate(lines);
    std::vector<std::string> out;
    out.reserve(hyps.size());
    for (const auto& h : hyps) out.push_back(h.empty() ? std::string() : translator->detokenize(h[0]));
    return out;
  };
  return h;
}

// Every input file the options name, opened before any work (vocabulary training takes
// minutes): IoError naming the flag and the file.
void checkInputFiles(const TrainOptions& o) {
  auto readable = [](const std::string& path, const char* flag) {
    if (path == "-") return;  // stdin
    std::ifstream f(path, std::ios::binary);
    LT_CHECK(f.good(), IoError, "{}: cannot open '{}' ({})", flag, path,
             fs::exists(path) ? "not readable" : "no such file");
  };
  readable(o.trainSrc, "--train-src");
  readable(o.trainTgt, "--train-tgt");
  if (!o.validSrc.empty()) readable(o.validSrc, "--valid-src");
  if (!o.validTgt.empty()) readable(o.validTgt, "--valid-tgt");
  for (const auto& v : o.vocab) readable(v, "--vocab");
  if (!o.initFrom.empty()) readable(o.initFrom, "--init-from");
}

std::string stateTag(const models::TranslationModel& m) {
  return m.srcVocab.fingerprint() + "/" + m.tgtVocab.fingerprint() + "\n" + models::toYaml(m.config);
}

void checkSameVocab(const data::Vocab& a, const data::Vocab& b, const std::string& what,
                    const std::string& model) {
  LT_CHECK(a.fingerprint() == b.fingerprint(), DataError,
           "--vocab: {} vocabulary ({} pieces, fingerprint {}) does not match the one in model file "
           "'{}' ({} pieces, fingerprint {})",
           what, a.size(), a.fingerprint(), model, b.size(), b.fingerprint());
}

constexpr double kTrainingBytesPerParameter = 16;  // fp32 weight, gradient, two Adam moments
constexpr const char* kTrainingMemoryPurpose =
    "training (16 bytes per parameter: weights, gradients, Adam moments)";

// Tokens (padding included) of the largest batch: max-tokens, or one pair of max-length.
double batchTokens(const TrainOptions& o) { return double(std::max<int64_t>(o.maxTokens, o.maxLength + 1)); }

std::string withSuffixPattern(const std::string& model) {
  fs::path p(model);
  return ((p.parent_path() / p.stem()).string() + ".u<N>" + p.extension().string());
}

}  // namespace

int runTrainingSession(const TrainOptions& o, const models::ModelConfig& modelConfig,
                       const std::vector<GivenKey>& givenModelKeys) {
  if (o.threads > 0) setThreads(o.threads);
  checkInputFiles(o);
  installStopSignalHandlers();
  installTrainingSignalHandlers();
  if (fs::path(o.model).has_parent_path()) fs::create_directories(fs::path(o.model).parent_path());
  // One process per model path: a second lt-train on it is refused (common/run_lock.h).
  RunLock lock(lockPathFor(o.model), fmt::format("--model {}", o.model));
  const std::string statePath = statePathFor(o.model);
  const bool haveModel = fileExists(o.model);
  const bool resuming = o.resume && haveModel && fileExists(statePath);
  const double memoryLimit = parseMemoryLimit(o.memoryLimit, "--memory-limit");

  // An existing model continues with its own architecture: refuse a run that asks for another
  // one (train/resume_check.h) before reading anything else.
  std::unique_ptr<models::TranslationModel> model;
  if (haveModel && o.resume) {
    model = models::TranslationModel::load(o.model);
    checkResumeConfig(modelConfig, givenModelKeys, model->config, o.model);
  } else if (o.initFrom.empty() && !modelConfig.budget.active()) {
    // What the model would need, with the vocabulary size asked for, before any slow work.
    models::ModelConfig want = modelConfig;
    if (o.vocab.empty()) want.srcVocab = want.tgtVocab = o.vocabSize;
    checkModelMemory(want, kTrainingBytesPerParameter, batchTokens(o), memoryLimit, kTrainingMemoryPurpose,
                     memoryLimitSource(o.memoryLimit, "--memory-limit"));
  }

  // Training text.
  Timer t;
  data::ParallelText text = data::readParallel(o.trainSrc, o.trainTgt);
  spdlog::info("read {} training pairs from {} / {} in {:.1f} s{}", text.src.size(), o.trainSrc,
               o.trainTgt, t.seconds(),
               text.droppedEmpty ? fmt::format(" (dropped {} pairs with an empty side)", text.droppedEmpty)
                                 : std::string());
  LT_CHECK(!text.src.empty(), DataError, "{} / {}: no training pairs", o.trainSrc, o.trainTgt);

  // Model and vocabularies.
  if (model) {
    spdlog::info("{} {} ({} parameters)", resuming ? "resuming" : "continuing from the weights of",
                 o.model, model->params.numElements());
    if (!o.vocab.empty()) {
      auto v = loadVocabs(o.vocab);
      checkSameVocab(v[0], model->srcVocab, "source", o.model);
      checkSameVocab(v[1], model->tgtVocab, "target", o.model);
    }
  } else if (!o.initFrom.empty()) {
    Rng initRng(o.seed);
    models::SwapResult sr;
    model = models::initFromModelFile(o.initFrom, modelConfig, initRng, &sr);
    spdlog::info("initialised from {}: {} tensors ({} values) copied, {} fresh ({})", o.initFrom,
                 sr.copiedTensors, sr.copiedElements, sr.fresh.size(),
                 sr.fresh.empty() ? std::string("none") : sr.fresh.front() + ", ...");
    if (!o.vocab.empty()) {
      auto v = loadVocabs(o.vocab);
      checkSameVocab(v[0], model->srcVocab, "source", o.initFrom);
      checkSameVocab(v[1], model->tgtVocab, "target", o.initFrom);
    }
  } else {
    std::vector<data::Vocab> v = o.vocab.empty() ? trainVocabs(o, text) : loadVocabs(o.vocab);
    models::ModelConfig cfg = modelConfig;
    cfg.srcVocab = v[0].size();
    cfg.tgtVocab = v[1].size();
    if (cfg.budget.active()) {
      models::BudgetResult br = models::fitBudget(cfg);
      spdlog::info("budget (mult-adds {}, params {}): chose {}", cfg.budget.multAdds,
                   cfg.budget.params, models::describeCost(br.config, br.cost));
      cfg = br.config;
    }
    checkModelMemory(cfg, kTrainingBytesPerParameter, batchTokens(o), memoryLimit, kTrainingMemoryPurpose,
                     memoryLimitSource(o.memoryLimit, "--memory-limit"));
    Rng initRng(o.seed);
    model = models::TranslationModel::create(cfg, std::move(v[0]), std::move(v[1]), initRng);
  }
  spdlog::info("model: {}", models::describeCost(model->config, models::countCost(model->config)));
  if (!o.initFrom.empty() || o.finetune != "all") {
    int64_t trainable = models::applyFinetuneMode(model->params, o.finetune);
    spdlog::info("finetune {}: {} of {} parameters train", o.finetune, trainable,
                 model->params.numElements());
  }

  // Corpora.
  t.reset();
  data::Corpus corpus =
      data::Corpus::encode(text.src, text.tgt, model->srcVocab, model->tgtVocab, o.threads);
  data::LengthFilterStats fs = corpus.filterByLength(size_t(o.maxLength), size_t(o.maxLength));
  spdlog::info("encoded {} pairs in {:.1f} s: {} source / {} target tokens; {}", corpus.size(),
               t.seconds(), corpus.srcTokens(), corpus.tgtTokens(), fs.toString());
  LT_CHECK(!corpus.empty(), DataError, "{} / {}: no training pairs left after the length filter ({})",
           o.trainSrc, o.trainTgt, fs.toString());
  text = {};

  std::unique_ptr<ValidationData> valid;
  if (!o.validSrc.empty()) {
    data::ParallelText vt = data::readParallel(o.validSrc, o.validTgt);
    valid = std::make_unique<ValidationData>();
    valid->corpus = data::Corpus::encode(vt.src, vt.tgt, model->srcVocab, model->tgtVocab, o.threads);
    valid->corpus.filterByLength(size_t(model->config.maxPositions - 2),
                                 size_t(model->config.maxPositions - 2));
    valid->src = std::move(vt.src);
    valid->ref = std::move(vt.tgt);
    spdlog::info("validation: {} pairs from {} / {}", valid->src.size(), o.validSrc, o.validTgt);
  }

  Trainer trainer(o, model->params, corpus, valid.get(), makeHooks(*model, o),
                  stateTag(*model));
  if (resuming) trainer.resumeFrom(statePath);
  Trainer::Result r = trainer.run();
  spdlog::info("peak memory (VmHWM) {}", formatBytes(peakRssBytes()));
  return r.exitCode;
}

std::vector<std::string> findNumberedCheckpoints(const std::string& model) {
  fs::path p(model);
  fs::path dir = p.parent_path().empty() ? fs::path(".") : p.parent_path();
  const std::string stem = p.stem().string(), ext = p.extension().string();
  std::vector<std::pair<int64_t, std::string>> found;
  if (fs::is_directory(dir)) {
    for (const auto& e : fs::directory_iterator(dir)) {
      const std::string name = e.path().filename().string();
      const std::string prefix = stem + ".u";
      if (name.size() <= prefix.size() + ext.size() || name.compare(0, prefix.size(), prefix) != 0 ||
          name.compare(name.size() - ext.size(), ext.size(), ext) != 0)
        continue;
      std::string num = name.substr(prefix.size(), name.size() - prefix.size() - ext.size());
      if (num.empty() || !std::all_of(num.begin(), num.end(), ::isdigit)) continue;
      found.emplace_back(std::stoll(num), (p.parent_path() / name).string());
    }
  }
  std::sort(found.begin(), found.end());
  std::vector<std::string> out;
  for (auto& f : found) out.push_back(f.second);
  return out;
}

std::string averageLastCheckpoints(const std::string& model, int n) {
  std::vector<std::string> all = findNumberedCheckpoints(model);
  LT_CHECK(n >= 1, ConfigError, "--average-last must be >= 1, got {}", n);
  LT_CHECK(int(all.size()) >= n, IoError,
           "--average-last {}: found only {} numbered checkpoints of '{}' (files {}); train longer "
           "or keep more (--keep-last)",
           n, all.size(), model, withSuffixPattern(model));
  std::vector<std::string> use(all.end() - n, all.end());
  auto avg = models::TranslationModel::load(use.back());
  const auto& params = avg->params.all();
  std::vector<std::vector<double>> sum(params.size());
  for (size_t k = 0; k < params.size(); ++k) {
    const Tensor& v = params[k].second.value();
    sum[k].assign(v.data<float>(), v.data<float>() + v.elements());
  }
  for (int i = 0; i + 1 < n; ++i) {
    auto m = models::TranslationModel::load(use[size_t(i)]);
    LT_CHECK(models::toYaml(m->config) == models::toYaml(avg->config) &&
                 m->srcVocab.fingerprint() == avg->srcVocab.fingerprint() &&
                 m->tgtVocab.fingerprint() == avg->tgtVocab.fingerprint(),
             IoError, "--average-last: '{}' and '{}' are different models", use[size_t(i)], use.back());
    for (size_t k = 0; k < params.size(); ++k) {
      const Tensor& v = m->params.all()[k].second.value();
      const float* x = v.data<float>();
      for (size_t j = 0; j < sum[k].size(); ++j) sum[k][j] += x[j];
    }
  }
  for (size_t k = 0; k < params.size(); ++k) {
    float* dst = params[k].second.value().data<float>();
    for (size_t j = 0; j < sum[k].size(); ++j) dst[j] = float(sum[k][j] / n);
  }
  const std::string out = averagedPathFor(model, n);
  avg->save(out);
  std::string list;
  for (auto& u : use) list += (list.empty() ? "" : ", ") + fs::path(u).filename().string();
  spdlog::info("averaged {} checkpoints ({}) into {}", n, list, out);
  return out;
}

}  // namespace lt::train
