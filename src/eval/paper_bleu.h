// The BLEU the Lite Transformer / fairseq papers report ("tokenized BLEU"):
// fairseq score.py's corpus BLEU-4 on whitespace tokens, no smoothing, one
// brevity penalty over the corpus, and optionally the WMT En-De compound split
// of scripts/compound_split_bleu.sh applied to hypothesis and reference.
//
// fairseq details reproduced: every line is encoded with a trailing </s> that
// is then trimmed, except that trimming never removes the first position, so
// an empty line counts as one token (</s>), which matches an empty reference.
// Literal "<pad>" / "</s>" tokens are trimmed like the real ones, and a
// literal "<unk>" in the reference never matches.
#pragma once
#include "eval/bleu.h"

#include <string>
#include <string_view>
#include <vector>

namespace lt::eval {

struct PaperBleuOptions {
  bool lowercase = false;       // fairseq score.py --ignore-case
  bool splitCompounds = false;  // X-Y -> X ##AT##-##AT## Y on both sides
};

// perl -pe 's{(\S)-(\S)}{$1 ##AT##-##AT## $2}g' on bytes (ASCII whitespace):
// matches do not overlap, so "a-b-c" becomes "a ##AT##-##AT## b-c".
std::string splitCompounds(std::string_view line);

BleuScore paperBleu(const std::vector<std::string>& hyps, const std::vector<std::string>& refs,
                    const PaperBleuOptions& opt);

std::string paperBleuSignature(const PaperBleuOptions& opt);

}  // namespace lt::eval
