#!/usr/bin/env python3
"""lt-eval against sacreBLEU 2.6.0 itself.

Usage: test_vs_sacrebleu.py LT_EVAL_BINARY DATA_DIR

Generates random files (mixed scripts, punctuation, numbers, Unicode quotes and
dashes, CJK, odd whitespace, empty lines, several references) and takes real
ones (Multi30k test/val, IWSLT'14 test), then checks that `lt-eval bleu`,
`lt-eval chrf`, `lt-eval compare` and `lt-eval tokenize` give exactly what
sacreBLEU's Python API gives for many option combinations: scores to 1e-9,
identical counts, totals, lengths and signatures (version excepted).
"""
import gzip
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import resource
import time
import unicodedata

try:
    import sacrebleu
    from sacrebleu.metrics import BLEU, CHRF
    from sacrebleu.significance import PairedTest
except ImportError as e:  # the test set-up installs it: pip install sacrebleu==2.6.0
    print(f"FAIL: cannot import sacrebleu ({e}); install it with: pip install sacrebleu==2.6.0")
    sys.exit(1)

import numpy  # noqa: E402  (a sacreBLEU dependency)

# lt-eval reproduces sacreBLEU's resampling arithmetic under NumPy 2 promotion
# rules (float32 statistics stay float32); NumPy 1 computes some of it in
# float64, so the bootstrap means and intervals then agree only to ~1e-4.
NUMPY2 = int(numpy.__version__.split(".")[0]) >= 2
BOOTSTRAP_TOL = 1e-9 if NUMPY2 else 1e-4

if sacrebleu.__version__ != "2.6.0":
    print(f"FAIL: sacrebleu {sacrebleu.__version__} is installed, this test needs exactly 2.6.0")
    sys.exit(1)

import logging  # noqa: E402

logging.getLogger("sacrebleu").setLevel(logging.ERROR)  # "forgot to detokenize" warnings

LT_EVAL = sys.argv[1]
DATA = os.environ.get("LT_DATA_DIR") or sys.argv[2]
TMP = tempfile.mkdtemp(prefix="lt_eval_py_")
FAILURES = []
CHECKS = 0


def fail(msg):
    FAILURES.append(msg)
    if len(FAILURES) <= 30:
        print("MISMATCH:", msg)


def write(name, lines):
    path = os.path.join(TMP, name)
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write("".join(line + "\n" for line in lines))
    return path


def read_like_lt_eval(path):
    """Lines as lt-eval (and sacreBLEU's CLI) read them: split at \\n, rstrip()."""
    with open(path, "rb") as f:
        data = f.read().decode("utf-8")
    lines = data.split("\n")
    if data.endswith("\n"):
        lines.pop()
    return [line.rstrip() for line in lines]


def run(args, expect_ok=True, stdin=None):
    p = subprocess.run([LT_EVAL] + args, capture_output=True, input=stdin)
    if expect_ok and p.returncode != 0:
        raise RuntimeError(f"lt-eval {' '.join(args)} failed ({p.returncode}): {p.stderr.decode()}")
    return p


def run_json(args):
    out = run(args + ["--format", "json"]).stdout.decode("utf-8")
    return [json.loads(line) for line in out.splitlines()]


def strip_version(sig):
    return "|".join(p for p in sig.split("|") if not p.startswith("version:"))


def close(a, b, tol=1e-9):
    return abs(float(a) - float(b)) <= tol


# ----------------------------------------------------------------- data sets

def random_corpus(seed, n_lines, n_refs):
    rng = random.Random(seed)
    pool = (
        "the a house Haus Straße STRASSE Über über ÖL naïve café ΟΔΟΣ ΣΑΣ Σ σοφός İstanbul ıi "
        "don't l'homme O'Neill rock'n'roll e-mail state-of-the-art X-ray 10-15 -5 5- "
        "1,000 1,000.50 3.14 2019. .5 5. U.S. etc. ... ?! !? (hi) [x] {y} <tag> a/b 100% $5 €10 £3 "
        "“Hello” „Hallo“ ‘x’ «oui» – — … · • ¿Qué? ¡Sí! &quot; &amp; &lt; &gt; &amp;lt; <skipped> "
        "我们 的 世界。 你好，世界！ 東京 カタカナ ﾊﾝｶｸ 한국어 ＡＢＣ １２３ ㈠ ⚡ ✓ ☃ 😀 🇩🇪 "
        "Ǆ ǅ ǆ ﬁ ß ΐ Å Å e\u0301 \u0130I \u03a3\u0301 ¼ ² ٣ ١٢ ⅷ \u00ad zero\u200bwidth tab"
    ).split(" ")
    seps = [" ", " ", " ", "  ", "\t", "\u00a0", "\u3000", "\u2009", " \u2028 "]
    tails = ["", "", "", " ", "\t", "\u00a0", "\u3000", " \u200b"]

    def sentence(k):
        toks = [rng.choice(pool) for _ in range(k)]
        out = toks[0] if toks else ""
        for t in toks[1:]:
            out += rng.choice(seps) + t
        return out

    refs = [[] for _ in range(n_refs)]
    hyps = []
    for _ in range(n_lines):
        k = rng.choice([0, 1, 2, 3, 5, 8, 12, 20])
        base = sentence(k)
        for r in range(n_refs):
            if rng.random() < 0.3:
                refs[r].append(sentence(rng.choice([0, 1, 4, 9, 15])) + rng.choice(tails))
            else:
                words = base.split()
                if words and rng.random() < 0.5:
                    words[rng.randrange(len(words))] = rng.choice(pool)
                refs[r].append(" ".join(words) + rng.choice(tails))
        words = base.split()
        roll = rng.random()
        if roll < 0.1:
            hyp = ""
        elif roll < 0.2:
            hyp = sentence(rng.choice([1, 2, 3]))
        else:
            words = [w.upper() if rng.random() < 0.1 else w for w in words if rng.random() > 0.15]
            if rng.random() < 0.2:
                rng.shuffle(words)
            hyp = rng.choice(seps).join(words)
        hyps.append(hyp + rng.choice(tails))
    return hyps, refs


def perturb(lines, seed):
    rng = random.Random(seed)
    out = []
    for line in lines:
        w = line.split()
        w = [x for x in w if rng.random() > 0.15]
        if w and rng.random() < 0.3:
            i = rng.randrange(len(w))
            w[i] = w[i].lower() if rng.random() < 0.5 else w[i].upper()
        if rng.random() < 0.2:
            rng.shuffle(w)
        out.append(" ".join(w))
    return out


def gz_lines(rel):
    with gzip.open(os.path.join(DATA, rel), "rt", encoding="utf-8", newline="\n") as f:
        return f.read().split("\n")[:-1]


# ------------------------------------------------------------------- checks

def bleu_kwargs(tok, lc, smooth, value, eff):
    return dict(tokenize=tok, lowercase=lc, smooth_method=smooth, smooth_value=value, effective_order=eff)


def bleu_args(tok, lc, smooth, value, eff):
    a = ["--tokenize", tok, "--smooth", smooth]
    if lc:
        a.append("--lowercase")
    if value is not None:
        a += ["--smooth-value", repr(value)]
    if eff:
        a.append("--effective-order")
    return a


def compare_bleu(tag, got, exp, sig):
    global CHECKS
    CHECKS += 1
    if not close(got["score"], exp.score):
        fail(f"{tag}: score {got['score']!r} != {exp.score!r}")
    for key, ev in (("counts", exp.counts), ("totals", exp.totals)):
        if [float(x) for x in got[key]] != [float(x) for x in ev]:
            fail(f"{tag}: {key} {got[key]} != {list(ev)}")
    if not all(close(a, b) for a, b in zip(got["precisions"], exp.precisions)):
        fail(f"{tag}: precisions {got['precisions']} != {exp.precisions}")
    if not close(got["bp"], exp.bp) or got["sys_len"] != exp.sys_len or got["ref_len"] != exp.ref_len:
        fail(f"{tag}: bp/lengths {got['bp']},{got['sys_len']},{got['ref_len']} != "
             f"{exp.bp},{exp.sys_len},{exp.ref_len}")
    if strip_version(got["signature"]) != strip_version(sig):
        fail(f"{tag}: signature {got['signature']} != {sig}")


def check_bleu_corpus(tag, hyp_path, ref_paths, grid):
    hyps = read_like_lt_eval(hyp_path)
    refs = [read_like_lt_eval(p) for p in ref_paths]
    for tok, lc, smooth, value, eff in grid:
        metric = BLEU(**bleu_kwargs(tok, lc, smooth, value, eff))
        exp = metric.corpus_score(hyps, refs)
        got = run_json(["bleu", "--hyp", hyp_path, "--ref", *ref_paths] + bleu_args(tok, lc, smooth, value, eff))
        compare_bleu(f"{tag} bleu tok={tok} lc={lc} smooth={smooth}:{value} eff={eff}", got[0], exp,
                     metric.get_signature().format())


def check_bleu_sentence(tag, hyp_path, ref_paths, grid):
    hyps = read_like_lt_eval(hyp_path)
    refs = [read_like_lt_eval(p) for p in ref_paths]
    for tok, lc, smooth, value in grid:
        # sacreBLEU's command line forces effective order at sentence level; so does lt-eval.
        metric = BLEU(**bleu_kwargs(tok, lc, smooth, value, True))
        got = run_json(["bleu", "--sentence", "--hyp", hyp_path, "--ref", *ref_paths]
                       + bleu_args(tok, lc, smooth, value, False))
        if len(got) != len(hyps):
            fail(f"{tag}: {len(got)} sentence scores for {len(hyps)} lines")
            continue
        for i, h in enumerate(hyps):
            exp = metric.sentence_score(h, [r[i] for r in refs])
            compare_bleu(f"{tag} sentence {i + 1} tok={tok} lc={lc} smooth={smooth}:{value}", got[i], exp,
                         metric.get_signature().format())


def chrf_args(nc, nw, beta, lc, ws, eps):
    a = ["--char-order", str(nc), "--word-order", str(nw), "--beta", str(beta)]
    a += ["--lowercase"] if lc else []
    a += ["--whitespace"] if ws else []
    a += ["--eps-smoothing"] if eps else []
    return a


def check_chrf(tag, hyp_path, ref_paths, grid, sentence=False):
    global CHECKS
    hyps = read_like_lt_eval(hyp_path)
    refs = [read_like_lt_eval(p) for p in ref_paths]
    for nc, nw, beta, lc, ws, eps in grid:
        metric = CHRF(char_order=nc, word_order=nw, beta=beta, lowercase=lc, whitespace=ws, eps_smoothing=eps)
        args = ["chrf", "--hyp", hyp_path, "--ref", *ref_paths] + chrf_args(nc, nw, beta, lc, ws, eps)
        if sentence:
            got = run_json(args + ["--sentence"])
            exps = [metric.sentence_score(h, [r[i] for r in refs]) for i, h in enumerate(hyps)]
        else:
            got = run_json(args)
            exps = [metric.corpus_score(hyps, refs)]
        sig = metric.get_signature().format()
        for i, (g, e) in enumerate(zip(got, exps)):
            CHECKS += 1
            t = f"{tag} chrf nc={nc} nw={nw} beta={beta} lc={lc} ws={ws} eps={eps} sent={sentence} #{i}"
            if not close(g["score"], e.score):
                fail(f"{t}: score {g['score']!r} != {e.score!r}")
            if g["name"] != e.name or strip_version(g["signature"]) != strip_version(sig):
                fail(f"{t}: name/signature {g['name']} {g['signature']} != {e.name} {sig}")
        if len(got) != len(exps):
            fail(f"{tag}: {len(got)} chrF results, expected {len(exps)}")


def check_compare(tag, hyp_paths, ref_paths, metric_name, samples, seed, extra=()):
    global CHECKS
    refs = [read_like_lt_eval(p) for p in ref_paths]
    systems = [(p, read_like_lt_eval(p)) for p in hyp_paths]
    os.environ["SACREBLEU_SEED"] = str(seed)
    if metric_name == "bleu":
        metric = BLEU()
        key = "BLEU"
    else:
        metric = CHRF()
        key = "chrF2"
    sigs, scores = PairedTest(systems, {key: metric}, references=refs, test_type="bs", n_samples=samples)()
    got = run_json(["compare", "--metric", metric_name, "--samples", str(samples), "--seed", str(seed),
                    "--ref", *ref_paths] + [x for p in hyp_paths for x in ("--hyp", p)] + list(extra))[0]
    for i, res in enumerate(scores[key]):
        CHECKS += 1
        g = got["systems"][i]
        t = f"{tag} compare {metric_name} system {i}"
        if g["name"] != hyp_paths[i]:
            fail(f"{t}: name {g['name']!r} != {hyp_paths[i]!r}")
        for field, ev in (("score", res.score), ("mean", res.mean), ("ci", res.ci)):
            if not close(g[field], ev, 1e-9 if field == "score" else BOOTSTRAP_TOL):
                fail(f"{t}: {field} {g[field]!r} != {float(ev)!r}")
        if (res.p_value is None) != (g["p_value"] is None) or (
                res.p_value is not None and not close(g["p_value"], res.p_value, 1e-12)):
            fail(f"{t}: p_value {g['p_value']!r} != {res.p_value!r}")
    if strip_version(got["signature"]) != strip_version(sigs[key].format()):
        fail(f"{tag}: compare signature {got['signature']} != {sigs[key].format()}")


def check_tokenizers():
    """Code points through the tokenizers and lowercasing, compared line by line.

    Every code point assigned in Python's Unicode tables (14.0) goes through
    intl (Unicode categories), zh (its ranges) and lowercasing; 13a and char
    only look at ASCII and whitespace, so they get the first 2,048 code points
    and the whitespace set.
    """
    global CHECKS
    from sacrebleu.tokenizers.tokenizer_13a import Tokenizer13a
    from sacrebleu.tokenizers.tokenizer_char import TokenizerChar
    from sacrebleu.tokenizers.tokenizer_intl import TokenizerV14International
    from sacrebleu.tokenizers.tokenizer_zh import TokenizerZh
    cps = [c for c in range(0x110000)
           if not 0xD800 <= c <= 0xDFFF and c != 10 and unicodedata.category(chr(c)) != "Cn"]
    small = [c for c in cps if c < 0x800 or chr(c).isspace()]

    def lines_of(points, pattern):
        return ["".join(pattern(chr(c)) for c in points[i:i + 16]) for i in range(0, len(points), 16)]

    cases = [
        ("intl", False, lines_of(cps, lambda c: c + "a" + c + "1" + c + ","), TokenizerV14International()),
        ("zh", False, lines_of(cps, lambda c: c + "x"), TokenizerZh()),
        ("none", True, lines_of(cps, lambda c: c + "A" + c + " "), lambda x: x),
        ("13a", False, lines_of(small, lambda c: c + "a" + c + "1" + c + "," + c + "."), Tokenizer13a()),
        ("char", False, lines_of(small, lambda c: c + "a"), TokenizerChar()),
    ]
    # Final-sigma contexts: capital sigma among cased letters, case-ignorable
    # marks (apostrophes, combining accents, U+00AD), digits and spaces.
    rng = random.Random(11)
    parts = ["\u03a3", "\u03a3", "A", "\u0391", "a", "'", "\u0301", "\u0345", "\u00ad", ".", "1", " ", "\u0130",
             "\u1e9e", "\u01c5", "\u2126", "\u212a"]
    cases.append(("none", True, ["".join(rng.choice(parts) for _ in range(rng.randint(1, 12)))
                                 for _ in range(3000)], lambda x: x))
    for name, lc, raw, tok in cases:
        path = write(f"codepoints_{name}_{len(raw)}.txt", raw)
        lines = read_like_lt_eval(path)
        out = run(["tokenize", "--input", path, "--tokenize", name] + (["--lowercase"] if lc else []))
        got = out.stdout.decode("utf-8").split("\n")[:-1]
        exp = [tok(line.lower() if lc else line) for line in lines]
        CHECKS += 1
        bad = [i for i, (a, b) in enumerate(zip(got, exp)) if a != b]
        if len(got) != len(exp):
            fail(f"tokenize {name}: {len(got)} lines, expected {len(exp)}")
        elif bad:
            fail(f"tokenize {name} lc={lc}: {len(bad)} lines differ, first: {got[bad[0]]!r} vs {exp[bad[0]]!r}")


def check_paper_bleu(hyp_path, ref_path):
    """--paper equals sacreBLEU with tokenize=none, no smoothing, when no line is empty."""
    global CHECKS
    hyps = read_like_lt_eval(hyp_path)
    refs = read_like_lt_eval(ref_path)
    assert all(h.split() for h in hyps) and all(r.split() for r in refs)
    perl_split = re.compile(rb"([^ \t\n\r\f\v])-([^ \t\n\r\f\v])")

    def split(line):
        return perl_split.sub(rb"\1 ##AT##-##AT## \2", line.encode("utf-8")).decode("utf-8")

    for sc, lc in ((False, False), (True, False), (False, True)):
        h = [split(x) for x in hyps] if sc else hyps
        r = [split(x) for x in refs] if sc else refs
        if lc:
            h, r = [x.lower() for x in h], [x.lower() for x in r]
        exp = BLEU(tokenize="none", smooth_method="none").corpus_score(h, [r])
        args = ["bleu", "--paper", "--hyp", hyp_path, "--ref", ref_path]
        args += ["--split-compounds"] if sc else []
        args += ["--lowercase"] if lc else []
        got = run_json(args)[0]
        CHECKS += 1
        t = f"paper split={sc} lc={lc}"
        if not close(got["score"], exp.score):
            fail(f"{t}: score {got['score']!r} != {exp.score!r}")
        if got["counts"] != exp.counts or got["totals"] != exp.totals or got["sys_len"] != exp.sys_len:
            fail(f"{t}: counts {got['counts']} {got['totals']} != {exp.counts} {exp.totals}")


def check_errors(hyp_path, ref_path):
    global CHECKS
    short = write("short.txt", ["one line"])
    p = run(["bleu", "--hyp", hyp_path, "--ref", short], expect_ok=False)
    err = p.stderr.decode()
    n = len(read_like_lt_eval(hyp_path))
    CHECKS += 1
    if p.returncode != 1 or str(n) not in err or " 1 lines" not in err or short not in err or hyp_path not in err \
            or len(err.strip().splitlines()) != 1:
        fail(f"mismatched line counts: rc={p.returncode} stderr={err!r}")
    missing = os.path.join(TMP, "does-not-exist.txt")
    p = run(["chrf", "--hyp", missing, "--ref", ref_path], expect_ok=False)
    CHECKS += 1
    if p.returncode != 1 or missing not in p.stderr.decode():
        fail(f"missing file: rc={p.returncode} stderr={p.stderr.decode()!r}")
    bad = os.path.join(TMP, "bad_utf8.txt")
    with open(bad, "wb") as f:
        f.write(b"fine\nalso fine\nbroken \xff\xfe here\n")
    p = run(["bleu", "--hyp", bad, "--ref", bad], expect_ok=False)
    CHECKS += 1
    if p.returncode != 1 or f"{bad}:3" not in p.stderr.decode():
        fail(f"invalid UTF-8: rc={p.returncode} stderr={p.stderr.decode()!r}")
    p = run(["bleu", "--hyp", "-", "--ref", ref_path, "--format", "json"], stdin=open(hyp_path, "rb").read())
    q = run(["bleu", "--hyp", hyp_path, "--ref", ref_path, "--format", "json"])
    CHECKS += 1
    if p.stdout != q.stdout:
        fail("stdin hypothesis gives a different result than the file")
    p = run(["bleu", "--hyp", hyp_path, "--ref", ref_path, "--tokenize", "nope"], expect_ok=False)
    CHECKS += 1
    if p.returncode != 2:
        fail(f"bad --tokenize should exit 2, got {p.returncode}")


def main():
    global CHECKS
    t0 = time.time()
    # Random data with one and three references.
    hyps, refs = random_corpus(7, 200, 3)
    rh = write("rand.hyp", hyps)
    rr = [write(f"rand.ref{i}", r) for i, r in enumerate(refs)]
    smooths = [("exp", None), ("floor", None), ("floor", 0.3), ("add-k", None), ("add-k", 0.5), ("none", None)]
    toks = ["13a", "intl", "zh", "char", "none"]
    grid = [(t, lc, "exp", None, False) for t in toks for lc in (False, True)]
    grid += [(t, False, s, v, eff) for t in ("13a", "char") for s, v in smooths for eff in (False, True)]
    check_bleu_corpus("rand1", rh, rr[:1], grid)
    check_bleu_corpus("rand3", rh, rr, [(t, lc, "exp", None, False) for t in toks for lc in (False, True)]
                      + [("13a", True, "add-k", None, True)])
    check_bleu_sentence("rand3", rh, rr, [(t, False, s, v) for t in toks for s, v in smooths[1:]
                                          if t in ("13a", "zh") or s != "floor"] + [("intl", True, "exp", None)])
    cgrid = [(6, nw, 2, lc, ws, eps) for nw in (0, 1, 2) for lc in (False, True)
             for ws in (False, True) for eps in (False, True)]
    cgrid += [(6, 2, 1, False, False, False), (6, 0, 3, True, False, True), (1, 0, 2, False, False, False),
              (3, 2, 2, True, False, True)]
    check_chrf("rand1", rh, rr[:1], cgrid)
    check_chrf("rand3", rh, rr, [(6, 0, 2, False, False, False), (6, 2, 2, True, True, True),
                                 (6, 2, 2, False, False, True), (4, 1, 3, False, True, False)])
    check_chrf("rand3", rh, rr, [(6, 0, 2, False, False, False), (6, 2, 2, True, True, True)], sentence=True)
    print(f"random data: {time.time() - t0:.1f}s")

    # Real data.
    m30_en = gz_lines("multi30k/test_2016_flickr.en.gz")
    m30_de = gz_lines("multi30k/test_2016_flickr.de.gz")
    val_de = gz_lines("multi30k/val.de.gz")
    iw_raw = gz_lines("iwslt14-de-en/raw/test.en.gz")
    iw_tok = gz_lines("iwslt14-de-en/tok/test.en.gz")
    m30_ref = write("m30.en", m30_en)
    m30_hyp = write("m30.hyp", perturb(m30_en, 1))
    m30_hyp2 = write("m30.hyp2", perturb(m30_en, 2))
    m30_de_ref = write("m30.de", m30_de)
    val_ref = write("val.de", val_de)
    val_hyp = write("val.hyp", perturb(val_de, 3))
    iw_ref = write("iw.en", iw_raw)
    iw_hyp = write("iw.hyp", perturb(iw_raw, 4))
    iw_tok_ref = write("iw.tok.en", iw_tok)
    iw_tok_hyp = write("iw.tok.hyp", perturb(iw_tok, 5))
    check_bleu_corpus("m30", m30_hyp, [m30_ref], [(t, lc, "exp", None, False) for t in toks for lc in (False, True)]
                      + [("13a", False, s, v, True) for s, v in smooths[1:4]])
    check_bleu_corpus("m30-2refs", m30_hyp, [m30_ref, m30_hyp2], [("13a", False, "exp", None, False),
                                                                  ("intl", True, "exp", None, False)])
    check_bleu_corpus("m30-de-vs-en", m30_de_ref, [m30_ref], [("13a", False, "exp", None, False)])
    check_bleu_corpus("val", val_hyp, [val_ref], [("13a", False, "exp", None, False),
                                                  ("intl", True, "floor", None, False)])
    check_bleu_corpus("iwslt", iw_hyp, [iw_ref], [("13a", False, "exp", None, False)])
    check_bleu_corpus("iwslt-tok", iw_tok_hyp, [iw_tok_ref], [("none", False, "none", None, False)])
    check_bleu_sentence("m30", m30_hyp, [m30_ref], [("13a", False, "exp", None)])
    check_chrf("m30", m30_hyp, [m30_ref], [(6, 0, 2, False, False, False), (6, 2, 2, True, False, True)])
    check_chrf("m30-2refs", m30_hyp, [m30_ref, m30_hyp2], [(6, 2, 2, False, False, False)])
    check_chrf("val", val_hyp, [val_ref], [(6, 2, 2, False, False, False)])
    check_chrf("iwslt", iw_hyp, [iw_ref], [(6, 0, 2, False, False, False)])
    print(f"real data: {time.time() - t0:.1f}s")

    # Paired bootstrap: the same resamples, means, intervals and p-values.
    weird = os.path.join(TMP, 'sys "quoted" \\ name.txt')
    with open(weird, "w", encoding="utf-8") as f:
        f.write(open(m30_hyp2, encoding="utf-8").read())
    check_compare("m30", [m30_hyp, weird, m30_de_ref], [m30_ref], "bleu", 1000, 12345)
    check_compare("m30", [m30_hyp, m30_hyp2], [m30_ref], "chrf", 300, 777)
    check_compare("rand", [rh, rr[1]], rr[:1], "bleu", 200, 5)
    check_compare("rand", [rh, rr[2]], rr[:2], "chrf", 200, 5)
    print(f"bootstrap: {time.time() - t0:.1f}s")

    pairs = [(h, r) for h, r in zip(perturb(iw_tok, 6), iw_tok) if h.split() and r.split()]
    check_paper_bleu(write("paper.hyp", [h for h, _ in pairs]), write("paper.ref", [r for _, r in pairs]))
    check_tokenizers()
    check_errors(m30_hyp, m30_ref)
    print(f"tokenizers, errors: {time.time() - t0:.1f}s")

    # Speed: BLEU on the 6,750 IWSLT lines, in CPU time of the child process
    # (wall time depends on what else the machine runs).
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    run(["bleu", "--hyp", iw_hyp, "--ref", iw_ref])
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    CHECKS += 1
    if cpu > 1.0:
        fail(f"BLEU on 6,750 lines took {cpu:.2f}s of CPU (limit 1s)")
    print(f"lt-eval bleu on IWSLT test (6,750 lines): {cpu * 1000:.0f} ms CPU; total {time.time() - t0:.1f}s")

    if FAILURES:
        print(f"FAIL: {len(FAILURES)} of {CHECKS} checks differ from sacreBLEU 2.6.0")
        sys.exit(1)
    print(f"OK: {CHECKS} checks identical to sacreBLEU 2.6.0")


if __name__ == "__main__":
    main()
