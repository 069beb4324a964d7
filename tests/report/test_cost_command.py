#!/usr/bin/env python3
"""lt-eval cost / plot / bleu --append-results, through the real program.

Usage: test_cost_command.py LT_EVAL SOURCE_DIR

1. The shipped IWSLT'14 and WMT'14 paper configs reproduce the Lite Transformer paper's
   #Params / #Mult-Adds (seed-systems.md §1.6) within 1%, and equal an independent port of
   the analytic calculator of seed-systems.md Appendix A (exactly, for every row it covers).
2. JSON, CSV and markdown outputs agree and parse; --measure gives positive numbers.
3. Results file + plot: valid SVG (XML) with the expected series/points; optional PNG render.
4. Bad inputs are one-line errors.
"""
import csv
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

LT_EVAL, SRC = sys.argv[1], sys.argv[2]
FAILS = []


def check(cond, msg):
    if not cond:
        FAILS.append(msg)
        print("FAIL:", msg)


def run(*args, ok=True):
    p = subprocess.run([LT_EVAL, *args], capture_output=True, text=True)
    if ok and p.returncode != 0:
        raise SystemExit(f"lt-eval {' '.join(args)} failed ({p.returncode}): {p.stderr}")
    return p


# --- Appendix A calculator (seed-systems.md), ported independently -------------------------
KS = [3, 7, 15, 31, 31, 31]


def lin(i, o, bias=True):
    return i * o + (o if bias else 0)


def mha_p(d):
    return 4 * d * d + 4 * d


def tf_params(d, f, L=6, v_out=0):
    enc = mha_p(d) + lin(d, f) + lin(f, d) + 4 * d
    dec = 2 * mha_p(d) + lin(d, f) + lin(f, d) + 6 * d
    return L * (enc + dec) + v_out * d


def tf_macs(d, f, N=30, T=30, L=6):
    enc = 4 * N * d * d + 2 * N * N * d + 2 * N * d * f
    dec = 4 * T * d * d + 2 * T * T * d + 2 * T * d * d + 2 * N * d * d + 2 * T * N * d + 2 * T * d * f
    return L * (enc + dec)


def lite_params(d, f, kind, glu, v_out=0, H=4):
    b = d // 2
    g = 2 if glu else 1
    tot = 0
    for k in KS:
        conv = lin(b, g * b) + lin(b, b) + (H * k if kind == "light" else b * H * k)
        tot += mha_p(b) + conv + lin(d, f) + lin(f, d) + 4 * d
        tot += mha_p(b) + conv + mha_p(d) + lin(d, f) + lin(f, d) + 6 * d
    return tot + v_out * d


def lite_macs(d, f, kind, glu, N=30, T=30, H=4):
    b = d // 2
    g = 2 if glu else 1

    def br(n, k):
        m = 4 * n * b * b + 2 * n * n * b + n * b * g * b + n * b * b + n * b * k
        if kind == "dyn":
            m += n * b * H * k
        return m

    return sum(br(N, k) + 2 * N * d * f + br(T, k) + 2 * T * d * d + 2 * N * d * d + 2 * T * N * d + 2 * T * d * f
               for k in KS)


V_IWSLT = 6632
# config -> (paper params, paper Mult-Adds, calculator params, calculator Mult-Adds)
# Paper numbers as reproduced in seed-systems.md §1.6 (None: not published).
ROWS = {
    "iwslt14-de-en/transformer-d128.yml": (2.84e6, 63.1e6, tf_params(128, 256, v_out=V_IWSLT), tf_macs(128, 256)),
    "iwslt14-de-en/transformer-d192.yml": (5.73e6, 138.9e6, tf_params(192, 384, v_out=V_IWSLT), tf_macs(192, 384)),
    "iwslt14-de-en/transformer-d240.yml": (8.54e6, 215.1e6, tf_params(240, 480, v_out=V_IWSLT), tf_macs(240, 480)),
    "iwslt14-de-en/lite-embed160.yml": (2.77e6, 54.7e6, lite_params(160, 160, "light", False, V_IWSLT),
                                        lite_macs(160, 160, "light", False)),
    "iwslt14-de-en/lite-embed240.yml": (5.43e6, 120.1e6, lite_params(240, 240, "light", False, V_IWSLT),
                                        lite_macs(240, 240, "light", False)),
    "iwslt14-de-en/lite-embed320.yml": (8.93e6, 210.8e6, lite_params(320, 320, "light", False, V_IWSLT),
                                        lite_macs(320, 320, "light", False)),
    "wmt14-en-de/transformer-d128.yml": (2.78e6, 86.7e6, tf_params(128, 512), tf_macs(128, 512)),
    "wmt14-en-de/transformer-d256.yml": (11.06e6, 338.6e6, tf_params(256, 1024), tf_macs(256, 1024)),
    "wmt14-en-de/transformer-d320.yml": (17.26e6, 526.5e6, tf_params(320, 1280), tf_macs(320, 1280)),
    "wmt14-en-de/transformer-d512.yml": (44.14e6, 1337.8e6, tf_params(512, 2048), tf_macs(512, 2048)),
    "wmt14-en-de/lite-embed200.yml": (2.88e6, 90.7e6, lite_params(200, 200, "dyn", True),
                                      lite_macs(200, 200, "dyn", True)),
    "wmt14-en-de/lite-embed408.yml": (11.74e6, 360.6e6, lite_params(408, 408, "dyn", True),
                                      lite_macs(408, 408, "dyn", True)),
    "wmt14-en-de/lite-embed496.yml": (17.28e6, 528.7e6, lite_params(496, 496, "dyn", True),
                                      lite_macs(496, 496, "dyn", True)),
}
LIGHTCONV = ["iwslt14-de-en/lightconv-52m.yml", "iwslt14-de-en/lightconv-115m.yml",
             "iwslt14-de-en/lightconv-204m.yml"]


def test_paper_rows():
    cfgs = [os.path.join(SRC, "configs", c) for c in list(ROWS) + LIGHTCONV]
    args = ["cost", "--format", "json"]
    for c in cfgs:
        args += ["--model-config", c]
    out = json.loads(run(*args).stdout)
    check("paper convention" in out["caption"] and "length 30" in out["caption"], "caption states the convention")
    rows = out["rows"]
    check(len(rows) == len(cfgs), f"{len(rows)} rows for {len(cfgs)} configs")
    print(f"{'config':40s} {'params':>10s} {'paper':>8s} {'Mult-Adds':>10s} {'paper':>8s}")
    for (cfg, (pp, pm, cp, cm)), row in zip(ROWS.items(), rows):
        p, m = row["params"], row["mult_adds"]
        print(f"{cfg:40s} {p / 1e6:9.2f}M {pp / 1e6:7.2f}M {m / 1e6:9.2f}M {pm / 1e6:7.1f}M")
        check(abs(p - pp) <= 0.01 * pp, f"{cfg}: params {p} not within 1% of the paper's {pp}")
        check(abs(m - pm) <= 0.01 * pm, f"{cfg}: Mult-Adds {m} not within 1% of the paper's {pm}")
        check(p == cp, f"{cfg}: params {p} != calculator {cp}")
        check(m == cm, f"{cfg}: Mult-Adds {m} != calculator {cm}")
    # LightConv rows: no paper oracle for their configs; the budget picks the width, so the
    # counted Mult-Adds must fit the budget the config names.
    for cfg, row in zip(LIGHTCONV, rows[len(ROWS):]):
        budget = {"52m": 52e6, "115m": 115e6, "204m": 204e6}[cfg.split("-")[-1][:-4]]
        print(f"{cfg:40s} {row['params'] / 1e6:9.2f}M {'-':>8s} {row['mult_adds'] / 1e6:9.2f}M  (d={row['d']})")
        check(row["budget_fitted"] and row["mult_adds"] <= budget, f"{cfg}: fits its budget")
        check(row["mult_adds"] > 0.8 * budget, f"{cfg}: uses most of its budget")
        check(row["variant"] == "lightconv", f"{cfg}: variant {row['variant']}")
    # Other columns, hand-checked on the IWSLT Transformer d=128 (Vt = 6632, d = 128).
    r = rows[0]
    check(r["output_projection_macs"] == 30 * 128 * 6632, "output projection MACs = T*d*Vt")
    check(r["params_stored"] == r["params"] + (6632 + 6632) * 128, "stored = paper + both embedding tables")
    check(r["size_bytes"] == 4 * r["params_stored"], "fp32 size of a --config row")
    check(r["vocab_assumed"] and r["tgt_vocab"] == 6632, "default vocabulary 6632")
    check(r["variant"] == "transformer", "variant transformer")
    # Beam decoding: encoder + cross K/V + beam*T*(step + d*Vt), per target token.
    per_tok = (r["encoder_macs"] + r["decode_cross_kv_macs"]
               + 4 * 30 * (r["decode_step_macs"] + r["decode_output_macs"])) / 30
    check(abs(r["decode_macs_per_token"] - per_tok) < 1, "decode MACs/token formula")
    # Incremental self-attention is cheaper than teacher forcing: per-token step < T-forced decoder/T.
    check(r["decode_step_macs"] < r["decoder_macs"] / 30, "incremental step cheaper than the forced decoder")


def test_formats(tmp):
    cfg = [os.path.join(SRC, "configs", c) for c in ("iwslt14-de-en/transformer-d128.yml",
                                                     "wmt14-en-de/lite-embed200.yml")]
    base = ["cost", "--model-config", cfg[0], "--model-config", cfg[1]]
    js = json.loads(run(*base, "--format", "json").stdout)["rows"]
    rows = list(csv.DictReader(io.StringIO(run(*base, "--format", "csv").stdout)))
    check(len(rows) == 2, "csv: two rows")
    for a, b in zip(rows, js):
        check(int(a["params"]) == b["params"] and int(a["mult_adds"]) == b["mult_adds"], "csv == json")
        check(a["name"] == b["name"] and int(a["d"]) == b["d"], "csv name/d")
    md = run(*base).stdout
    check(md.startswith("Mult-Adds: paper convention (source and target length 30, teacher-forced, "
                        "no embeddings, no output projection)"), "markdown caption")
    table = [l for l in md.splitlines() if l.startswith("|")]
    check(len(table) == 4, f"markdown: header, rule and 2 rows, got {len(table)}")
    check(all(l.count("|") == table[0].count("|") for l in table), "markdown: same column count")
    check("| 2.84M | 63.13M |" in table[2], f"markdown row: {table[2]}")
    # --seq-len changes the convention's lengths (and the caption).
    js20 = json.loads(run("cost", "--model-config", cfg[0], "--format", "json", "--seq-len", "20").stdout)
    check(js20["rows"][0]["mult_adds"] == tf_macs(128, 256, N=20, T=20), "--seq-len 20")
    check("length 20" in js20["caption"], "caption follows --seq-len")
    # --vocab-size only moves vocabulary terms.
    jv = json.loads(run("cost", "--model-config", cfg[0], "--format", "json", "--vocab-size", "1000").stdout)["rows"][0]
    check(jv["params"] == tf_params(128, 256, v_out=1000) and jv["mult_adds"] == js[0]["mult_adds"], "--vocab-size")


def test_measure():
    tiny = os.path.join(SRC, "configs", "tiny.yml")
    out = json.loads(run("cost", "--model-config", tiny, "--format", "json", "--measure", "--seq-len", "8",
                         "--measure-sentences", "3", "--measure-batch", "4", "--threads", "1",
                         "--beam", "2").stdout)["rows"][0]
    m = out["measure"]
    check(m is not None and m["latency_ms"] > 0 and m["sentences_per_second"] > 0, f"measure positive: {m}")
    check(m["threads"] == 1 and m["batch"] == 4 and m["beam"] == 2, f"measure settings: {m}")
    md = run("cost", "--model-config", tiny, "--measure", "--seq-len", "8", "--measure-sentences", "2",
             "--measure-batch", "2", "--beam", "1").stdout
    check("latency/sentence" in md and " ms |" in md, "markdown shows latency")


def test_results_and_plot(tmp):
    res = os.path.join(tmp, "results.jsonl")
    cfgs = [os.path.join(SRC, "configs", "iwslt14-de-en", c) for c in ("transformer-d128.yml", "lite-embed160.yml")]
    run("cost", "--model-config", cfgs[0], "--model-config", cfgs[1], "--append-results", res, "--format", "csv")
    hyp, ref = os.path.join(tmp, "hyp.txt"), os.path.join(tmp, "ref.txt")
    with open(hyp, "w") as f:
        f.write("the cat sat on the mat\nhello world\n")
    with open(ref, "w") as f:
        f.write("the cat sat on a mat\nhello world\n")
    for i, c in enumerate(cfgs):
        run("bleu", "--hyp", hyp, "--ref", ref, "--paper", "--append-results", res, "--name", f"run{i}",
            "--model-config", c, "--test-set", "toy")
    recs = [json.loads(l) for l in open(res)]
    check(len(recs) == 4, f"results lines: {len(recs)}")
    check(recs[0]["bleu"] is None and recs[0]["mult_adds"] == tf_macs(128, 256), "cost record")
    b = recs[2]
    check(b["name"] == "run0" and b["metric"] == "bleu-paper" and b["test_set"] == "toy", f"bleu record {b}")
    check(b["mult_adds"] == tf_macs(128, 256) and b["variant"] == "transformer", "bleu record cost")
    score = json.loads(run("bleu", "--hyp", hyp, "--ref", ref, "--paper", "--format", "json").stdout)["score"]
    check(abs(b["bleu"] - score) < 1e-9, f"bleu record score {b['bleu']} vs {score}")
    # --name is required with --append-results.
    p = run("bleu", "--hyp", hyp, "--ref", ref, "--append-results", res, ok=False)
    check(p.returncode != 0 and "--name" in p.stderr and p.stderr.count("\n") == 1, f"missing --name: {p.stderr!r}")

    # Plot of the paper's rows: 3 variants x 3 points.
    paper = os.path.join(SRC, "data", "paper-iwslt14.jsonl")
    svg = os.path.join(tmp, "paper.svg")
    p = run("plot", "--results", paper, "--output", svg, "--title", "IWSLT'14 De-En")
    root = ET.parse(svg).getroot()
    ns = "{http://www.w3.org/2000/svg}"
    check(root.tag == ns + "svg", "svg root")
    series = [g for g in root.iter(ns + "g") if g.get("class") == "series"]
    check([g.get("data-name") for g in series] == ["Transformer", "LightConv", "Lite Transformer"],
          f"series: {[g.get('data-name') for g in series]}")
    for g in series:
        pts = [e for e in g if e.get("class") == "point"]
        check(len(pts) == 3, f"{g.get('data-name')}: {len(pts)} points")
        check(len([e for e in g if e.get("class") == "line"]) == 1, "one line per series")
    lite = [g for g in series if g.get("data-name") == "Lite Transformer"][0]
    ys = sorted(float(e.get("data-y")) for e in lite if e.get("class") == "point")
    check(ys == [30.9, 32.9, 33.6], f"Lite BLEU points {ys}")
    check("3 series, 9 points" in p.stderr, f"plot summary: {p.stderr!r}")
    # Our own results: 2 points with BLEU (the cost rows have none and are skipped).
    svg2 = os.path.join(tmp, "ours.svg")
    p = run("plot", "--results", res, "--output", svg2, "--x", "params")
    check("2 series, 2 points (2 records" in p.stderr, f"plot of own results: {p.stderr!r}")
    ET.parse(svg2)
    conv = shutil.which("rsvg-convert")
    if conv:
        png = os.path.join(tmp, "paper.png")
        subprocess.run([conv, "-o", png, svg], check=True)
        with open(png, "rb") as f:
            check(f.read(8) == b"\x89PNG\r\n\x1a\n", "rsvg-convert renders a PNG")
    else:
        print("note: rsvg-convert not installed (apt-get install librsvg2-bin); render check skipped")


def test_bad_inputs(tmp):
    def one_line_error(args, needle):
        p = run(*args, ok=False)
        lines = p.stderr.strip().splitlines()
        check(p.returncode != 0 and len(lines) == 1 and needle in p.stderr,
              f"{args}: expected a one-line error naming {needle!r}, got {p.returncode} {p.stderr!r}")

    one_line_error(["cost", "--model-config", "/nonexistent/x.yml"], "/nonexistent/x.yml")
    one_line_error(["cost", "--model-config", os.path.join(SRC, "configs", "tiny.yml"), "--format", "xml"], "xml")
    one_line_error(["cost"], "--model-config")
    one_line_error(["cost", "--model", "/nonexistent/m.lt"], "/nonexistent/m.lt")
    bad = os.path.join(tmp, "bad.yml")
    with open(bad, "w") as f:
        f.write("model-dim: 64\nnot-a-key: 3\n")
    one_line_error(["cost", "--model-config", bad], "not-a-key")
    # A model far beyond this machine's memory: refused before anything is allocated (issue
    # 21 defect 7: it used to end in "std::bad_alloc"; models/model_memory.h), exit 2, naming
    # the key and the size.
    huge = os.path.join(tmp, "huge.yml")
    with open(huge, "w") as f:
        f.write("model-dim: 1000000\nffn-dim: 4000000\n")
    p = run("cost", "--model-config", huge, ok=False)
    check(p.returncode == 2 and len(p.stderr.strip().splitlines()) == 1 and "model-dim 1000000" in p.stderr
          and "this machine's memory" in p.stderr, f"model-dim 10^6: {p.returncode} {p.stderr!r}")
    small = os.path.join(tmp, "small.yml")
    with open(small, "w") as f:
        f.write("model-dim: 64\nffn-dim: 128\n")
    # A 10^9 vocabulary is only counted (embedding and output terms are V·d products), never built.
    p = run("cost", "--model-config", small, "--vocab-size", "1000000000", "--format", "json", ok=False)
    rows = json.loads(p.stdout)["rows"] if p.returncode == 0 else []
    check(len(rows) == 1 and rows[0]["params_stored"] >= 2 * 10**9 * 64,
          f"10^9 vocabulary counted without allocating it: {p.returncode} {p.stderr.strip()!r}")
    one_line_error(["cost", "--beam", "0", "--model-config", bad], "--beam (--beam-size): expected an integer >= 1")
    # Every program's --config is its option file: the old "cost --config X.yml" names the
    # first lt-train key it does not know.
    one_line_error(["cost", "--config", os.path.join(SRC, "configs", "tiny.yml")], "unknown key 'encoder-layers'")
    res = os.path.join(tmp, "bad.jsonl")
    with open(res, "w") as f:
        f.write('{"name": "a", "bleu": 1, "mult_adds": 5}\n[1, 2]\n')
    one_line_error(["plot", "--results", res, "--output", os.path.join(tmp, "x.svg")], "bad.jsonl:2")
    one_line_error(["plot", "--results", res, "--output", os.path.join(tmp, "x.svg"), "--x", "flops"], "flops")


def main():
    with tempfile.TemporaryDirectory() as tmp:
        test_paper_rows()
        test_formats(tmp)
        test_measure()
        test_results_and_plot(tmp)
        test_bad_inputs(tmp)
    if FAILS:
        print(f"{len(FAILS)} check(s) failed")
        return 1
    print("all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
