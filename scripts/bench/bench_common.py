"""Shared pieces of the peer benchmarks: clean environment, threads, batches, inputs, output.

Batch and token definitions (lt's side must use the same to be comparable):

Training batches (torch_train_bench.py)
  * Lengths: the (source, target) token counts of the IWSLT'14 test set after fairseq's
    10k joint BPE (whitespace tokens of bpe10k/test.{de,en}.gz; 6,750 pairs, mean 23.0 / 22.2
    tokens), resampled with replacement (seeded) into a pool of 160,239 pairs, the size of
    the IWSLT'14 training set, so that length bucketing packs batches as densely as on the
    real training data. Token ids are uniform random in [4, vocab).
  * S = source tokens + EOS, T = target tokens + 1 (BOS + y as decoder input, y + EOS as
    labels), exactly lt's data::Batch.
  * Batching as lt's BatchGenerator / fairseq --max-tokens: shuffle the pairs (seeded),
    stable-sort by (T, S), cut greedily so that sentences * max(S, T) <= max_tokens (4096),
    shuffle the batch order (seeded). --dump-batches writes the exact batches used.
  * Target tokens of a batch = sum of T over its sentences (the number of labels).
  * tokens/s = target tokens / wall time of the whole update (forward, loss, backward,
    optimizer step); the headline figure is the median over the measured updates of the
    per-update rate; the aggregate (sum of tokens / sum of times) is reported too.

Decoding inputs (torch_decode_bench.py, ct2_decode_bench.py)
  * Source: lines of raw/test.de.gz (6,750). Tokens: whitespace split, each token mapped to
    an id in [4, vocab) by crc32 (or a SentencePiece model with --spm-src). Source = ids + EOS.
  * Forced target length L (decoder steps per sentence): --tgt-len ref (default) takes the
    whitespace token count of the matching line of raw/test.en.gz (or its SentencePiece
    length) + 1 for the EOS step; --tgt-len N gives every sentence L = N.
    Every system runs exactly L decoder steps for every hypothesis of that sentence
    (EOS forbidden before step L; torch/lt force EOS at step L, CTranslate2 stops at
    max_decoding_length = L).
  * Batches: sentences sorted by (L, source length), cut into batches of at most
    --batch-size sentences that share one L (so a batch-level min/max length forces every
    sentence); batches run longest first. --dump-batches writes them.
  * Target tokens = sum of L over the sentences (beam hypotheses not multiplied);
    sentences/s and target tokens/s are over the wall time of all batches (encoder, beam
    search, cache set-up included; model building and input reading excluded).
"""
from __future__ import annotations

import gzip
import json
import os
import platform
import random
import resource
import subprocess
import sys
import time
import zlib

PAD, UNK, BOS, EOS = 0, 1, 2, 3
DATA = os.environ.get("LT_DATA", "/work/shared/data")
IWSLT = os.path.join(DATA, "iwslt14-de-en")


def clean_env_and_reexec(threads: int):
    """Re-run this script once with OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE unset and
    OMP_NUM_THREADS = threads, so that the thread pools are sized before torch loads."""
    if os.environ.get("LT_PEER_CLEAN") == "1":
        return
    env = dict(os.environ)
    env.pop("OPENBLAS_CORETYPE", None)
    env.pop("OPENBLAS_L2_SIZE", None)
    env["OMP_NUM_THREADS"] = str(threads)
    env["MKL_NUM_THREADS"] = str(threads)
    env["LT_PEER_CLEAN"] = "1"
    os.execve(sys.executable, [sys.executable] + sys.argv, env)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def read_lines(path: str) -> list[str]:
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as f:
        return [line.rstrip("\n") for line in f]


def median(xs):
    s = sorted(xs)
    n = len(s)
    return s[n // 2] if n % 2 else 0.5 * (s[n // 2 - 1] + s[n // 2])


def host_info() -> dict:
    la = os.getloadavg()
    return {"date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "python": platform.python_version(), "load_avg_1m": round(la[0], 2)}


def emit(record: dict):
    print(json.dumps(record), flush=True)


def run_children(script: str, items: list[str], flag: str, passthrough: list[str]) -> int:
    """Run one child process per item (clean peak RSS per configuration)."""
    rc = 0
    for item in items:
        cmd = [sys.executable, script, flag, item] + passthrough
        r = subprocess.run(cmd)
        rc = rc or r.returncode
    return rc


# ----------------------------------------------------------------------------------------
# Training batches
# ----------------------------------------------------------------------------------------
def length_pairs(src_path: str, tgt_path: str) -> list[tuple[int, int]]:
    src = read_lines(src_path)
    tgt = read_lines(tgt_path)
    if len(src) != len(tgt):
        raise SystemExit(f"{src_path}: {len(src)} lines but {tgt_path}: {len(tgt)} lines")
    return [(len(s.split()), len(t.split())) for s, t in zip(src, tgt)]


def make_train_batches(pairs, max_tokens: int, seed: int, pool: int = 0):
    """-> list of batches, each a list of (S, T) with S = src + EOS, T = tgt + 1.
    pool > 0: first draw `pool` pairs with replacement from `pairs` (a corpus of the
    training set's size with the same length distribution, so that length bucketing packs
    batches as densely as on the real training data)."""
    rng = random.Random(seed)
    if pool:
        pairs = [pairs[rng.randrange(len(pairs))] for _ in range(pool)]
    items = [(s + 1, t + 1) for s, t in pairs if max(s + 1, t + 1) <= max_tokens]
    rng.shuffle(items)
    items.sort(key=lambda st: (st[1], st[0]))        # stable
    batches, cur, width = [], [], 0
    for st in items:
        w = max(width, st[0], st[1])
        if cur and (len(cur) + 1) * w > max_tokens:
            batches.append(cur)
            cur, w = [], max(st)
        cur.append(st)
        width = w
    if cur:
        batches.append(cur)
    rng.shuffle(batches)
    return batches


# ----------------------------------------------------------------------------------------
# Decoding inputs
# ----------------------------------------------------------------------------------------
def hash_id(token: str, vocab: int) -> int:
    return 4 + zlib.crc32(token.encode("utf-8")) % (vocab - 4)


def encode_lines(lines, vocab: int, spm_path: str | None):
    if spm_path:
        import sentencepiece as spm
        sp = spm.SentencePieceProcessor(model_file=spm_path)
        return [sp.encode(line) for line in lines], sp.get_piece_size()
    return [[hash_id(tok, vocab) for tok in line.split()] for line in lines], vocab


def decode_inputs(args):
    """-> (sources as id lists incl. EOS, forced steps per sentence, src vocab, tgt vocab)."""
    lines = read_lines(args.src)
    if args.limit:
        lines = lines[:args.limit]
    src, src_vocab = encode_lines(lines, args.vocab, args.spm_src)
    if args.max_src_len:
        src = [s[:args.max_src_len] for s in src]
    src = [s + [EOS] for s in src]
    tgt_vocab = args.vocab
    if args.tgt_len == "ref":
        ref = read_lines(args.ref)[:len(lines)]
        if len(ref) != len(lines):
            raise SystemExit(f"{args.ref}: {len(ref)} lines, source has {len(lines)}")
        ref_ids, tgt_vocab = encode_lines(ref, args.vocab, args.spm_tgt)
        steps = [len(r) + 1 for r in ref_ids]
    else:
        steps = [int(args.tgt_len)] * len(src)
        if args.spm_tgt:
            import sentencepiece as spm
            tgt_vocab = spm.SentencePieceProcessor(model_file=args.spm_tgt).get_piece_size()
    return src, steps, src_vocab, tgt_vocab


def make_decode_batches(src, steps, batch_size: int):
    """-> list of (line indices, L): one L per batch, longest first."""
    order = sorted(range(len(src)), key=lambda i: (steps[i], len(src[i])), reverse=True)
    batches, cur = [], []
    for i in order:
        if cur and (len(cur) == batch_size or steps[cur[0]] != steps[i]):
            batches.append((cur, steps[cur[0]]))
            cur = []
        cur.append(i)
    if cur:
        batches.append((cur, steps[cur[0]]))
    return batches


def add_decode_args(ap, default_batch: int = 64):
    ap.add_argument("--src", default=os.path.join(IWSLT, "raw", "test.de.gz"), help="source text (plain or .gz)")
    ap.add_argument("--ref", default=os.path.join(IWSLT, "raw", "test.en.gz"),
                    help="reference text; its lengths force the output lengths with --tgt-len ref")
    ap.add_argument("--tgt-len", default="ref", help="'ref' (reference length + 1) or a fixed number of decoder steps")
    ap.add_argument("--vocab", type=int, default=10000, help="vocabulary size for hashed ids (both sides)")
    ap.add_argument("--spm-src", help="SentencePiece model for the source (instead of hashing)")
    ap.add_argument("--spm-tgt", help="SentencePiece model for the reference lengths / target vocab")
    ap.add_argument("--limit", type=int, default=0, help="only the first N lines (0 = all)")
    ap.add_argument("--max-src-len", type=int, default=0, help="crop sources to N tokens before EOS (0 = keep)")
    ap.add_argument("--batch-size", type=int, default=default_batch, help="sentences per batch")
    ap.add_argument("--beam", type=int, default=4)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=1, help="weight initialisation seed")
    ap.add_argument("--dump-batches", help="write the batches (line ids, source ids, steps) as JSON lines")


def dump_decode_batches(path, batches, src):
    with open(path, "w") as f:
        for ids, L in batches:
            f.write(json.dumps({"lines": ids, "steps": L, "src": [src[i] for i in ids]}) + "\n")
