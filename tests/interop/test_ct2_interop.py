#!/usr/bin/env python3
"""lt-translate vs CTranslate2 on exported lt models (run by ctest, tests/interop.cmake).

Trains two small Transformers with lt-train on a Multi30k subset (configs/tiny.yml):
  A: post-LN, share-embeddings all (joint vocabulary), scaled embeddings
  B: pre-LN, share-embeddings none (separate vocabularies), unscaled embeddings
  C: post-LN, share-embeddings decoder-output, 1 encoder layer with 8 heads, 3 decoder layers
     with 2 heads (greedy only; half the updates)
exports each with scripts/export-ctranslate2.py and translates the first 300 lines of the
Multi30k test set with both systems:
  1. greedy, max length 200: identical output for every sentence;
  2. greedy, max length 8 (most outputs cut, lt forces EOS / CTranslate2 stops): identical;
  3. beam 4, fairseq length penalty 1, n-best 4: identical best hypothesis and score for every
     sentence that does not reach the maximum length (at most 20% may); scores within 1e-3
     (they agree to ~1e-6 but for CTranslate2's renormalisation of the first step, where
     min-length masks EOS); the rest of each n-best list identical or differing only as
     docs/interop.md explains.
Plus: the exporter rejects a corrupt file (checksum) and a LightConv model, naming the problem.
Settings mapping: docs/interop.md.

Skipped (exit 77) only when ctranslate2 is not importable and LT_REQUIRE_CT2 is unset.
Usage: test_ct2_interop.py LT_TRAIN LT_TRANSLATE SOURCE_DIR [DATA_DIR]
"""
import importlib.util
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import time

LT_TRAIN, LT_TRANSLATE, SRC = sys.argv[1], sys.argv[2], sys.argv[3]
DATA = sys.argv[4] if len(sys.argv) > 4 else os.environ.get(
    "LT_DATA_DIR", os.path.join(SRC, "..", "shared", "data"))
EXPORTER = os.path.join(SRC, "scripts", "export-ctranslate2.py")
TINY = os.path.join(SRC, "configs", "tiny.yml")
UPDATES = int(os.environ.get("LT_CT2_UPDATES", "300"))
N_TEST = 300
BEAM = 4
MAX_LEN = 200          # lt --max-length-a 0 --max-length-b 200
SHORT_LEN = 8
SCORE_TOL = 1e-3       # |lt score - CTranslate2 score| (length-normalised log-prob)
THREADS = int(os.environ.get("LT_CT2_THREADS", "1"))
failures = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what, flush=True)
    if not cond:
        failures.append(what)


def load_exporter():
    spec = importlib.util.spec_from_file_location("export_ctranslate2", EXPORTER)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def run(cmd, what):
    t0 = time.time()
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        print(p.stderr[-3000:])
        raise RuntimeError(f"{what} failed with exit {p.returncode}")
    print(f"     {what}: {time.time() - t0:.1f} s", flush=True)
    return p


def read_lines(path):
    with open(path, encoding="utf-8") as f:
        return [l.rstrip("\n") for l in f]


# ----------------------------------------------------------------------------- exporter


def write_lt_model(path, yaml_text, blobs, weights, ex):
    """A model file in lt's format (src/models/model_file.h), for the exporter's error paths."""
    body = bytearray(b"LTMODEL\0" + struct.pack("<IQ", 1, 0))
    body += struct.pack("<Q", len(yaml_text)) + yaml_text.encode()
    body += struct.pack("<I", len(blobs))
    for name, b in blobs.items():
        body += struct.pack("<I", len(name)) + name.encode() + struct.pack("<Q", len(b)) + b
    body += struct.pack("<I", len(weights))
    for name, a in weights.items():
        raw = a.astype("<f4").tobytes()
        body += struct.pack("<I", len(name)) + name.encode() + struct.pack("<BB", 0, a.ndim)
        body += struct.pack(f"<{a.ndim}q", *a.shape) + struct.pack("<Q", len(raw)) + raw
    struct.pack_into("<Q", body, 12, len(body) + 8)
    body += struct.pack("<Q", ex.model_file_checksum(bytes(body)))
    with open(path, "wb") as f:
        f.write(body)


def exporter_checks(tmp, model, ex):
    """Bad inputs: each is a one-line error naming the problem, exit status 1."""
    def export_fails(path, needles, what):
        p = subprocess.run([sys.executable, EXPORTER, "--model", path, "--output_dir",
                            os.path.join(tmp, "bad.ct2"), "--force"], capture_output=True, text=True)
        line = (p.stderr.strip().splitlines() or [""])[-1]
        check(p.returncode == 1 and line.startswith("export-ctranslate2: error:")
              and all(n in line for n in needles), f"{what}: exit {p.returncode}: {line}")

    data = bytearray(open(model, "rb").read())
    data[len(data) // 2] ^= 0x10
    bad = os.path.join(tmp, "corrupt.lt")
    open(bad, "wb").write(bytes(data))
    export_fails(bad, ["corrupt.lt", "checksum"], "corrupt model file")
    open(bad, "wb").write(bytes(data[: len(data) // 3]))
    export_fails(bad, ["corrupt.lt", "truncated"], "truncated model file")

    cfg, yaml_text, blobs, weights = ex.read_lt_model(model)
    check(ex.model_file_checksum(b"") == _reference_checksum(b"")
          and ex.model_file_checksum(b"abcdefghij") == _reference_checksum(b"abcdefghij"),
          "vectorised checksum equals the word-by-word definition")
    conv = yaml_text.replace("decoder-block:", "decoder-block-old:", 1)
    conv += ("decoder-block:\n  branches:\n    - {type: lightconv, dim: %d, heads: 4, "
             "kernels: [3]}\n" % cfg["model-dim"])
    write_lt_model(bad, conv.replace("decoder-block-old:", "unused-old-block:"), blobs, {}, ex)
    export_fails(bad, ["decoder-block", "lightconv"], "LightConv decoder block rejected")
    lite = yaml_text.replace("encoder-block:", "old-encoder-block:", 1)
    lite += ("encoder-block:\n  branches:\n    - {type: attention, dim: %d, heads: 2}\n"
             "    - {type: lightconv, dim: %d, heads: 2}\n" % (cfg["model-dim"] // 2, cfg["model-dim"] // 2))
    write_lt_model(bad, lite, blobs, {}, ex)
    export_fails(bad, ["encoder-block", "2 branches"], "two-branch (Lite) encoder block rejected")


def _reference_checksum(data):
    """modelFileChecksum written out word by word, independently of the exporter's version."""
    M = (1 << 64) - 1

    def mix(x):
        x &= M
        x ^= x >> 31
        x = x * 0x7FB5D329728EA185 & M
        x ^= x >> 27
        x = x * 0x81DADEF4BC2DD44D & M
        return x ^ (x >> 33)

    h = 0x9E3779B97F4A7C15 ^ len(data)
    i = 0
    while i + 8 <= len(data):
        h = (h ^ mix(int.from_bytes(data[i:i + 8], "little") + i)) * 0x100000001B3 & M
        i += 8
    h = (h ^ mix(int.from_bytes(data[i:], "little") + len(data))) * 0x100000001B3 & M
    return mix(h)


# ----------------------------------------------------------------------------- decoding


class Ct2Side:
    def __init__(self, model, ct2_dir, ex):
        import ctranslate2
        import sentencepiece as spm

        cfg, _, blobs, _ = ex.read_lt_model(model)
        self.src_sp = spm.SentencePieceProcessor(model_proto=blobs["vocab/src"])
        self.tgt_sp = spm.SentencePieceProcessor(model_proto=blobs["vocab/tgt"])
        self.src_tokens = ex.ct2_vocabulary(blobs["vocab/src"], "source", cfg["src-vocab-size"])
        tgt_tokens = ex.ct2_vocabulary(blobs["vocab/tgt"], "target", cfg["tgt-vocab-size"])
        self.tgt_id = {t: i for i, t in enumerate(tgt_tokens)}
        self.tr = ctranslate2.Translator(ct2_dir, device="cpu", inter_threads=1,
                                         intra_threads=THREADS)

    def translate(self, lines, beam, max_len, n_best=1):
        """-> per line a list of (score, target ids without EOS, ended with EOS).
        Greedy suppresses <blank>/<s> (lt never generates them; the argmax does not depend on
        the normalisation). Beam search does not: CTranslate2 suppresses by masking logits
        before the softmax, which renormalises every row slightly differently from lt's
        fairseq-style log-softmax over the full vocabulary, and that alone flips near-ties
        between beams (docs/interop.md)."""
        src = [[self.src_tokens[i] for i in self.src_sp.encode(l)] for l in lines]
        res = self.tr.translate_batch(
            src, beam_size=beam, num_hypotheses=n_best, length_penalty=1.0, patience=1.0,
            max_decoding_length=max_len, min_decoding_length=1, return_scores=True,
            return_end_token=True,
            suppress_sequences=[["<blank>"], ["<s>"]] if beam == 1 else None,
            repetition_penalty=1.0, no_repeat_ngram_size=0, max_input_length=0,
            max_batch_size=32)
        out = []
        for r in res:
            hyps = []
            for toks, score in zip(r.hypotheses, r.scores):
                ids = [self.tgt_id[t] for t in toks]
                ended = bool(ids) and ids[-1] == 3
                hyps.append((score, ids[:-1] if ended else ids, ended))
            out.append(hyps)
        return out

    def text(self, ids):
        return self.tgt_sp.decode(ids)


def lt_translate(model, inp, out, beam, max_len, n_best=1):
    run([LT_TRANSLATE, "--model", model, "--input", inp, "--output", out, "--beam-size", str(beam),
         "--n-best", str(n_best), "--length-penalty-type", "fairseq", "--length-penalty", "1",
         "--max-length-a", "0", "--max-length-b", str(max_len), "--threads", str(THREADS), "--quiet"],
        f"lt-translate beam {beam} max {max_len}")
    if n_best == 1:
        return [[(None, l)] for l in read_lines(out)]
    rows = {}
    for l in read_lines(out):
        idx, score, text = l.split("\t", 2)
        rows.setdefault(int(idx), []).append((float(score), text))
    return [rows.get(i, []) for i in range(max(rows) + 1)] if rows else []


def compare_greedy(name, lt, ct, side):
    diff = [i for i, (a, b) in enumerate(zip(lt, ct)) if a[0][1] != side.text(b[0][1])]
    for i in diff[:5]:
        print(f"     line {i + 1}: lt  {lt[i][0][1]!r}\n     {'':>{len(str(i + 1)) + 6}}ct2 {side.text(ct[i][0][1])!r}")
    check(len(lt) == len(ct) and not diff,
          f"{name}: {len(lt) - len(diff)} of {len(lt)} greedy outputs identical")


def compare_beam(name, lt, ct, side):
    """Best hypothesis: same text, score within SCORE_TOL. n-best lists: identical, or the
    difference CTranslate2's bookkeeping allows (docs/interop.md): hypotheses that finish on
    the same step as lt's last one are all kept by CTranslate2 and may push an earlier,
    lower-scored lt hypothesis out of the top n."""
    at_limit = best_same = lists_same = explained = 0
    bad = []
    for i, (L, C) in enumerate(zip(lt, ct)):
        if any(not ended or len(ids) >= MAX_LEN for _, ids, ended in C) or any(
                len(side.tgt_sp.encode(t)) >= MAX_LEN // 2 for _, t in L):
            at_limit += 1  # CTranslate2 stops there without EOS; lt forces EOS
            continue
        ctext = [(s, side.text(ids), len(ids)) for s, ids, _ in C]
        if not L or L[0][1] != ctext[0][1] or abs(L[0][0] - ctext[0][0]) > SCORE_TOL:
            bad.append((i, "best", L[:1], ctext[:1]))
            continue
        best_same += 1
        lt_texts, ct_texts = [t for _, t in L], [t for _, t, _ in ctext]
        if lt_texts == ct_texts and all(abs(a[0] - b[0]) <= SCORE_TOL for a, b in zip(L, ctext)):
            lists_same += 1
            continue
        extra = [c for c in ctext if c[1] not in lt_texts]
        missing = [l for l in L if l[1] not in ct_texts]
        longest = max(n for _, t, n in ctext if t in lt_texts)
        ok = (len(extra) == len(missing) and all(n >= longest for _, _, n in extra)
              and all(s <= ctext[-1][0] + SCORE_TOL for s, _ in missing))
        if ok:
            explained += 1
        else:
            bad.append((i, "n-best", L, ctext))
    for i, what, L, C in bad[:5]:
        print(f"     line {i + 1} ({what}): lt {L}\n       ct2 {C}")
    n = len(lt) - at_limit
    print(f"     {name}: {at_limit} sentence(s) reach the maximum length {MAX_LEN} (not compared); "
          f"n-best lists identical {lists_same}, differing as explained {explained}")
    check(len(lt) == len(ct) and not bad and best_same == n,
          f"{name}: {best_same} of {n} beam-{BEAM} best hypotheses identical (text, score within "
          f"{SCORE_TOL})")
    check(at_limit <= len(lt) // 5, f"{name}: at most 20% reach the maximum length ({at_limit})")
    check(all(0 not in ids and 2 not in ids for r in ct for _, ids, _ in r),
          f"{name}: CTranslate2 outputs contain no <blank>/<s> (not suppressed in beam search)")


# ----------------------------------------------------------------------------- main


def train(tmp, name, extra, updates):
    d = os.path.join(tmp, name)
    os.makedirs(d)
    model = os.path.join(d, "model.lt")
    data = ["--train-src", os.path.join(tmp, "train.de"), "--train-tgt", os.path.join(tmp, "train.en"),
            "--valid-src", os.path.join(tmp, "valid.de"), "--valid-tgt", os.path.join(tmp, "valid.en")]
    run([LT_TRAIN, "--config", TINY, "--model", model, "--max-updates", str(updates),
         "--valid-freq", str(updates), "--valid-max-sentences", "10", "--keep-last", "0",
         "--keep-best", "false", "--threads", str(THREADS), "--progress", "lines"] + data + extra,
        f"lt-train {name} ({updates} updates)")
    return model


def body(tmp):
    ex = load_exporter()
    m30 = os.path.join(tmp, "m30k")
    run(["bash", os.path.join(SRC, "scripts", "prepare-multi30k.sh"), DATA, m30], "prepare-multi30k.sh")
    for split, out, n in (("train", "train", 2000), ("valid", "valid", 100), ("test", "test", N_TEST)):
        for lang in ("de", "en"):
            lines = read_lines(os.path.join(m30, f"{split}.{lang}"))[:n]
            with open(os.path.join(tmp, f"{out}.{lang}"), "w", encoding="utf-8") as f:
                f.write("".join(l + "\n" for l in lines))
    test_src = os.path.join(tmp, "test.de")
    lines = read_lines(test_src)

    variants = [  # name, lt-train flags, updates, beam comparison
        ("post-LN", [], UPDATES, True),
        ("pre-LN", ["--pre-norm", "true", "--share-embeddings", "none", "--joint-vocab", "false",
                    "--scale-embedding", "false"], UPDATES, True),
        ("decoder-output", ["--share-embeddings", "decoder-output", "--joint-vocab", "false",
                            "--encoder-layers", "1", "--decoder-layers", "3", "--cross-heads", "2",
                            "--encoder-block", "{preset: transformer, heads: 8}",
                            "--decoder-block", "{preset: transformer, heads: 2}"],
         UPDATES // 2, False),
    ]
    for vi, (name, extra, updates, beam) in enumerate(variants):
        model = train(tmp, name, extra, updates)
        ct2_dir = model + ".ct2"
        run([sys.executable, EXPORTER, "--model", model, "--output_dir", ct2_dir], f"export {name}")
        if vi == 0:
            exporter_checks(tmp, model, ex)
        side = Ct2Side(model, ct2_dir, ex)
        out = os.path.join(tmp, name, "out.txt")

        lt = lt_translate(model, test_src, out, 1, MAX_LEN)
        t0 = time.time()
        ct = side.translate(lines, 1, MAX_LEN)
        print(f"     ctranslate2 greedy: {time.time() - t0:.1f} s")
        compare_greedy(f"{name} greedy", lt, ct, side)
        check(all(3 not in h[1] and 0 not in h[1] and 2 not in h[1] for r in ct for h in r),
              f"{name}: CTranslate2 never generates pad/bos (suppressed) or an inner EOS")

        lt = lt_translate(model, test_src, out, 1, SHORT_LEN)
        ct = side.translate(lines, 1, SHORT_LEN)
        cut = sum(len(r[0][1]) == SHORT_LEN for r in ct)
        compare_greedy(f"{name} greedy max length {SHORT_LEN} ({cut} outputs cut)", lt, ct, side)
        check(cut >= len(lines) // 2, f"{name}: max length {SHORT_LEN} cuts most outputs ({cut})")
        if not beam:
            continue

        lt = lt_translate(model, test_src, out, BEAM, MAX_LEN, n_best=BEAM)
        t0 = time.time()
        ct = side.translate(lines, BEAM, MAX_LEN + 1, n_best=BEAM)
        print(f"     ctranslate2 beam {BEAM}: {time.time() - t0:.1f} s")
        compare_beam(f"{name} beam {BEAM}", lt, ct, side)


def main():
    try:
        import ctranslate2  # noqa: F401
    except ImportError as e:
        if not os.environ.get("LT_REQUIRE_CT2"):
            print(f"skipped: ctranslate2 is not importable ({e}); pip install ctranslate2==4.8.5")
            return 77
        print(f"FAIL ctranslate2 is not importable ({e}) and LT_REQUIRE_CT2 is set")
        return 1
    try:
        import sentencepiece  # noqa: F401
    except ImportError as e:
        print(f"FAIL the sentencepiece Python package is needed to tokenise for CTranslate2 ({e})")
        return 1
    if not os.path.exists(os.path.join(DATA, "multi30k", "train.de.gz")):
        print(f"FAIL no Multi30k data in {DATA}/multi30k")
        return 1
    tmp = tempfile.mkdtemp(prefix="lt_ct2_interop_")
    t0 = time.time()
    try:
        body(tmp)
    except RuntimeError as e:
        check(False, str(e))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"{len(failures)} failure(s) in {time.time() - t0:.0f} s")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
