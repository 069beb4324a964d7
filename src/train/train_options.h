// Everything lt-train reads besides the model architecture. One field per
// option; the option table in src/cli/train_config.cpp declares the flag /
// YAML key (kebab-case of the field), type, default and help of each.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace lt::train {

struct TrainOptions {
  // --- data ---
  std::string trainSrc, trainTgt;          // parallel training text (plain or .gz)
  std::string validSrc, validTgt;          // validation text (optional)
  std::vector<std::string> vocab;          // [] = train; [joint] or [src, tgt] .model files
  int vocabSize = 8000;                    // SentencePiece size when training a vocab
  std::string vocabType = "unigram";       // unigram | bpe
  bool jointVocab = true;                  // one vocabulary over both sides when training
  int64_t vocabSentences = 2000000;        // sample at most this many lines for SentencePiece
  int maxLength = 256;                     // drop training pairs longer (subwords) than this
  int64_t maxTokens = 4096;                // per batch: sentences * max(S, T)
  int updateFreq = 1;                      // batches accumulated per update
  int64_t sortChunk = 0;                   // pairs length-sorted together (0 = whole epoch)

  // --- stopping ---
  int64_t maxUpdates = 0;                  // 0 = no limit
  int64_t maxEpochs = 0;                   // 0 = no limit
  double timeLimitSeconds = 0;             // wall-clock limit of this run, 0 = none
  uint64_t seed = 1;
  int threads = 0;                         // 0 = runtime default
  std::string memoryLimit = "auto";        // refuse a new model estimated above this (auto = RAM)

  // --- optimiser and schedule ---
  double lr = 5e-4;                        // peak learning rate
  std::string lrSchedule = "inverse-sqrt"; // inverse-sqrt | cosine | constant
  int64_t warmupUpdates = 4000;
  double warmupInitLr = 1e-7;
  double minLr = 1e-7;                     // cosine floor
  int64_t lrPeriodUpdates = 0;             // cosine period; 0 = max-updates - warmup-updates
  std::vector<double> adamBetas = {0.9, 0.98};
  double adamEps = 1e-8;
  double weightDecay = 0;
  std::string weightDecayMode = "decoupled";  // decoupled (fairseq) | l2
  double labelSmoothing = 0.1;
  double clipNorm = 0;                     // 0 = no clipping

  // --- validation and checkpoints ---
  std::string model = "model.lt";          // model file (checkpoint = this + ".state")
  int64_t validFreq = 1000;                // validate (and checkpoint) every N updates; 0 = at epoch ends only
  int64_t saveFreq = 0;                    // extra checkpoint every N updates (0 = at validation)
  std::vector<std::string> validMetrics = {"ce-mean-words", "perplexity", "bleu"};
  std::string earlyStoppingMetric = "ce-mean-words";  // first-class metric for best / early stop
  int earlyStopping = 0;                   // stop after N validations without improvement (0 = never)
  int64_t validMaxSentences = 0;           // BLEU on at most this many validation sentences (0 = all)
  std::string validDecode = "greedy";      // greedy | beam
  int beamSize = 4;
  double lengthPenalty = 1.0;
  int validMaxLengthA = 0;                 // decode at most a*srclen + b tokens: 0 = use default 1.5 / 10
  int keepLast = 5;                        // numbered checkpoints kept (0 = none)
  bool keepBest = true;                    // keep <model>.best.<ext> for the early-stopping metric
  bool resume = true;                      // continue from <model>.state when it exists
  int averageLast = 0;                     // --average-last N: average the last N kept checkpoints and exit
  std::string initFrom;                    // start from this model file's weights (swap-then-finetune)
  std::string finetune = "all";            // all | attention-only (parameters trained after --init-from)

  // --- logging ---
  std::string logFile;
  int64_t logFreq = 100;                   // log line every N updates
  std::string logLevel = "info";
  std::string progress = "auto";           // auto | bar | lines
  bool profile = false;                    // op-level wall-time table at validations and the end
};

}  // namespace lt::train
