#!/usr/bin/env bash
# Multi30k (task 1) English-German, raw cased text, as plain files:
#   train.{de,en} 29000, valid.{de,en} 1014 (val), test.{de,en} 1000 (test_2016_flickr),
#   test2017-flickr 1000, test2017-mscoco 461, test2018-flickr 1071.
# Usage: scripts/prepare-multi30k.sh [DATA_DIR] [OUT_DIR]
#   DATA_DIR  root of the shared corpora (default ../shared/data next to the repo,
#             or $LT_DATA_DIR); the files are read from DATA_DIR/multi30k/*.gz
#   OUT_DIR   default data/prepared/multi30k in the repo
# Idempotent: re-running rewrites the same files.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
source "$here/lib-data.sh"

data="${1:-${LT_DATA_DIR:-$here/../../shared/data}}"
out="${2:-$here/../data/prepared/multi30k}"
src="$data/multi30k"
[[ -d "$src" ]] || lt_die "no multi30k directory in $data (expected $src with train.de.gz etc.)"

lt_verify_checksums "$data" multi30k
mkdir -p "$out"

# name in the source directory -> name of the prepared split
splits=(train:train val:valid test_2016_flickr:test test_2017_flickr:test2017-flickr
  test_2017_mscoco:test2017-mscoco test_2018_flickr:test2018-flickr)
made=()
for pair in "${splits[@]}"; do
  from="${pair%%:*}" to="${pair##*:}"
  if [[ ! -f "$src/$from.de.gz" && ! -f "$src/$from.de" ]]; then
    case "$to" in
      train | valid | test) lt_die "missing input file: $src/$from.de.gz" ;;
      *) lt_note "optional set $from is absent, skipped" && continue ;;
    esac
  fi
  for lang in de en; do
    f="$src/$from.$lang.gz"
    [[ -f "$f" ]] || f="$src/$from.$lang"
    lt_text "$f" "$out/$to.$lang"
  done
  lt_same_lines "$out/$to.de" "$out/$to.en"
  made+=("$to.de" "$to.en")
done

lt_note "wrote $out:"
lt_report "$out" "${made[@]}"
