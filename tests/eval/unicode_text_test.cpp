// Python-compatible text primitives: whitespace set, split/strip, lowercasing.
#include "eval/unicode_text.h"

#include <doctest/doctest.h>

using namespace lt::eval;

TEST_CASE("Python whitespace set") {
  // str.isspace(): ASCII controls 9-13, 28-31, space, NEL, NBSP, Ogham space,
  // U+2000..U+200A, line/paragraph separators, narrow NBSP, MMSP, ideographic space.
  for (char32_t c : {0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x1C, 0x1F, 0x20, 0x85, 0xA0, 0x1680, 0x2000, 0x200A, 0x2028,
                     0x2029, 0x202F, 0x205F, 0x3000})
    CHECK(isPyWhitespace(c));
  // Zero-width space, BOM, Mongolian vowel separator are not whitespace in Python 3.
  for (char32_t c : {0x08, 0x1B, 0x21, 0x84, 0x200B, 0xFEFF, 0x180E, 0x2060}) CHECK_FALSE(isPyWhitespace(c));
}

TEST_CASE("pySplit / pyRstrip / pyStrip follow Python") {
  auto toks = pySplit("\u00a0 a\tb\u3000c\u200bd  ");
  REQUIRE(toks.size() == 3);
  CHECK(toks[0] == "a");
  CHECK(toks[1] == "b");
  CHECK(toks[2] == "c\u200bd");
  CHECK(pySplit("   ").empty());
  CHECK(pyNormalizeSpaces("  x \u2009 y ") == "x y");
  CHECK(pyRstrip("ab \t\u00a0\u3000") == "ab");
  CHECK(pyRstrip("ab\u200b") == "ab\u200b");
  CHECK(pyStrip("\u2028 a b \u2029") == "a b");
  CHECK(pyStrip(" \t ").empty());
}

TEST_CASE("pyLower is Python's full lowercasing") {
  CHECK(pyLower("ABC xyz") == "abc xyz");
  // Final sigma: word-final capital sigma becomes ς, a lone one σ.
  CHECK(pyLower("ΣΑΣ ΑΣ. Σ") == "σας ας. σ");
  // U+0130 lowercases to i + combining dot above (two code points).
  CHECK(pyLower("İ") == "i\u0307");
  CHECK(pyLower("ǅ Ǆ") == "ǆ ǆ");
  CHECK(pyLower("STRASSE Straße ÄÖÜ") == "strasse straße äöü");
}

TEST_CASE("UTF-8 validation rejects what Python's strict decoder rejects") {
  CHECK(findInvalidUtf8("plain € 😀 ok") == std::string_view::npos);
  CHECK(findInvalidUtf8("ab\xC0\x80") == 2);          // overlong NUL
  CHECK(findInvalidUtf8("\xED\xA0\x80") == 0);        // surrogate U+D800
  CHECK(findInvalidUtf8("x\xF4\x90\x80\x80") == 1);   // above U+10FFFF
  CHECK(findInvalidUtf8("\xE2\x82") == 0);            // truncated
  CHECK(findInvalidUtf8("\xFF") == 0);
  CHECK(codePointCount("a€😀") == 3);
}

TEST_CASE("Unicode categories come from ICU") {
  CHECK(isUnicodePunct(U'.'));
  CHECK(isUnicodePunct(U'\u201C'));  // left double quotation mark, Pi
  CHECK(isUnicodePunct(U'\u2014'));  // em dash, Pd
  CHECK(isUnicodePunct(U'\u3002'));  // ideographic full stop
  CHECK_FALSE(isUnicodePunct(U'$'));
  CHECK(isUnicodeSymbol(U'$'));
  CHECK(isUnicodeSymbol(U'\u20AC'));  // euro sign, Sc
  CHECK(isUnicodeSymbol(U'+'));
  CHECK(isUnicodeNumber(U'7'));
  CHECK(isUnicodeNumber(U'\u00BD'));  // vulgar fraction one half, No
  CHECK(isUnicodeNumber(U'\u0663'));  // Arabic-Indic digit three
  CHECK_FALSE(isUnicodeNumber(U'x'));
}
