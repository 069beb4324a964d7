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
    ap.add_argument("--workers", type=int, default=1,
                    help="processes decoding batches at once, each with threads/workers threads "
                         "(torch's way to run whole batches in parallel; as lt-bench decode --workers)")
    ap.add_argument("--int8", action="store_true",
                    help="torch.ao.quantization.quantize_dynamic: every nn.Linear int8 (per-channel "
                         "weights, dynamic activations; PyTorch's own CPU int8 path, as lt-bench --int8)")
    return ap.parse_args()


def setup(args):
    """Model, batches and source tensors; identical in every process (same seed)."""
    import torch
    import torch_models as tm

    torch.set_num_threads(max(1, args.threads // args.workers))
    torch.set_num_interop_threads(1)
    src, steps, src_vocab, tgt_vocab = bc.decode_inputs(args)
    batches = bc.make_decode_batches(src, steps, args.batch_size)
    torch.manual_seed(args.seed)
    cfg = tm.preset(args.model, src_vocab=src_vocab, tgt_vocab=tgt_vocab,
                    max_positions=max(1024, max(steps) + 1, max(len(s) for s in src) + 1))
    model = tm.EncoderDecoder(cfg).eval()
    if args.int8:
        from torch.ao.quantization import per_channel_dynamic_qconfig, quantize_dynamic
        model = quantize_dynamic(model, {torch.nn.Linear: per_channel_dynamic_qconfig}, dtype=torch.qint8)
    tensors = []
    for ids, L in batches:
        S = max(len(src[i]) for i in ids)
        t = torch.zeros(len(ids), S, dtype=torch.long)
        for r, i in enumerate(ids):
            t[r, :len(src[i])] = torch.tensor(src[i])
        tensors.append(t)
    # warm-up on the first (largest) batch, cut to 2 sentences and 3 steps
    tm.beam_search(model, tensors[0][:2], beam=args.beam, max_steps=3, min_steps=3)
    return src, steps, batches, model, tensors


def decode_batch(args, model, batch, tensor):
    import torch
    import torch_models as tm

    ids, L = batch
    with torch.inference_mode():
        hyps, ran = tm.beam_search(model, tensor, beam=args.beam, max_steps=L, min_steps=L)
    assert ran == L, (ran, L)
    return hyps


def worker_main(args, counter, barrier, results):
    """One of --workers processes: takes the next batch (longest first) until none is left."""
    _, _, batches, model, tensors = setup(args)
    barrier.wait()
    c0 = time.process_time()
    while True:
        with counter.get_lock():
            k = counter.value
            counter.value += 1
        if k >= len(batches):
            break
        decode_batch(args, model, batches[k], tensors[k])
    results.put((time.process_time() - c0, bc.peak_rss_mb()))


def run_workers(args):
    import multiprocessing as mp

    if args.output or args.dump_batches or args.save_weights:
        sys.exit("torch_decode_bench.py: --output/--dump-batches/--save-weights need --workers 1")
    inner = max(1, args.threads // args.workers)
    os.environ["OMP_NUM_THREADS"] = os.environ["MKL_NUM_THREADS"] = str(inner)  # before torch loads
    ctx = mp.get_context("spawn")
    counter, barrier, results = ctx.Value("i", 0), ctx.Barrier(args.workers + 1), ctx.Queue()
    procs = [ctx.Process(target=worker_main, args=(args, counter, barrier, results))
             for _ in range(args.workers)]
    for p in procs:
        p.start()
    barrier.wait()  # every worker has built its model and warmed up
    t0 = time.perf_counter()
    got = [results.get() for _ in procs]
    wall = time.perf_counter() - t0
    for p in procs:
        p.join()
        if p.exitcode != 0:
            sys.exit(f"torch_decode_bench.py: a worker failed (exit {p.exitcode})")
    return wall, sum(c for c, _ in got), sum(r for _, r in got)


def run_one(args):
    import torch

    if args.workers > 1:
        src, steps, _, _ = bc.decode_inputs(args)
        batches = bc.make_decode_batches(src, steps, args.batch_size)
        wall, cpu, rss = run_workers(args)
    else:
        src, steps, batches, model, tensors = setup(args)
        if args.dump_batches:
            bc.dump_decode_batches(args.dump_batches, batches, src)
        if args.save_weights:
            torch.save(model.state_dict(), args.save_weights)
        outputs = [None] * len(src)
        c0 = time.process_time()
        t0 = time.perf_counter()
        for batch, t in zip(batches, tensors):
            for i, h in zip(batch[0], decode_batch(args, model, batch, t)):
                outputs[i] = h
        wall = time.perf_counter() - t0
        cpu = time.process_time() - c0
        rss = bc.peak_rss_mb()
        if args.output:
            with open(args.output, "w") as f:
                for h in outputs:
                    f.write(" ".join(map(str, h)) + "\n")
    n_sent = len(src)
    n_tok = sum(steps)
    rec = {
        "bench": "decode", "system": "pytorch-int8" if args.int8 else "pytorch", "model": args.model, "threads": args.threads,
        "workers": args.workers, "beam": args.beam, "batch_size": args.batch_size,
        "batches": len(batches), "sentences": n_sent, "tgt_tokens": n_tok,
        "src_tokens": sum(len(s) for s in src),
        "seconds": round(wall, 2), "cpu_seconds": round(cpu, 2),
        "sentences_per_s": round(n_sent / wall, 2), "tokens_per_s": round(n_tok / wall, 1),
        # with workers: the sum of the processes' peaks (each holds its own model)
        "peak_rss_mb": round(rss, 1), "torch": torch.__version__,
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
