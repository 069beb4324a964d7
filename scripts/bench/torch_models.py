#!/usr/bin/env python3
"""PyTorch reference models for lt's peer benchmarks (plain torch.nn, no fairseq).

Two encoder-decoder families, both post-LN with sinusoidal positions, token embedding
scaled by sqrt(d), separate source / target embeddings and a separate output projection
(no bias), as in the IWSLT'14 configurations of the Lite Transformer paper:

  transformer  multi-head softmax self-attention, ReLU FFN of width `ffn`.
  lite         LSRA block: channels [0, d/2) go to multi-head attention (attn_heads),
               channels [d/2, d) go to a lightweight-conv branch
               (linear1 -> softmax-normalised, weight-shared depthwise conv with
               conv_heads heads -> linear2); outputs are concatenated. Per-layer kernels
               3,7,15,31,31,31; causal conv in the decoder; flat FFN (ffn = d);
               full-width cross-attention with cross_heads heads.

Layout is batch-first: activations [batch, time, dim]. Special ids follow lt:
pad 0, unk 1, bos 2, eos 3.

Training loss: label-smoothed cross-entropy (eps 0.1, torch's built-in
F.cross_entropy(label_smoothing=...), summed over non-pad target positions).

Decoding: `encode` + `DecoderState` (preallocated self-attention KV cache per layer,
cross-attention K/V computed once per batch, the last k-1 conv inputs per Lite layer)
+ `step` + `DecoderState.reorder`, and a batched beam search (`beam_search`) that
reorders the caches by beam origin after every step.

Run `python torch_models.py --self-test` to check that step-by-step decoding reproduces
the teacher-forced logits (batch > 1 with padding) for both families.
"""
from __future__ import annotations

import argparse
import math
import sys
from dataclasses import dataclass, field, replace

import torch
import torch.nn as nn
import torch.nn.functional as F

PAD, UNK, BOS, EOS = 0, 1, 2, 3

# Implementation choices (math identical; picked by measurement on this machine, see
# docs/performance.md): attention as F.scaled_dot_product_attention ("sdpa") or as
# matmul -> masked softmax -> matmul ("matmul"); depthwise conv as F.conv1d ("conv1d") or
# as an unfold + weighted sum ("unfold").
ATTN_IMPL = "sdpa"
CONV_IMPL = "conv1d"


def attention(q, k, v, mask=None, causal=False, dropout=0.0, training=False):
    """q [B, h, Tq, dh], k/v [B, h, Tk, dh], mask broadcastable to [B, h, Tq, Tk] (True = attend)."""
    if ATTN_IMPL == "sdpa":
        return F.scaled_dot_product_attention(q, k, v, attn_mask=mask, is_causal=causal,
                                              dropout_p=dropout if training else 0.0)
    s = torch.matmul(q, k.transpose(-1, -2)) * (q.shape[-1] ** -0.5)
    if causal:
        Tq, Tk = s.shape[-2], s.shape[-1]
        mask = torch.ones(Tq, Tk, dtype=torch.bool, device=q.device).tril(Tk - Tq)
    if mask is not None:
        s = s.masked_fill(~mask, float("-inf"))
    p = F.dropout(torch.softmax(s, dim=-1), dropout, training)
    return torch.matmul(p, v)


@dataclass
class ModelConfig:
    block: str = "transformer"        # "transformer" | "lite"
    d: int = 512                      # model width
    ffn: int = 2048                   # FFN hidden width
    enc_layers: int = 6
    dec_layers: int = 6
    heads: int = 8                    # self-attention heads (lite: heads of the d/2 attention branch)
    conv_heads: int = 4               # lite: weight-sharing heads of the d/2 conv branch
    cross_heads: int = 8              # decoder cross-attention heads (full width)
    kernels: tuple = (3, 7, 15, 31, 31, 31)   # lite: conv kernel per layer (last repeats)
    src_vocab: int = 10000
    tgt_vocab: int = 10000
    dropout: float = 0.1              # embedding output and every sublayer output
    attention_dropout: float = 0.0    # on attention probabilities
    activation_dropout: float = 0.0   # after the FFN ReLU
    weight_dropout: float = 0.1       # lite: DropConnect on the softmaxed conv kernels
    max_positions: int = 1024

    def kernel(self, layer: int) -> int:
        return self.kernels[min(layer, len(self.kernels) - 1)]


# Presets used by the benchmarks (see docs/performance.md, "Peers").
PRESETS = {
    # IWSLT'14 Lite embed160: d = ffn = 160, branches 80 + 80 channels x 4 heads, cross 4 heads.
    "lite-160": ModelConfig(block="lite", d=160, ffn=160, heads=4, conv_heads=4, cross_heads=4),
    # Transformer d=160 with the IWSLT FFN ratio 2d (= 320), 4 heads.
    "transformer-160": ModelConfig(block="transformer", d=160, ffn=320, heads=4, cross_heads=4),
    # fairseq transformer_iwslt_de_en shape: d=512, ffn 1024, 4 heads, 6+6.
    "transformer-512-ffn1024": ModelConfig(block="transformer", d=512, ffn=1024, heads=4, cross_heads=4),
    # Transformer base: d=512, ffn 2048, 8 heads, 6+6 (the decoding benchmark).
    "transformer-512": ModelConfig(block="transformer", d=512, ffn=2048, heads=8, cross_heads=8),
}


def preset(name: str, **overrides) -> ModelConfig:
    if name not in PRESETS:
        raise SystemExit(f"unknown model preset '{name}'; known: {', '.join(PRESETS)}")
    return replace(PRESETS[name], **overrides)


def sinusoidal_table(n: int, d: int) -> torch.Tensor:
    """[n, d]: row p = [sin(p*w_0..w_{h-1}), cos(p*w_0..w_{h-1})], w_i = 10000^(-i/(h-1)), h = d/2."""
    half = d // 2
    step = math.log(10000.0) / (half - 1)
    freq = torch.exp(torch.arange(half, dtype=torch.float32) * -step)
    ang = torch.arange(n, dtype=torch.float32)[:, None] * freq[None, :]
    table = torch.cat([torch.sin(ang), torch.cos(ang)], dim=1)
    if d % 2:
        table = torch.cat([table, torch.zeros(n, 1)], dim=1)
    return table


# --------------------------------------------------------------------------------------
# Attention
# --------------------------------------------------------------------------------------
class SelfAttention(nn.Module):
    """Multi-head self-attention with a fused QKV projection (math identical to separate
    Q/K/V projections with biases; q scaled by 1/sqrt(head_dim) inside SDPA)."""

    def __init__(self, d: int, heads: int, attention_dropout: float):
        super().__init__()
        assert d % heads == 0, f"width {d} not divisible by {heads} heads"
        self.d, self.h, self.dh = d, heads, d // heads
        self.qkv = nn.Linear(d, 3 * d)
        self.out = nn.Linear(d, d)
        self.p = attention_dropout

    def forward(self, x, key_padding_mask=None, causal=False):
        # x [B, T, d]; key_padding_mask [B, T] bool (True = pad)
        B, T, _ = x.shape
        q, k, v = self.qkv(x).view(B, T, 3, self.h, self.dh).permute(2, 0, 3, 1, 4)  # 3 x [B, h, T, dh]
        mask = None
        if key_padding_mask is not None and not causal:
            mask = ~key_padding_mask[:, None, None, :]                                     # [B, 1, 1, T]
        y = attention(q, k, v, mask, causal, self.p, self.training)
        return self.out(y.transpose(1, 2).reshape(B, T, self.d))

    def step(self, x, cache: "KVCache", t: int):
        # x [N, 1, d]; writes K/V of position t into the cache, attends over 0..t.
        N = x.shape[0]
        q, k, v = self.qkv(x).view(N, 1, 3, self.h, self.dh).permute(2, 0, 3, 1, 4)   # [N, h, 1, dh]
        cache.k[:, :, t:t + 1].copy_(k)
        cache.v[:, :, t:t + 1].copy_(v)
        y = attention(q, cache.k[:, :, :t + 1], cache.v[:, :, :t + 1])
        return self.out(y.transpose(1, 2).reshape(N, 1, self.d))


class CrossAttention(nn.Module):
    def __init__(self, d: int, heads: int, attention_dropout: float):
        super().__init__()
        assert d % heads == 0, f"width {d} not divisible by {heads} heads"
        self.d, self.h, self.dh = d, heads, d // heads
        self.q = nn.Linear(d, d)
        self.kv = nn.Linear(d, 2 * d)
        self.out = nn.Linear(d, d)
        self.p = attention_dropout

    def memory(self, enc):
        # enc [B, S, d] -> K, V [B, h, S, dh]
        B, S, _ = enc.shape
        k, v = self.kv(enc).view(B, S, 2, self.h, self.dh).permute(2, 0, 3, 1, 4)
        return k, v

    def attend(self, x, k, v, src_mask):
        # x [B, T, d]; k, v [B, h, S, dh]; src_mask [B, 1, 1, S] bool (True = attend)
        B, T, _ = x.shape
        q = self.q(x).view(B, T, self.h, self.dh).transpose(1, 2)
        y = attention(q, k, v, src_mask, False, self.p, self.training)
        return self.out(y.transpose(1, 2).reshape(B, T, self.d))

    def forward(self, x, enc, src_mask):
        k, v = self.memory(enc)
        return self.attend(x, k, v, src_mask)


# --------------------------------------------------------------------------------------
# Lightweight convolution branch (Lite / LSRA)
# --------------------------------------------------------------------------------------
class LightConvBranch(nn.Module):
    """linear1 (C->C) -> depthwise conv with H softmax-normalised kernels shared by the
    C/H contiguous channels of each head (DropConnect on the kernel) -> linear2 (C->C).
    Encoder: centred padding k//2; decoder: causal (left padding k-1)."""

    def __init__(self, c: int, heads: int, kernel: int, causal: bool, weight_dropout: float):
        super().__init__()
        assert c % heads == 0, f"conv width {c} not divisible by {heads} heads"
        self.c, self.h, self.k, self.causal = c, heads, kernel, causal
        self.linear1 = nn.Linear(c, c)
        self.weight = nn.Parameter(torch.empty(heads, kernel))
        self.linear2 = nn.Linear(c, c)
        self.wd = weight_dropout
        nn.init.xavier_uniform_(self.weight)

    def kernel_per_channel(self):
        w = F.softmax(self.weight, dim=-1)                               # [H, k]
        w = F.dropout(w, self.wd, self.training)
        return w.repeat_interleave(self.c // self.h, dim=0)              # [C, k]

    def forward(self, x, pad_mask=None):
        # x [B, T, C]; pad_mask [B, T] bool (True = pad): padded steps zeroed first
        if pad_mask is not None:
            x = x.masked_fill(pad_mask[:, :, None], 0.0)
        if CONV_IMPL == "unfold":
            return self.linear2(self._unfold_conv(self.linear1(x)))
        x = self.linear1(x).transpose(1, 2)                              # [B, C, T]
        w = self.kernel_per_channel().unsqueeze(1)                       # [C, 1, k]
        if self.causal:
            y = F.conv1d(F.pad(x, (self.k - 1, 0)), w, groups=self.c)
        else:
            pl = (self.k - 1) // 2
            y = F.conv1d(F.pad(x, (pl, self.k - 1 - pl)), w, groups=self.c)
        return self.linear2(y.transpose(1, 2))

    def _unfold_conv(self, u):
        # u [B, T, C] -> [B, T, C]: windows [B, T, C, k] weighted by the per-channel kernel
        pl = self.k - 1 if self.causal else (self.k - 1) // 2
        up = F.pad(u, (0, 0, pl, self.k - 1 - pl))                       # [B, T+k-1, C]
        win = up.unfold(1, self.k, 1)                                    # [B, T, C, k]
        return (win * self.kernel_per_channel()).sum(-1)

    def step(self, x, window: torch.Tensor):
        # x [N, 1, C]; window [N, k-1, C] holds the previous k-1 conv inputs (zeros at start).
        u = self.linear1(x)                                              # [N, 1, C]
        full = torch.cat([window, u], dim=1)                             # [N, k, C]
        w = self.kernel_per_channel().t()                                # [k, C]
        y = (full * w).sum(dim=1, keepdim=True)                          # [N, 1, C]
        return self.linear2(y), full[:, 1:]


# --------------------------------------------------------------------------------------
# Layers
# --------------------------------------------------------------------------------------
class FFN(nn.Module):
    def __init__(self, d: int, f: int, activation_dropout: float):
        super().__init__()
        self.fc1, self.fc2, self.p = nn.Linear(d, f), nn.Linear(f, d), activation_dropout

    def forward(self, x):
        return self.fc2(F.dropout(F.relu(self.fc1(x)), self.p, self.training))


class Mixer(nn.Module):
    """Token mixing of one layer: full-width attention, or the Lite split [attention | conv]."""

    def __init__(self, cfg: ModelConfig, layer: int, causal: bool):
        super().__init__()
        self.lite = cfg.block == "lite"
        self.causal = causal
        if self.lite:
            self.b = cfg.d // 2
            self.attn = SelfAttention(self.b, cfg.heads, cfg.attention_dropout)
            self.conv = LightConvBranch(cfg.d - self.b, cfg.conv_heads, cfg.kernel(layer), causal,
                                        cfg.weight_dropout)
        elif cfg.block == "transformer":
            self.attn = SelfAttention(cfg.d, cfg.heads, cfg.attention_dropout)
        else:
            raise SystemExit(f"unknown block '{cfg.block}' (transformer | lite)")

    def forward(self, x, pad_mask):
        if not self.lite:
            return self.attn(x, pad_mask, self.causal)
        xa, xc = x[..., :self.b], x[..., self.b:]
        return torch.cat([self.attn(xa, pad_mask, self.causal),
                          self.conv(xc, None if self.causal else pad_mask)], dim=-1)

    def step(self, x, st: "LayerState", t: int):
        if not self.lite:
            return self.attn.step(x, st.kv, t)
        xa, xc = x[..., :self.b], x[..., self.b:]
        yc, st.window = self.conv.step(xc, st.window)
        return torch.cat([self.attn.step(xa, st.kv, t), yc], dim=-1)


class EncoderLayer(nn.Module):
    def __init__(self, cfg: ModelConfig, layer: int):
        super().__init__()
        self.mix = Mixer(cfg, layer, causal=False)
        self.ln1 = nn.LayerNorm(cfg.d)
        self.ffn = FFN(cfg.d, cfg.ffn, cfg.activation_dropout)
        self.ln2 = nn.LayerNorm(cfg.d)
        self.p = cfg.dropout

    def forward(self, x, pad_mask):
        x = self.ln1(x + F.dropout(self.mix(x, pad_mask), self.p, self.training))
        return self.ln2(x + F.dropout(self.ffn(x), self.p, self.training))


class DecoderLayer(nn.Module):
    def __init__(self, cfg: ModelConfig, layer: int):
        super().__init__()
        self.mix = Mixer(cfg, layer, causal=True)
        self.ln1 = nn.LayerNorm(cfg.d)
        self.cross = CrossAttention(cfg.d, cfg.cross_heads, cfg.attention_dropout)
        self.ln2 = nn.LayerNorm(cfg.d)
        self.ffn = FFN(cfg.d, cfg.ffn, cfg.activation_dropout)
        self.ln3 = nn.LayerNorm(cfg.d)
        self.p = cfg.dropout

    def forward(self, x, enc, src_mask):
        x = self.ln1(x + F.dropout(self.mix(x, None), self.p, self.training))
        x = self.ln2(x + F.dropout(self.cross(x, enc, src_mask), self.p, self.training))
        return self.ln3(x + F.dropout(self.ffn(x), self.p, self.training))

    def step(self, x, st: "LayerState", t: int):
        x = self.ln1(x + self.mix.step(x, st, t))
        x = self.ln2(x + self.cross.attend(x, st.cross_k, st.cross_v, st.src_mask))
        return self.ln3(x + self.ffn(x))


# --------------------------------------------------------------------------------------
# Incremental decoder state
# --------------------------------------------------------------------------------------
class KVCache:
    """Preallocated self-attention cache [N, heads, max_steps, head_dim] (K and V), plus a
    second buffer pair so that beam reordering writes into preallocated memory."""

    def __init__(self, n: int, heads: int, max_steps: int, dh: int):
        self.k = torch.zeros(n, heads, max_steps, dh)
        self.v = torch.zeros_like(self.k)
        self._k2 = torch.zeros_like(self.k)
        self._v2 = torch.zeros_like(self.k)

    def reorder(self, idx: torch.Tensor, filled: int):
        torch.index_select(self.k[:, :, :filled], 0, idx, out=self._k2[:, :, :filled])
        torch.index_select(self.v[:, :, :filled], 0, idx, out=self._v2[:, :, :filled])
        self.k, self._k2 = self._k2, self.k
        self.v, self._v2 = self._v2, self.v


@dataclass
class LayerState:
    kv: KVCache
    cross_k: torch.Tensor            # [N, cross_heads, S, dh], computed once
    cross_v: torch.Tensor
    src_mask: torch.Tensor           # [N, 1, 1, S] bool (True = attend)
    window: torch.Tensor | None = None   # lite: [N, k-1, d/2] last conv inputs


@dataclass
class DecoderState:
    layers: list = field(default_factory=list)
    steps: int = 0                   # positions written so far

    def reorder(self, idx: torch.Tensor):
        """Gather every per-hypothesis cache along the batch axis: row i <- row idx[i].
        Cross-attention K/V are identical within a sentence's beams and beams never move
        across sentences, so they are left as they are."""
        for st in self.layers:
            st.kv.reorder(idx, self.steps)
            if st.window is not None:
                st.window = st.window.index_select(0, idx)


# --------------------------------------------------------------------------------------
# Model
# --------------------------------------------------------------------------------------
class EncoderDecoder(nn.Module):
    def __init__(self, cfg: ModelConfig):
        super().__init__()
        self.cfg = cfg
        d = cfg.d
        self.src_embed = nn.Embedding(cfg.src_vocab, d, padding_idx=PAD)
        self.tgt_embed = nn.Embedding(cfg.tgt_vocab, d, padding_idx=PAD)
        self.register_buffer("pos", sinusoidal_table(cfg.max_positions, d), persistent=False)
        self.encoder = nn.ModuleList(EncoderLayer(cfg, i) for i in range(cfg.enc_layers))
        self.decoder = nn.ModuleList(DecoderLayer(cfg, i) for i in range(cfg.dec_layers))
        self.out_proj = nn.Linear(d, cfg.tgt_vocab, bias=False)
        self.scale = math.sqrt(d)
        self.reset_parameters()

    def reset_parameters(self):
        for m in self.modules():
            if isinstance(m, nn.Linear):
                nn.init.xavier_uniform_(m.weight)
                if m.bias is not None:
                    nn.init.zeros_(m.bias)
        for emb in (self.src_embed, self.tgt_embed):
            nn.init.normal_(emb.weight, 0.0, self.cfg.d ** -0.5)
            with torch.no_grad():
                emb.weight[PAD].zero_()
        nn.init.normal_(self.out_proj.weight, 0.0, self.cfg.d ** -0.5)

    def _embed(self, emb, tokens, offset=0):
        T = tokens.shape[1]
        x = emb(tokens) * self.scale + self.pos[offset:offset + T]
        return F.dropout(x, self.cfg.dropout, self.training)

    def encode(self, src):
        # src [B, S] -> enc [B, S, d], pad mask [B, S] (True = pad)
        pad = src.eq(PAD)
        x = self._embed(self.src_embed, src)
        for layer in self.encoder:
            x = layer(x, pad)
        return x, pad

    def forward(self, src, tgt_in):
        # teacher forcing: src [B, S], tgt_in [B, T] -> logits [B, T, Vt]
        enc, pad = self.encode(src)
        src_mask = ~pad[:, None, None, :]
        x = self._embed(self.tgt_embed, tgt_in)
        for layer in self.decoder:
            x = layer(x, enc, src_mask)
        return self.out_proj(x)

    def loss(self, src, tgt_in, tgt_out, label_smoothing=0.1):
        logits = self.forward(src, tgt_in)
        return F.cross_entropy(logits.view(-1, logits.shape[-1]), tgt_out.reshape(-1),
                               ignore_index=PAD, label_smoothing=label_smoothing, reduction="sum")

    # ---- incremental decoding ------------------------------------------------------
    def start_state(self, enc, pad, beam: int, max_steps: int) -> DecoderState:
        """Caches for B*beam hypotheses (rows b*beam .. b*beam+beam-1 belong to sentence b)."""
        B, S, _ = enc.shape
        N = B * beam
        st = DecoderState()
        src_mask = (~pad[:, None, None, :]).repeat_interleave(beam, dim=0)  # [N, 1, 1, S]
        for i, layer in enumerate(self.decoder):
            k, v = layer.cross.memory(enc)                                   # once per sentence
            mix = layer.mix
            attn = mix.attn
            ls = LayerState(kv=KVCache(N, attn.h, max_steps, attn.dh),
                            cross_k=k.repeat_interleave(beam, dim=0),
                            cross_v=v.repeat_interleave(beam, dim=0), src_mask=src_mask)
            if mix.lite:
                ls.window = torch.zeros(N, mix.conv.k - 1, mix.conv.c)
            st.layers.append(ls)
        return st

    def step(self, st: DecoderState, prev: torch.Tensor) -> torch.Tensor:
        # prev [N] previous tokens -> logits [N, Vt]; advances st.steps by one
        t = st.steps
        x = self._embed(self.tgt_embed, prev[:, None], offset=t)            # [N, 1, d]
        for layer, ls in zip(self.decoder, st.layers):
            x = layer.step(x, ls, t)
        st.steps = t + 1
        return self.out_proj(x[:, 0])


# --------------------------------------------------------------------------------------
# Beam search
# --------------------------------------------------------------------------------------
@torch.no_grad()
def beam_search(model: EncoderDecoder, src: torch.Tensor, beam: int = 4, max_steps: int = 200,
                min_steps: int = 1, lenpen: float = 1.0):
    """Batched beam search with fairseq semantics: per step, the top 2*beam candidates of
    each sentence over beam x V; EOS candidates among the first `beam` finish a hypothesis
    (score / length^lenpen, length counting EOS); the first `beam` non-EOS candidates
    continue. A sentence is done when it has `beam` finished hypotheses. Decoder steps
    number at most `max_steps` (the last one forces EOS) and EOS is not allowed before step
    `min_steps` (1-based), so min_steps = max_steps = L runs exactly L steps for every
    sentence. Finished sentences are not removed from the batch (with forced lengths all
    sentences finish together). Returns (list of best token lists without EOS, steps run)."""
    model.eval()
    B = src.shape[0]
    N = B * beam
    V = model.cfg.tgt_vocab
    enc, pad = model.encode(src)
    st = model.start_state(enc, pad, beam, max_steps)
    scores = torch.zeros(B, beam)
    scores[:, 1:] = float("-inf")                   # step 0: only beam 0 is live
    tokens = torch.full((N, max_steps + 1), PAD, dtype=torch.long)
    tokens[:, 0] = BOS
    finished = [[] for _ in range(B)]               # (normalised score, token list)
    done = torch.zeros(B, dtype=torch.bool)
    base = (torch.arange(B) * beam)[:, None]
    cand_pos = torch.arange(2 * beam)[None, :]
    t = 0
    for t in range(max_steps):
        lp = F.log_softmax(model.step(st, tokens[:, t]), dim=-1)           # [N, V]
        lp[:, PAD] = float("-inf")
        if t + 1 < min_steps:
            lp[:, EOS] = float("-inf")
        if t + 1 == max_steps:                       # last step: EOS only
            eos_col = lp[:, EOS].clone()
            lp.fill_(float("-inf"))
            lp[:, EOS] = eos_col
        cand = (scores.view(N, 1) + lp).view(B, beam * V)
        top_s, top_i = cand.topk(2 * beam, dim=1)                          # [B, 2*beam]
        src_beam = torch.div(top_i, V, rounding_mode="floor")
        tok = top_i - src_beam * V
        is_eos = tok.eq(EOS) & torch.isfinite(top_s)
        # finish EOS hypotheses among the first `beam` candidates of live sentences
        fin = is_eos[:, :beam] & ~done[:, None]
        if bool(fin.any()):
            for b, j in fin.nonzero().tolist():
                if len(finished[b]) < beam:
                    row = int(base[b, 0] + src_beam[b, j])
                    hyp = tokens[row, 1:t + 1].tolist()
                    finished[b].append((float(top_s[b, j]) / (t + 1) ** lenpen, hyp))
            done |= torch.tensor([len(f) >= beam for f in finished])
            if bool(done.all()):
                break
        # continue with the first `beam` non-EOS candidates (EOS pushed to the back)
        order = (is_eos.long() * (2 * beam) + cand_pos).topk(beam, dim=1, largest=False).indices
        scores = top_s.gather(1, order)
        nb = src_beam.gather(1, order)
        nt = tok.gather(1, order)
        idx = (base + nb).view(-1)
        tokens = tokens.index_select(0, idx)
        tokens[:, t + 1] = nt.view(-1)
        st.reorder(idx)
    best = [max(f, key=lambda s: s[0])[1] if f else [] for f in finished]
    return best, t + 1


# --------------------------------------------------------------------------------------
# Self-test: incremental == teacher-forced
# --------------------------------------------------------------------------------------
def _self_test() -> int:
    global ATTN_IMPL, CONV_IMPL
    failures = checks = 0
    for impl in (("sdpa", "conv1d"), ("matmul", "unfold")):
        ATTN_IMPL, CONV_IMPL = impl
        print(f"attention={ATTN_IMPL} conv={CONV_IMPL}")
        f, c = _self_test_models()
        failures, checks = failures + f, checks + c
    ATTN_IMPL, CONV_IMPL = "sdpa", "conv1d"
    f, c = _self_test_conv()
    failures, checks = failures + f, checks + c
    print(f"{checks - failures} passed, {failures} failed")
    return 1 if failures else 0


def _self_test_models():
    torch.manual_seed(0)
    failures = checks = 0
    for name in ("transformer-160", "lite-160"):
        cfg = preset(name, enc_layers=2, dec_layers=3, src_vocab=50, tgt_vocab=60,
                     kernels=(3, 7, 31))
        model = EncoderDecoder(cfg).eval()
        B, S, T = 3, 9, 12
        src = torch.randint(4, cfg.src_vocab, (B, S))
        src[1, 6:] = PAD
        src[2, 3:] = PAD
        tgt = torch.randint(4, cfg.tgt_vocab, (B, T))
        tgt[:, 0] = BOS
        with torch.no_grad():
            full = model(src, tgt)                                          # [B, T, V]
            enc, pad = model.encode(src)
            beam = 2
            st = model.start_state(enc, pad, beam, T)
            rows = torch.arange(B).repeat_interleave(beam)
            steps = []
            for t in range(T):
                steps.append(model.step(st, tgt[rows, t]))
                # reorder with an identity-within-sentence swap of the two beams
                perm = torch.arange(B * beam).view(B, beam).flip(1).reshape(-1)
                st.reorder(perm)
            inc = torch.stack(steps, 1)[::beam]                             # [B, T, V]
            # padding invariance: sentence 1 alone, unpadded, gives the same logits
            alone = model(src[1:2, :6], tgt[1:2])
        err = (alone - full[1:2]).abs().max().item()
        ok = err < 1e-4
        failures += not ok
        checks += 1
        print(f"{name}: max |padded - unpadded| = {err:.2e} {'ok' if ok else 'FAIL'}")
        err = (inc - full).abs().max().item()
        ok = err < 1e-4
        failures += not ok
        checks += 1
        print(f"{name}: max |incremental - teacher-forced| = {err:.2e} {'ok' if ok else 'FAIL'}")
        # beam search with forced length L runs exactly L steps and returns L-1 tokens
        best, steps_run = beam_search(model, src, beam=4, max_steps=7, min_steps=7)
        ok = steps_run == 7 and all(len(h) == 6 for h in best)
        failures += not ok
        checks += 1
        print(f"{name}: forced-length beam search steps={steps_run} lengths={[len(h) for h in best]} "
              f"{'ok' if ok else 'FAIL'}")
    return failures, checks


def _self_test_conv():
    # lightconv causal branch against a direct loop over taps
    failures = 0
    torch.manual_seed(1)
    br = LightConvBranch(8, 4, 5, causal=True, weight_dropout=0.0).eval()
    x = torch.randn(2, 6, 8)
    with torch.no_grad():
        y = br(x)
        u = br.linear1(x)
        w = F.softmax(br.weight, -1)
        ref = torch.zeros_like(u)
        for t in range(6):
            for j in range(5):
                s = t + j - 4
                if s >= 0:
                    ref[:, t] += u[:, s] * w[torch.arange(8) // 2, j]
        ref = br.linear2(ref)
    err = (y - ref).abs().max().item()
    ok = err < 1e-5
    failures += not ok
    print(f"causal lightconv vs tap loop: max err {err:.2e} {'ok' if ok else 'FAIL'}")
    return failures, 1


def count_params(model: nn.Module, embeddings: bool = False) -> int:
    n = 0
    for name, p in model.named_parameters():
        if not embeddings and name.endswith("_embed.weight"):
            continue
        n += p.numel()
    return n


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--self-test", action="store_true", help="check incremental decoding against teacher forcing")
    ap.add_argument("--describe", action="store_true", help="print the presets and their parameter counts")
    args = ap.parse_args()
    if args.self_test:
        sys.exit(_self_test())
    if True:  # --describe (the default)
        for name in PRESETS:
            m = EncoderDecoder(preset(name))
            print(f"{name:26s} {PRESETS[name]}\n{'':26s} params without embeddings (incl. output projection): "
                  f"{count_params(m) / 1e6:.2f}M")


if __name__ == "__main__":
    main()
