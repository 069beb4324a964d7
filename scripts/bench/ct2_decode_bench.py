#!/usr/bin/env python3
"""CTranslate2 decoding peer for lt (issue: lt-translate targets).

Builds a CTranslate2 post-LN Transformer through its Python spec API
(ctranslate2.specs.TransformerSpec.from_config) with random weights of the given size
(default d=512, ffn 2048, 8 heads, 6+6, vocab 10000: the same shapes as
torch_models.py's transformer-512), or with the exact weights of a torch_models.py
state_dict (--from-torch, written by torch_decode_bench.py --save-weights), saves it as a
CTranslate2 model directory, and measures beam-4 decoding of the same inputs and batches as
torch_decode_bench.py: fp32, intra_threads = --threads, inter_threads = 1, forced output
lengths (min_decoding_length = max_decoding_length = L per batch, see bench_common.py).
Prints one JSON line with sentences/s and target tokens/s.

Example:
  .venv/bin/python scripts/bench/ct2_decode_bench.py
  .venv/bin/python scripts/bench/ct2_decode_bench.py --limit 200 --from-torch /tmp/w.pt --output /tmp/ct2.txt
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench_common as bc  # noqa: E402


def parse_args():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    bc.add_decode_args(ap)
    ap.add_argument("--d", type=int, default=512, help="model width")
    ap.add_argument("--ffn", type=int, default=2048, help="FFN width")
    ap.add_argument("--heads", type=int, default=8, help="attention heads (self and cross)")
    ap.add_argument("--layers", type=int, default=6, help="encoder and decoder layers")
    ap.add_argument("--from-torch", help="torch_models.py transformer state_dict to convert instead of random weights")
    ap.add_argument("--model-dir", help="where to save the CTranslate2 model (default: a temporary directory)")
    ap.add_argument("--output", help="write the decoded token ids (one line per input line)")
    ap.add_argument("--compute-type", default="float32", choices=["float32", "int8"],
                    help="CTranslate2 compute_type (int8: its int8 GEMMs, as lt-bench --int8)")
    ap.add_argument("--workers", type=int, default=1,
                    help="inter_threads: batches decoded at once, each with threads/workers intra "
                         "threads (all batches are submitted asynchronously)")
    return ap.parse_args()


def sinusoidal(n, d, np):
    half = d // 2
    freq = np.exp(np.arange(half, dtype=np.float64) * -(np.log(10000.0) / (half - 1)))
    ang = np.arange(n, dtype=np.float64)[:, None] * freq[None, :]
    return np.concatenate([np.sin(ang), np.cos(ang)], axis=1).astype(np.float32)


def random_weights(args, src_vocab, tgt_vocab, max_pos, np):
    """Same shapes and initialisation scheme as torch_models.EncoderDecoder (Xavier-uniform
    linears with zero bias, normal(0, d^-1/2) embeddings and output projection)."""
    rng = np.random.default_rng(args.seed)
    d, f = args.d, args.ffn

    def xavier(o, i):
        a = np.sqrt(6.0 / (i + o))
        return rng.uniform(-a, a, size=(o, i)).astype(np.float32)

    def normal(*shape):
        return (rng.standard_normal(shape) * d ** -0.5).astype(np.float32)

    w = {}
    w["src_embed.weight"] = normal(src_vocab, d)
    w["tgt_embed.weight"] = normal(tgt_vocab, d)
    w["src_embed.weight"][bc.PAD] = 0
    w["tgt_embed.weight"][bc.PAD] = 0
    w["out_proj.weight"] = normal(tgt_vocab, d)

    def lin(name, o, i):
        w[name + ".weight"] = xavier(o, i)
        w[name + ".bias"] = np.zeros(o, np.float32)

    def ln(name):
        w[name + ".weight"] = np.ones(d, np.float32)
        w[name + ".bias"] = np.zeros(d, np.float32)

    for i in range(args.layers):
        p = f"encoder.{i}."
        lin(p + "mix.attn.qkv", 3 * d, d)
        lin(p + "mix.attn.out", d, d)
        ln(p + "ln1")
        lin(p + "ffn.fc1", f, d)
        lin(p + "ffn.fc2", d, f)
        ln(p + "ln2")
        p = f"decoder.{i}."
        lin(p + "mix.attn.qkv", 3 * d, d)
        lin(p + "mix.attn.out", d, d)
        ln(p + "ln1")
        lin(p + "cross.q", d, d)
        lin(p + "cross.kv", 2 * d, d)
        lin(p + "cross.out", d, d)
        ln(p + "ln2")
        lin(p + "ffn.fc1", f, d)
        lin(p + "ffn.fc2", d, f)
        ln(p + "ln3")
    return w


def build_spec(w, args, src_vocab, tgt_vocab, max_pos, np):
    import ctranslate2
    from ctranslate2.specs import common_spec, transformer_spec

    spec = transformer_spec.TransformerSpec.from_config(
        (args.layers, args.layers), args.heads, pre_norm=False,
        activation=common_spec.Activation.RELU)
    pos = sinusoidal(max_pos, args.d, np)

    def linear(s, name, bias=True):
        s.weight = w[name + ".weight"]
        if bias:
            s.bias = w[name + ".bias"]

    def norm(s, name):
        s.gamma = w[name + ".weight"]
        s.beta = w[name + ".bias"]

    enc, dec = spec.encoder, spec.decoder
    enc.embeddings[0].weight = w["src_embed.weight"]
    enc.scale_embeddings = True
    enc.position_encodings.encodings = pos
    dec.embeddings.weight = w["tgt_embed.weight"]
    dec.scale_embeddings = True
    dec.position_encodings.encodings = pos
    dec.projection.weight = w["out_proj.weight"]
    for i in range(args.layers):
        p, ls = f"encoder.{i}.", enc.layer[i]
        linear(ls.self_attention.linear[0], p + "mix.attn.qkv")
        linear(ls.self_attention.linear[1], p + "mix.attn.out")
        norm(ls.self_attention.layer_norm, p + "ln1")
        linear(ls.ffn.linear_0, p + "ffn.fc1")
        linear(ls.ffn.linear_1, p + "ffn.fc2")
        norm(ls.ffn.layer_norm, p + "ln2")
        p, ls = f"decoder.{i}.", dec.layer[i]
        linear(ls.self_attention.linear[0], p + "mix.attn.qkv")
        linear(ls.self_attention.linear[1], p + "mix.attn.out")
        norm(ls.self_attention.layer_norm, p + "ln1")
        linear(ls.attention.linear[0], p + "cross.q")
        linear(ls.attention.linear[1], p + "cross.kv")
        linear(ls.attention.linear[2], p + "cross.out")
        norm(ls.attention.layer_norm, p + "ln2")
        linear(ls.ffn.linear_0, p + "ffn.fc1")
        linear(ls.ffn.linear_1, p + "ffn.fc2")
        norm(ls.ffn.layer_norm, p + "ln3")
    spec.register_source_vocabulary(vocab_tokens(src_vocab))
    spec.register_target_vocabulary(vocab_tokens(tgt_vocab))
    spec.config.layer_norm_epsilon = 1e-5
    spec.validate()
    spec.optimize(quantization="float32")
    return spec, ctranslate2


def vocab_tokens(n):
    return ["<blank>", "<unk>", "<s>", "</s>"] + [f"w{i}" for i in range(4, n)]


def main():
    args = parse_args()
    bc.clean_env_and_reexec(args.threads)
    import numpy as np

    src, steps, src_vocab, tgt_vocab = bc.decode_inputs(args)
    batches = bc.make_decode_batches(src, steps, args.batch_size)
    if args.dump_batches:
        bc.dump_decode_batches(args.dump_batches, batches, src)
    max_pos = max(1024, max(steps) + 1, max(len(s) for s in src) + 1)
    if args.from_torch:
        import torch
        sd = torch.load(args.from_torch, map_location="cpu")
        w = {k: v.numpy() for k, v in sd.items()}
        args.d = w["out_proj.weight"].shape[1]
        args.ffn = w["encoder.0.ffn.fc1.weight"].shape[0]
        args.layers = len({k.split(".")[1] for k in w if k.startswith("encoder.")})
        src_vocab, tgt_vocab = w["src_embed.weight"].shape[0], w["tgt_embed.weight"].shape[0]
    else:
        w = random_weights(args, src_vocab, tgt_vocab, max_pos, np)
    spec, ct2 = build_spec(w, args, src_vocab, tgt_vocab, max_pos, np)
    tmp = None
    model_dir = args.model_dir
    if not model_dir:
        tmp = tempfile.TemporaryDirectory(prefix="lt-ct2-")
        model_dir = tmp.name
    spec.save(model_dir)
    tr = ct2.Translator(model_dir, device="cpu", compute_type=args.compute_type,
                        intra_threads=max(1, args.threads // args.workers),
                        inter_threads=args.workers)
    vocab = vocab_tokens(src_vocab)
    tvocab = {t: i for i, t in enumerate(vocab_tokens(tgt_vocab))}
    tok_batches = [[[vocab[x] for x in src[i]] for i in ids] for ids, _ in batches]
    opts = dict(beam_size=args.beam, length_penalty=1.0, max_input_length=0,
                suppress_sequences=[["<blank>"]], return_scores=False)
    warm = [tr.translate_batch(tok_batches[0][:2], min_decoding_length=3, max_decoding_length=3,
                               asynchronous=True, **opts) for _ in range(args.workers)]  # warm-up
    for f in warm:
        [r.result() for r in f]
    outputs = [None] * len(src)
    c0 = time.process_time()
    t0 = time.perf_counter()
    if args.workers == 1:
        for (ids, L), toks in zip(batches, tok_batches):
            res = tr.translate_batch(toks, min_decoding_length=L, max_decoding_length=L,
                                     max_batch_size=0, **opts)
            for i, r in zip(ids, res):
                outputs[i] = r.hypotheses[0]
    else:  # every batch queued at once; CTranslate2's inter_threads workers take them in order
        futures = [tr.translate_batch(toks, min_decoding_length=L, max_decoding_length=L,
                                      max_batch_size=0, asynchronous=True, **opts)
                   for (ids, L), toks in zip(batches, tok_batches)]
        for (ids, _), fut in zip(batches, futures):
            for i, r in zip(ids, fut):
                outputs[i] = r.result().hypotheses[0]
    wall = time.perf_counter() - t0
    cpu = time.process_time() - c0
    lens = [len(o) for o in outputs]
    bad = sum(1 for o, L in zip(lens, steps) if o != L)
    if args.output:
        with open(args.output, "w") as f:
            for o in outputs:
                f.write(" ".join(str(tvocab[t]) for t in o) + "\n")
    n_sent, n_tok = len(src), sum(steps)
    rec = {
        "bench": "decode", "system": "ctranslate2-int8" if args.compute_type == "int8" else "ctranslate2", "model": f"transformer d={args.d} ffn={args.ffn} "
        f"heads={args.heads} {args.layers}+{args.layers}", "threads": args.threads,
        "workers": args.workers, "beam": args.beam,
        "batch_size": args.batch_size, "batches": len(batches), "sentences": n_sent, "tgt_tokens": n_tok,
        "src_tokens": sum(len(s) for s in src), "seconds": round(wall, 2), "cpu_seconds": round(cpu, 2),
        "sentences_per_s": round(n_sent / wall, 2), "tokens_per_s": round(n_tok / wall, 1),
        "outputs_with_wrong_length": bad, "peak_rss_mb": round(bc.peak_rss_mb(), 1),
        "ctranslate2": ct2.__version__, "weights": "from-torch" if args.from_torch else "random",
    }
    rec.update(bc.host_info())
    bc.emit(rec)
    return 0 if bad == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
