#!/usr/bin/env python3
"""PyTorch training-throughput peer for lt (issue: lt-train targets).

Trains the reference models of torch_models.py on synthetic batches with the IWSLT'14
length distribution (4096 tokens per batch, fairseq --max-tokens semantics) and prints one
JSON line per model: target tokens/s (median over measured updates, and aggregate),
ms/update, estimated GFLOP/s and peak RSS. Each model runs in its own process.

One update = zero_grad, forward (teacher forcing), label-smoothed CE (eps 0.1, summed over
target tokens), backward, Adam step (lr 5e-4, betas 0.9/0.98, eps 1e-8; fused CPU kernel).
Dropout 0.1 (embeddings, sublayer outputs), attention dropout 0, DropConnect 0.1 on Lite
kernels. Batch/token definitions: see bench_common.py.

Example:
  .venv/bin/python scripts/bench/torch_train_bench.py                     # all three models
  .venv/bin/python scripts/bench/torch_train_bench.py --models lite-160 --updates 10
"""
from __future__ import annotations

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench_common as bc  # noqa: E402

DEFAULT_MODELS = "lite-160,transformer-160,transformer-512-ffn1024"


def parse_args():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--models", default=DEFAULT_MODELS,
                    help=f"comma-separated presets of torch_models.py (default {DEFAULT_MODELS})")
    ap.add_argument("--model", help=argparse.SUPPRESS)   # internal: one model per child process
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--max-tokens", type=int, default=4096, help="sentences * max(S, T) per batch")
    ap.add_argument("--vocab", type=int, default=10000, help="source and target vocabulary size")
    ap.add_argument("--src-lengths", default=os.path.join(bc.IWSLT, "bpe10k", "test.de.gz"))
    ap.add_argument("--tgt-lengths", default=os.path.join(bc.IWSLT, "bpe10k", "test.en.gz"))
    ap.add_argument("--pool", type=int, default=160239,
                    help="pairs drawn with replacement from the length pairs before batching (0 = use them as they are)")
    ap.add_argument("--warmup", type=int, default=3, help="updates before measuring")
    ap.add_argument("--updates", type=int, default=15, help="measured updates")
    ap.add_argument("--seed", type=int, default=1, help="batching, token and weight seed")
    ap.add_argument("--compile", action="store_true", help="torch.compile the model (inductor, dynamic shapes)")
    ap.add_argument("--no-flops", action="store_true", help="skip the FLOP count (a forward pass per batch)")
    ap.add_argument("--dump-batches", help="write the batch shapes used (JSON lines) and exit")
    return ap.parse_args()


def batch_tensors(torch, shape, vocab, gen):
    """shape: list of (S, T) -> src [B, S], tgt_in [B, T], tgt_out [B, T] (pad 0)."""
    B = len(shape)
    S = max(s for s, _ in shape)
    T = max(t for _, t in shape)
    src = torch.zeros(B, S, dtype=torch.long)
    tin = torch.zeros(B, T, dtype=torch.long)
    tout = torch.zeros(B, T, dtype=torch.long)
    for r, (s, t) in enumerate(shape):
        src[r, :s - 1] = torch.randint(4, vocab, (s - 1,), generator=gen)
        src[r, s - 1] = bc.EOS
        y = torch.randint(4, vocab, (t - 1,), generator=gen)
        tin[r, 0] = bc.BOS
        tin[r, 1:t] = y
        tout[r, :t - 1] = y
        tout[r, t - 1] = bc.EOS
    return src, tin, tout


def run_one(args):
    import torch
    import torch_models as tm
    from torch.utils.flop_counter import FlopCounterMode

    torch.set_num_threads(args.threads)
    torch.set_num_interop_threads(1)
    torch.manual_seed(args.seed)
    cfg = tm.preset(args.model, src_vocab=args.vocab, tgt_vocab=args.vocab)
    model = tm.EncoderDecoder(cfg)
    model.train()
    opt_kwargs = dict(lr=5e-4, betas=(0.9, 0.98), eps=1e-8)
    try:
        opt = torch.optim.Adam(model.parameters(), fused=True, **opt_kwargs)
        opt_kind = "fused"
    except (RuntimeError, TypeError):
        opt = torch.optim.Adam(model.parameters(), foreach=True, **opt_kwargs)
        opt_kind = "foreach"
    fwd = model
    if args.compile:
        fwd = torch.compile(model, dynamic=True)

    pairs = bc.length_pairs(args.src_lengths, args.tgt_lengths)
    shapes = bc.make_train_batches(pairs, args.max_tokens, args.seed, args.pool)
    n = args.warmup + args.updates
    if len(shapes) < n:
        shapes = (shapes * (n // len(shapes) + 1))
    gen = torch.Generator().manual_seed(args.seed)
    batches = [batch_tensors(torch, shapes[i], args.vocab, gen) for i in range(n)]
    tgt_tokens = [sum(t for _, t in shapes[i]) for i in range(n)]

    def update(src, tin, tout):
        opt.zero_grad(set_to_none=True)
        logits = fwd(src, tin)
        loss = torch.nn.functional.cross_entropy(logits.view(-1, logits.shape[-1]), tout.reshape(-1),
                                                 ignore_index=tm.PAD, label_smoothing=0.1, reduction="sum")
        loss.backward()
        opt.step()
        return float(loss.detach())

    times, cpu, losses = [], [], []
    for i, (src, tin, tout) in enumerate(batches):
        c0 = time.process_time()
        t0 = time.perf_counter()
        losses.append(update(src, tin, tout))
        dt = time.perf_counter() - t0
        if i >= args.warmup:
            times.append(dt)
            cpu.append(time.process_time() - c0)
    meas = range(args.warmup, n)
    rates = [tgt_tokens[i] / times[k] for k, i in enumerate(meas)]
    tok = sum(tgt_tokens[i] for i in meas)
    rec = {
        "bench": "train", "system": "pytorch", "model": args.model, "threads": args.threads,
        "max_tokens": args.max_tokens, "updates": args.updates, "warmup": args.warmup,
        "tgt_tokens_per_update": round(tok / args.updates, 1),
        "sentences_per_update": round(sum(len(shapes[i]) for i in meas) / args.updates, 1),
        "tokens_per_s": round(bc.median(rates), 1),
        "tokens_per_s_aggregate": round(tok / sum(times), 1),
        "ms_per_update": round(1e3 * bc.median(times), 1),
        "cpu_s_per_update": round(bc.median(cpu), 3),   # user+sys of all threads (spin-waits included)
        "loss_per_token_first_last": [round(losses[0] / tgt_tokens[0], 3), round(losses[-1] / tgt_tokens[-1], 3)],
        "params": sum(p.numel() for p in model.parameters()),
        "optimizer": f"Adam ({opt_kind})", "compiled": args.compile,
        "torch": torch.__version__,
    }
    if not args.no_flops:
        # forward FLOPs (matmul, SDPA, conv) counted by torch, backward taken as 2x forward
        flops = 0
        model.eval()
        with torch.no_grad():
            for i in meas:
                counter = FlopCounterMode(display=False)
                with counter:
                    model(batches[i][0], batches[i][1])
                flops += counter.get_total_flops()
        model.train()
        rec["gflop_per_update_est"] = round(3 * flops / args.updates / 1e9, 1)
        rec["gflop_per_s_est"] = round(3 * flops / sum(times) / 1e9, 1)
    rec["peak_rss_mb"] = round(bc.peak_rss_mb(), 1)
    rec.update(bc.host_info())
    bc.emit(rec)


def main():
    args = parse_args()
    if args.dump_batches:
        pairs = bc.length_pairs(args.src_lengths, args.tgt_lengths)
        shapes = bc.make_train_batches(pairs, args.max_tokens, args.seed, args.pool)
        import json
        with open(args.dump_batches, "w") as f:
            for sh in shapes:
                f.write(json.dumps({"src_lengths": [s for s, _ in sh], "tgt_lengths": [t for _, t in sh]}) + "\n")
        print(f"wrote {len(shapes)} batches to {args.dump_batches}", file=sys.stderr)
        return 0
    bc.clean_env_and_reexec(args.threads)
    if args.model:
        run_one(args)
        return 0
    passthrough = [a for a in sys.argv[1:]]
    # drop --models VALUE / --models=VALUE from what the children see
    out, skip = [], False
    for a in passthrough:
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
