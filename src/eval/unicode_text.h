// Python-compatible text primitives on UTF-8 strings. sacreBLEU is written in
// Python, so "split on whitespace", "strip" and "lower" mean Python's str
// methods: Unicode whitespace (str.isspace), full case mapping with context
// (final sigma, U+0130 -> "i\u0307"). Case mapping and character categories
// come from ICU.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace lt::eval {

// True for the code points Python's str.isspace() accepts (the set used by
// str.split(), str.strip() and str.rstrip() without arguments).
bool isPyWhitespace(char32_t c);

// Decodes one code point starting at s[i] of a string that is valid UTF-8
// (checked beforehand) and advances i past it.
char32_t nextCodePoint(std::string_view s, size_t& i);
// Appends the UTF-8 encoding of c.
void appendUtf8(std::string& out, char32_t c);

// Byte offset of the first invalid UTF-8 sequence under Python's strict
// decoder (overlong forms, surrogates and values above U+10FFFF are errors),
// or std::string_view::npos when s is valid.
size_t findInvalidUtf8(std::string_view s);

// Python str.split() without arguments: tokens separated by runs of whitespace.
std::vector<std::string_view> pySplit(std::string_view s);
// Python ' '.join(s.split()).
std::string pyNormalizeSpaces(std::string_view s);
// Python str.rstrip() / str.strip() without arguments.
std::string_view pyRstrip(std::string_view s);
std::string_view pyStrip(std::string_view s);
// Python str.lower(): full Unicode lowercasing (ICU, root locale).
std::string pyLower(std::string_view s);

// Number of code points in valid UTF-8.
size_t codePointCount(std::string_view s);

// Unicode general category groups (ICU): \p{P}, \p{S}, \p{N}.
bool isUnicodePunct(char32_t c);
bool isUnicodeSymbol(char32_t c);
bool isUnicodeNumber(char32_t c);

}  // namespace lt::eval
