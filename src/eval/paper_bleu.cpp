#include "eval/paper_bleu.h"

#include "common/error.h"
#include "eval/unicode_text.h"

#include <cmath>
#include <fmt/format.h>
#include <limits>
#include <map>

namespace lt::eval {
namespace {

// Perl's \s on byte strings: space, \t, \n, \v, \f, \r.
bool isPerlSpace(char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }

constexpr std::string_view kEos = "</s>";
constexpr std::string_view kPad = "<pad>";
// Stand-in for a reference <unk>: contains a space, so no hypothesis token
// can equal it.
constexpr std::string_view kRefUnk = "<unk> (ref)";

std::vector<std::string> encode(const std::string& line, bool isRef, const PaperBleuOptions& opt) {
  std::string text = opt.splitCompounds ? splitCompounds(line) : line;
  if (opt.lowercase) text = pyLower(text);
  std::vector<std::string> toks;
  for (std::string_view t : pySplit(text)) {
    if (isRef && t == "<unk>")
      toks.emplace_back(kRefUnk);
    else
      toks.emplace_back(t);
  }
  toks.emplace_back(kEos);
  // fairseq libbleu: strip leading pads, then trailing pads / eos but never
  // the first remaining position.
  size_t start = 0;
  while (start < toks.size() && toks[start] == kPad) ++start;
  toks.erase(toks.begin(), toks.begin() + static_cast<std::ptrdiff_t>(start));
  if (!toks.empty()) {
    size_t end = toks.size() - 1;
    while (end > 0 && (toks[end] == kEos || toks[end] == kPad)) --end;
    toks.resize(end + 1);
  }
  return toks;
}

void addNgrams(int n, const std::vector<std::string>& ref, const std::vector<std::string>& hyp, int64_t& total,
               int64_t& match) {
  if (hyp.size() < static_cast<size_t>(n)) return;
  total += static_cast<int64_t>(hyp.size()) - n + 1;
  if (ref.size() < static_cast<size_t>(n)) return;
  std::map<std::vector<std::string_view>, int64_t> counts;
  for (size_t i = 0; i + n <= hyp.size(); ++i)
    ++counts[std::vector<std::string_view>(hyp.begin() + static_cast<std::ptrdiff_t>(i),
                                           hyp.begin() + static_cast<std::ptrdiff_t>(i + n))];
  for (size_t i = 0; i + n <= ref.size(); ++i) {
    auto it = counts.find(std::vector<std::string_view>(ref.begin() + static_cast<std::ptrdiff_t>(i),
                                                         ref.begin() + static_cast<std::ptrdiff_t>(i + n)));
    if (it != counts.end() && it->second > 0) {
      ++match;
      --it->second;
    }
  }
}

}  // namespace

std::string splitCompounds(std::string_view line) {
  std::string out;
  out.reserve(line.size() + 16);
  size_t i = 0;
  while (i < line.size()) {
    if (i + 2 < line.size() && !isPerlSpace(line[i]) && line[i + 1] == '-' && !isPerlSpace(line[i + 2])) {
      out.push_back(line[i]);
      out.append(" ##AT##-##AT## ");
      out.push_back(line[i + 2]);
      i += 3;
    } else {
      out.push_back(line[i++]);
    }
  }
  return out;
}

BleuScore paperBleu(const std::vector<std::string>& hyps, const std::vector<std::string>& refs,
                    const PaperBleuOptions& opt) {
  LT_CHECK(hyps.size() == refs.size(), DataError, "paper BLEU: {} hypothesis lines but {} reference lines",
           hyps.size(), refs.size());
  LT_CHECK(!hyps.empty(), DataError, "paper BLEU: no lines to score");
  int64_t predLen = 0, refLen = 0;
  int64_t total[4] = {0, 0, 0, 0}, match[4] = {0, 0, 0, 0};
  for (size_t i = 0; i < hyps.size(); ++i) {
    const std::vector<std::string> h = encode(hyps[i], false, opt);
    const std::vector<std::string> r = encode(refs[i], true, opt);
    predLen += static_cast<int64_t>(h.size());
    refLen += static_cast<int64_t>(r.size());
    for (int n = 1; n <= 4; ++n) addNgrams(n, r, h, total[n - 1], match[n - 1]);
  }
  BleuScore s;
  s.sysLen = predLen;
  s.refLen = refLen;
  double psum = 0.0;
  for (int n = 0; n < 4; ++n) {
    const double p = total[n] > 0 ? static_cast<double>(match[n]) / static_cast<double>(total[n]) : 0.0;
    psum += p > 0 ? std::log(p) : -std::numeric_limits<double>::infinity();
    s.precisions.push_back(p * 100);
    s.counts.push_back(static_cast<double>(match[n]));
    s.totals.push_back(static_cast<double>(total[n]));
  }
  const double r = static_cast<double>(refLen) / static_cast<double>(predLen);
  s.bp = std::min(1.0, std::exp(1 - r));
  s.score = s.bp * std::exp(psum / 4) * 100;
  return s;
}

std::string paperBleuSignature(const PaperBleuOptions& opt) {
  return fmt::format("metric:tokenized-bleu|nrefs:1|case:{}|tok:whitespace|split-compounds:{}|smooth:none|version:{}",
                     opt.lowercase ? "lc" : "mixed", opt.splitCompounds ? "yes" : "no", LT_VERSION);
}

}  // namespace lt::eval
