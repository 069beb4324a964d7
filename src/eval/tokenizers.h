// sacreBLEU 2.6.0's BLEU tokenizers, reproduced on UTF-8 strings:
//   13a  mteval-v13a: unescape a few entities, split ASCII punctuation, keep
//        '.'/',' inside numbers and split '-' after a digit.
//   intl mteval-v14 international: split Unicode punctuation (\p{P}) next to
//        a non-number (so "1,000.5" stays whole), split every symbol (\p{S}).
//   zh   each character of sacreBLEU's "Chinese" ranges becomes a token, the
//        rest goes through the 13a regular expressions.
//   char every code point is a token.
//   none the line unchanged.
#pragma once
#include <string>
#include <string_view>

namespace lt::eval {

enum class TokenizerKind { k13a, kIntl, kZh, kChar, kNone };

// Parses "13a", "intl", "zh", "char", "none"; throws ConfigError otherwise.
TokenizerKind parseTokenizer(std::string_view name);
// The name as it appears in sacreBLEU's signature ("tok:13a").
std::string tokenizerName(TokenizerKind kind);

// Tokenizes one line; the result has single spaces between tokens (except
// for `char` and `none`, which sacreBLEU leaves as they are).
std::string tokenize(TokenizerKind kind, std::string_view line);

std::string tokenize13a(std::string_view line);
std::string tokenizeIntl(std::string_view line);
std::string tokenizeZh(std::string_view line);
std::string tokenizeChar(std::string_view line);

// The regular expressions shared by 13a and zh (sacreBLEU's TokenizerRegexp).
std::string tokenizeRegexp(std::string_view line);

// True when sacreBLEU's zh tokenizer isolates code point c. Its table holds
// two ranges written as 5-hex-digit \u escapes, which Python reads as a
// 4-digit escape plus a literal digit; the string comparison then makes the
// effective ranges U+2001..U+2A6D and U+2F81..U+2FA1, reproduced here.
bool isZhSplitChar(char32_t c);

}  // namespace lt::eval
