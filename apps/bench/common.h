// Shared pieces of lt-bench's subcommands: statistics, interleaved timing, /proc figures,
// the peer-benchmark model presets (scripts/bench/torch_models.py) and JSON output.
#pragma once
#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include "common/error.h"
#include "common/timer.h"
#include "models/model_config.h"

namespace lt::bench {

inline double median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

inline double seconds(const std::function<void()>& f) {
  Timer t;
  f();
  return t.seconds();
}

// Times each variant `rounds` times, rotating which one goes first, after `warmup` untimed
// rounds, so noise on a shared machine hits all variants alike. Each sample runs variant v
// inner[v] times; the result is seconds per call, [variant][round].
inline std::vector<std::vector<double>> interleave(const std::vector<std::function<void()>>& fns,
                                                   const std::vector<int>& inner, int rounds,
                                                   int warmup) {
  const size_t nv = fns.size();
  std::vector<std::vector<double>> t(nv);
  for (int r = 0; r < warmup + rounds; ++r) {
    for (size_t j = 0; j < nv; ++j) {
      size_t v = (size_t(r) + j) % nv;
      double s = seconds([&] {
        for (int i = 0; i < inner[v]; ++i) fns[v]();
      });
      if (r >= warmup) t[v].push_back(s / inner[v]);
    }
  }
  return t;
}

// Calls per sample so that one sample lasts about `target` seconds (each variant runs once
// untimed first: primitive creation, first touch).
inline std::vector<int> calibrate(const std::vector<std::function<void()>>& fns, double target) {
  std::vector<int> inner;
  for (const auto& f : fns) {
    f();
    double s = seconds(f);
    inner.push_back(std::max(1, int(target / std::max(s, 1e-9))));
  }
  return inner;
}

// num[i] / den[i] per round.
inline std::vector<double> ratios(const std::vector<double>& num, const std::vector<double>& den) {
  std::vector<double> r;
  for (size_t i = 0; i < num.size(); ++i) r.push_back(num[i] / den[i]);
  return r;
}

// One field of /proc/self/status in kB (VmHWM = peak RSS), 0 if absent.
inline double procStatusMb(const std::string& key) {
  std::ifstream f("/proc/self/status");
  std::string line;
  while (std::getline(f, line))
    if (line.rfind(key + ":", 0) == 0) return std::atof(line.c_str() + key.size() + 1) / 1024.0;
  return 0;
}

inline double loadAverage1m() {
  double la[3] = {0, 0, 0};
  if (getloadavg(la, 3) < 1) return -1;
  return la[0];
}

inline std::string utcNow() {
  std::time_t t = std::time(nullptr);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
  return buf;
}

// The presets of scripts/bench/torch_models.py, in lt's config: post-LN, sinusoidal
// positions, scaled embeddings, separate source/target embeddings and output projection,
// dropout 0.1 (embeddings, sublayer outputs), attention/activation dropout 0, DropConnect 0.1
// on Lite kernels (kernels 3,7,15,31,31,31; causal in the decoder), 6+6 layers.
// Names: lite160 (= lite-160), transformer160 (= transformer-160), transformer512-ffn1024
// (= transformer-512-ffn1024), transformer512 (= transformer-512, d 512 ffn 2048 8 heads).
inline models::ModelConfig presetConfig(const std::string& name, int srcVocab, int tgtVocab,
                                        int maxPositions = 1024) {
  models::ModelConfig c;
  c.encoderLayers = c.decoderLayers = 6;
  c.preNorm = false;
  c.scaleEmbedding = true;
  c.sharing = "none";
  c.dropout = 0.1f;
  c.attentionDropout = 0.f;
  c.activationDropout = 0.f;
  c.srcVocab = srcVocab;
  c.tgtVocab = tgtVocab;
  c.maxPositions = maxPositions;
  auto transformer = [&](int d, int f, int heads) {
    c.modelDim = d;
    c.ffnDim = f;
    c.crossHeads = heads;
    c.encoderBlock = c.decoderBlock = models::blockPreset("transformer", 0, heads);
    c.weightDropout = 0.f;
  };
  if (name == "lite160" || name == "lite-160") {
    c.modelDim = 160;
    c.ffnDim = 160;
    c.crossHeads = 4;
    c.encoderBlock = c.decoderBlock = models::blockPreset("lite", 4);
    c.weightDropout = 0.1f;
  } else if (name == "transformer160" || name == "transformer-160") {
    transformer(160, 320, 4);
  } else if (name == "transformer512-ffn1024" || name == "transformer-512-ffn1024") {
    transformer(512, 1024, 4);
  } else if (name == "transformer512" || name == "transformer-512") {
    transformer(512, 2048, 8);
  } else {
    LT_THROW(ConfigError,
             "--model: unknown preset '{}' (lite160, transformer160, transformer512-ffn1024, "
             "transformer512)",
             name);
  }
  return models::resolveModelConfig(c);
}

// The peer's preset name for ours (JSON records carry both).
inline std::string peerName(const std::string& name) {
  if (name == "lite160") return "lite-160";
  if (name == "transformer160") return "transformer-160";
  if (name == "transformer512-ffn1024") return "transformer-512-ffn1024";
  if (name == "transformer512") return "transformer-512";
  return name;
}

// Integers of the first JSON array after "key": in `line` (enough for the flat JSON
// lines the peer scripts dump).
inline std::vector<long> jsonIntArray(const std::string& line, const std::string& key) {
  std::vector<long> out;
  size_t p = line.find("\"" + key + "\"");
  if (p == std::string::npos) return out;
  p = line.find('[', p);
  size_t e = line.find(']', p);
  if (p == std::string::npos || e == std::string::npos) return out;
  const char* s = line.c_str() + p + 1;
  const char* end = line.c_str() + e;
  while (s < end) {
    char* next = nullptr;
    long v = std::strtol(s, &next, 10);
    if (next == s) {
      ++s;
      continue;
    }
    out.push_back(v);
    s = next;
  }
  return out;
}

}  // namespace lt::bench
