#!/usr/bin/env python3
"""PyTorch decoding peer for lt (issue: lt-translate targets).

Beam-4 batched decoding of the IWSLT'14 test source with the reference models of
torch_models.py (random weights, incremental decoding: preallocated self-attention KV
cache, cross-attention K/V computed once per batch, conv windows for Lite, caches
reordered by beam origin after every step). Output lengths are forced (see
bench_common.py) so that every system does the same work. Prints one JSON line per model
with sentences/s, target tokens/s and peak RSS. Each model runs in its own process.

Example:
  .venv/bin/python scripts/bench/torch_decode_bench.py                          # both models
  .venv/bin/python scripts/bench/torch_decode_bench.py --models lite-160 --limit 500
"""
from __future__ import annotations

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench_common as bc  # noqa: E402

DEFAULT_MODELS = "transformer-512,lite-160"


def parse_args():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--models", default=DEFAULT_MODELS,
                    help=f"comma-separated presets of torch_models.py (default {DEFAULT_MODELS})")
    ap.add_argument("--model", help=argparse.SUPPRESS)
    bc.add_decode_args(ap)
    ap.add_argument("--save-weights", help="save the random model's state_dict here (torch.save), "
                    "e.g. for ct2_decode_bench.py --from-torch")
    ap.add_argument("--output", help="write the decoded token ids (one line per input line)")
    return ap.parse_args()


def run_one(args):
    import torch
    import torch_models as tm

    torch.set_num_threads(args.threads)
    torch.set_num_interop_threads(1)
    src, steps, src_vocab, tgt_vocab = bc.decode_inputs(args)
    batches = bc.make_decode_batches(src, steps, args.batch_size)
    if args.dump_batches:
        bc.dump_decode_batches(args.dump_batches, batches, src)
    torch.manual_seed(args.seed)
    cfg = tm.preset(args.model, src_vocab=src_vocab, tgt_vocab=tgt_vocab,
                    max_positions=max(1024, max(steps) + 1, max(len(s) for s in src) + 1))
    model = tm.EncoderDecoder(cfg).eval()
    if args.save_weights:
        torch.save(model.state_dict(), args.save_weights)
    tensors = []
    for ids, L in batches:
        S = max(len(src[i]) for i in ids)
        t = torch.zeros(len(ids), S, dtype=torch.long)
        for r, i in enumerate(ids):
            t[r, :len(src[i])] = torch.tensor(src[i])
        tensors.append(t)
    outputs = [None] * len(src)
    # warm-up on the first (largest) batch, cut to 2 sentences and 3 steps
    tm.beam_search(model, tensors[0][:2], beam=args.beam, max_steps=3, min_steps=3)
    c0 = time.process_time()
    t0 = time.perf_counter()
    with torch.inference_mode():
        for (ids, L), t in zip(batches, tensors):
            hyps, ran = tm.beam_search(model, t, beam=args.beam, max_steps=L, min_steps=L)
            assert ran == L, (ran, L)
            for i, h in zip(ids, hyps):
                outputs[i] = h
    wall = time.perf_counter() - t0
    cpu = time.process_time() - c0
    n_sent = len(src)
    n_tok = sum(steps)
    if args.output:
        with open(args.output, "w") as f:
            for h in outputs:
                f.write(" ".join(map(str, h)) + "\n")
    rec = {
        "bench": "decode", "system": "pytorch", "model": args.model, "threads": args.threads,
        "beam": args.beam, "batch_size": args.batch_size, "batches": len(batches),
        "sentences": n_sent, "tgt_tokens": n_tok, "src_tokens": sum(len(s) for s in src),
        "seconds": round(wall, 2), "cpu_seconds": round(cpu, 2),
        "sentences_per_s": round(n_sent / wall, 2), "tokens_per_s": round(n_tok / wall, 1),
        "peak_rss_mb": round(bc.peak_rss_mb(), 1), "torch": torch.__version__,
    }
    rec.update(bc.host_info())
    bc.emit(rec)


def main():
    args = parse_args()
    bc.clean_env_and_reexec(args.threads)
    if args.model:
        run_one(args)
        return 0
    out, skip = [], False
    for a in sys.argv[1:]:
        if skip:
            skip = False
            continue
        if a == "--models":
            skip = True
            continue
        if a.startswith("--models="):
            continue
        out.append(a)
    return bc.run_children(os.path.abspath(__file__), args.models.split(","), "--model", out)


if __name__ == "__main__":
    sys.exit(main())
