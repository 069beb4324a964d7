#include "eval/unicode_text.h"

#include <unicode/locid.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>

namespace lt::eval {

bool isPyWhitespace(char32_t c) {
  if (c <= 0x20) return (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x20);
  if (c < 0x85) return false;
  return c == 0x85 || c == 0xA0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200A) ||
         c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F || c == 0x3000;
}

char32_t nextCodePoint(std::string_view s, size_t& i) {
  auto b = static_cast<unsigned char>(s[i]);
  if (b < 0x80) {
    ++i;
    return b;
  }
  int extra = b >= 0xF0 ? 3 : b >= 0xE0 ? 2 : 1;
  char32_t c = b & (0x3F >> extra);
  for (int k = 1; k <= extra && i + k < s.size(); ++k)
    c = (c << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
  i += extra + 1;
  return c;
}

void appendUtf8(std::string& out, char32_t c) {
  if (c < 0x80) {
    out.push_back(static_cast<char>(c));
  } else if (c < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (c >> 6)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else if (c < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (c >> 12)));
    out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (c >> 18)));
    out.push_back(static_cast<char>(0x80 | ((c >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  }
}

size_t findInvalidUtf8(std::string_view s) {
  size_t i = 0;
  const size_t n = s.size();
  auto cont = [&](size_t k) { return k < n && (static_cast<unsigned char>(s[k]) & 0xC0) == 0x80; };
  while (i < n) {
    auto b = static_cast<unsigned char>(s[i]);
    if (b < 0x80) {
      ++i;
      continue;
    }
    if (b >= 0xC2 && b <= 0xDF) {
      if (!cont(i + 1)) return i;
      i += 2;
    } else if (b >= 0xE0 && b <= 0xEF) {
      if (!cont(i + 1) || !cont(i + 2)) return i;
      auto b1 = static_cast<unsigned char>(s[i + 1]);
      if (b == 0xE0 && b1 < 0xA0) return i;   // overlong
      if (b == 0xED && b1 >= 0xA0) return i;  // surrogate
      i += 3;
    } else if (b >= 0xF0 && b <= 0xF4) {
      if (!cont(i + 1) || !cont(i + 2) || !cont(i + 3)) return i;
      auto b1 = static_cast<unsigned char>(s[i + 1]);
      if (b == 0xF0 && b1 < 0x90) return i;  // overlong
      if (b == 0xF4 && b1 >= 0x90) return i; // above U+10FFFF
      i += 4;
    } else {
      return i;
    }
  }
  return std::string_view::npos;
}

std::vector<std::string_view> pySplit(std::string_view s) {
  std::vector<std::string_view> out;
  size_t i = 0, start = 0;
  bool inTok = false;
  while (i < s.size()) {
    size_t at = i;
    char32_t c = nextCodePoint(s, i);
    if (isPyWhitespace(c)) {
      if (inTok) out.push_back(s.substr(start, at - start));
      inTok = false;
    } else if (!inTok) {
      inTok = true;
      start = at;
    }
  }
  if (inTok) out.push_back(s.substr(start));
  return out;
}

std::string pyNormalizeSpaces(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (auto tok : pySplit(s)) {
    if (!out.empty()) out.push_back(' ');
    out.append(tok);
  }
  return out;
}

std::string_view pyRstrip(std::string_view s) {
  // Walk forward remembering the end of the last non-space code point.
  size_t i = 0, end = 0;
  while (i < s.size()) {
    char32_t c = nextCodePoint(s, i);
    if (!isPyWhitespace(c)) end = i;
  }
  return s.substr(0, end);
}

std::string_view pyStrip(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    size_t at = i;
    if (!isPyWhitespace(nextCodePoint(s, i))) {
      i = at;
      break;
    }
  }
  return pyRstrip(s.substr(std::min(i, s.size())));
}

std::string pyLower(std::string_view s) {
  bool ascii = true;
  for (char ch : s) {
    if (static_cast<unsigned char>(ch) >= 0x80) {
      ascii = false;
      break;
    }
  }
  std::string out;
  if (ascii) {
    out.assign(s);
    for (char& ch : out)
      if (ch >= 'A' && ch <= 'Z') ch = static_cast<char>(ch - 'A' + 'a');
    return out;
  }
  icu::UnicodeString u = icu::UnicodeString::fromUTF8(icu::StringPiece(s.data(), static_cast<int32_t>(s.size())));
  u.toLower(icu::Locale::getRoot());
  u.toUTF8String(out);
  return out;
}

size_t codePointCount(std::string_view s) {
  size_t n = 0;
  for (char ch : s)
    if ((static_cast<unsigned char>(ch) & 0xC0) != 0x80) ++n;
  return n;
}

bool isUnicodePunct(char32_t c) {
  return (U_GET_GC_MASK(static_cast<UChar32>(c)) & U_GC_P_MASK) != 0;
}
bool isUnicodeSymbol(char32_t c) {
  return (U_GET_GC_MASK(static_cast<UChar32>(c)) & U_GC_S_MASK) != 0;
}
bool isUnicodeNumber(char32_t c) {
  return (U_GET_GC_MASK(static_cast<UChar32>(c)) & U_GC_N_MASK) != 0;
}

}  // namespace lt::eval
