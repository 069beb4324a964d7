#include "eval/tokenizers.h"

#include "common/error.h"
#include "eval/unicode_text.h"

#include <vector>

namespace lt::eval {
namespace {

bool isDigit(char c) { return c >= '0' && c <= '9'; }

// ASCII characters the first 13a expression pads with spaces:
// { | } ~  [ \ ] ^ _ `  space ! " # $ % &  ( ) * +  : ; < = > ? @  /
bool is13aPunct(unsigned char c) {
  return (c >= 0x7B && c <= 0x7E) || (c >= 0x5B && c <= 0x60) || (c >= 0x20 && c <= 0x26) ||
         (c >= 0x28 && c <= 0x2B) || (c >= 0x3A && c <= 0x40) || c == '/';
}

std::string replaceAll(std::string s, std::string_view from, std::string_view to) {
  size_t pos = s.find(from);
  if (pos == std::string::npos) return s;
  std::string out;
  out.reserve(s.size());
  size_t last = 0;
  while (pos != std::string::npos) {
    out.append(s, last, pos - last);
    out.append(to);
    last = pos + from.size();
    pos = s.find(from, last);
  }
  out.append(s, last, std::string::npos);
  return out;
}

std::vector<char32_t> decode(std::string_view s) {
  std::vector<char32_t> cps;
  cps.reserve(s.size());
  size_t i = 0;
  while (i < s.size()) cps.push_back(nextCodePoint(s, i));
  return cps;
}

}  // namespace

TokenizerKind parseTokenizer(std::string_view name) {
  if (name == "13a") return TokenizerKind::k13a;
  if (name == "intl") return TokenizerKind::kIntl;
  if (name == "zh") return TokenizerKind::kZh;
  if (name == "char") return TokenizerKind::kChar;
  if (name == "none") return TokenizerKind::kNone;
  LT_THROW(ConfigError, "--tokenize: unknown tokenizer '{}' (expected 13a, intl, zh, char or none)", name);
}

std::string tokenizerName(TokenizerKind kind) {
  switch (kind) {
    case TokenizerKind::k13a: return "13a";
    case TokenizerKind::kIntl: return "intl";
    case TokenizerKind::kZh: return "zh";
    case TokenizerKind::kChar: return "char";
    case TokenizerKind::kNone: return "none";
  }
  return "?";
}

// The four substitutions are applied one after the other, each scanning left
// to right without overlapping matches (Python re.sub). The character classes
// only name ASCII bytes, so working on UTF-8 bytes gives the same result as
// working on code points: a continuation byte never starts or ends a match.
std::string tokenizeRegexp(std::string_view line) {
  std::string a;
  a.reserve(line.size() * 2);
  for (char c : line) {
    if (is13aPunct(static_cast<unsigned char>(c))) {
      a.push_back(' ');
      a.push_back(c);
      a.push_back(' ');
    } else {
      a.push_back(c);
    }
  }
  // ([^0-9])([\.,]) -> '\1 \2 '
  std::string b;
  b.reserve(a.size() + 16);
  for (size_t i = 0; i < a.size();) {
    if (i + 1 < a.size() && !isDigit(a[i]) && (a[i + 1] == '.' || a[i + 1] == ',')) {
      b.push_back(a[i]);
      b.push_back(' ');
      b.push_back(a[i + 1]);
      b.push_back(' ');
      i += 2;
    } else {
      b.push_back(a[i++]);
    }
  }
  // ([\.,])([^0-9]) -> ' \1 \2'
  std::string c;
  c.reserve(b.size() + 16);
  for (size_t i = 0; i < b.size();) {
    if (i + 1 < b.size() && (b[i] == '.' || b[i] == ',') && !isDigit(b[i + 1])) {
      c.push_back(' ');
      c.push_back(b[i]);
      c.push_back(' ');
      c.push_back(b[i + 1]);
      i += 2;
    } else {
      c.push_back(b[i++]);
    }
  }
  // ([0-9])(-) -> '\1 \2 '
  std::string d;
  d.reserve(c.size() + 16);
  for (size_t i = 0; i < c.size();) {
    if (i + 1 < c.size() && isDigit(c[i]) && c[i + 1] == '-') {
      d.push_back(c[i]);
      d.append(" - ");
      i += 2;
    } else {
      d.push_back(c[i++]);
    }
  }
  return pyNormalizeSpaces(d);
}

std::string tokenize13a(std::string_view line) {
  std::string s(line);
  s = replaceAll(std::move(s), "<skipped>", "");
  s = replaceAll(std::move(s), "-\n", "");
  s = replaceAll(std::move(s), "\n", " ");
  if (s.find('&') != std::string::npos) {
    s = replaceAll(std::move(s), "&quot;", "\"");
    s = replaceAll(std::move(s), "&amp;", "&");
    s = replaceAll(std::move(s), "&lt;", "<");
    s = replaceAll(std::move(s), "&gt;", ">");
  }
  return tokenizeRegexp(" " + s + " ");
}

// Three passes on code points:
//   (\P{N})(\p{P}) -> '\1 \2 '   (\p{P})(\P{N}) -> ' \1 \2'   (\p{S}) -> ' \1 '
std::string tokenizeIntl(std::string_view line) {
  std::vector<char32_t> a = decode(line);
  std::vector<char32_t> b;
  b.reserve(a.size() * 2);
  for (size_t i = 0; i < a.size();) {
    if (i + 1 < a.size() && !isUnicodeNumber(a[i]) && isUnicodePunct(a[i + 1])) {
      b.insert(b.end(), {a[i], U' ', a[i + 1], U' '});
      i += 2;
    } else {
      b.push_back(a[i++]);
    }
  }
  std::vector<char32_t> c;
  c.reserve(b.size() + 16);
  for (size_t i = 0; i < b.size();) {
    if (i + 1 < b.size() && isUnicodePunct(b[i]) && !isUnicodeNumber(b[i + 1])) {
      c.insert(c.end(), {U' ', b[i], U' ', b[i + 1]});
      i += 2;
    } else {
      c.push_back(b[i++]);
    }
  }
  std::string d;
  d.reserve(c.size() * 2);
  for (char32_t cp : c) {
    if (isUnicodeSymbol(cp)) {
      d.push_back(' ');
      appendUtf8(d, cp);
      d.push_back(' ');
    } else {
      appendUtf8(d, cp);
    }
  }
  return pyNormalizeSpaces(d);
}

bool isZhSplitChar(char32_t c) {
  struct Range {
    char32_t lo, hi;
  };
  static constexpr Range kRanges[] = {
      {0x3400, 0x4DB5}, {0x4E00, 0x9FA5}, {0x9FA6, 0x9FBB}, {0xF900, 0xFA2D}, {0xFA30, 0xFA6A},
      {0xFA70, 0xFAD9}, {0x2001, 0x2A6D}, {0x2F81, 0x2FA1}, {0xFF00, 0xFFEF}, {0x2E80, 0x2EFF},
      {0x3000, 0x303F}, {0x31C0, 0x31EF}, {0x2F00, 0x2FDF}, {0x2FF0, 0x2FFF}, {0x3100, 0x312F},
      {0x31A0, 0x31BF}, {0xFE10, 0xFE1F}, {0xFE30, 0xFE4F}, {0x2600, 0x26FF}, {0x2700, 0x27BF},
      {0x3200, 0x32FF}, {0x3300, 0x33FF},
  };
  for (const Range& r : kRanges)
    if (c >= r.lo && c <= r.hi) return true;
  return false;
}

std::string tokenizeZh(std::string_view line) {
  std::string_view s = pyStrip(line);
  std::string out;
  out.reserve(s.size() * 2);
  for (size_t i = 0; i < s.size();) {
    size_t at = i;
    char32_t c = nextCodePoint(s, i);
    if (isZhSplitChar(c)) {
      out.push_back(' ');
      out.append(s.substr(at, i - at));
      out.push_back(' ');
    } else {
      out.append(s.substr(at, i - at));
    }
  }
  return tokenizeRegexp(out);
}

std::string tokenizeChar(std::string_view line) {
  std::string out;
  out.reserve(line.size() * 2);
  for (size_t i = 0; i < line.size();) {
    size_t at = i;
    nextCodePoint(line, i);
    if (at > 0) out.push_back(' ');
    out.append(line.substr(at, i - at));
  }
  return out;
}

std::string tokenize(TokenizerKind kind, std::string_view line) {
  switch (kind) {
    case TokenizerKind::k13a: return tokenize13a(line);
    case TokenizerKind::kIntl: return tokenizeIntl(line);
    case TokenizerKind::kZh: return tokenizeZh(line);
    case TokenizerKind::kChar: return tokenizeChar(line);
    case TokenizerKind::kNone: return std::string(line);
  }
  return std::string(line);
}

}  // namespace lt::eval
