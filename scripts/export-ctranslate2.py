#!/usr/bin/env python3
"""Export an lt Transformer model file to a CTranslate2 model directory.

    .venv/bin/python scripts/export-ctranslate2.py --model M.lt --output_dir M.ct2 [--force]
        [--quantization int8|int8_float32|int16|float16|bfloat16|float32]

Supported: models whose encoder and decoder blocks are one full-width softmax attention
branch (the "transformer" preset), post-LN or pre-LN, any sharing mode, scaled or unscaled
embeddings. Other blocks (LightConv, DynamicConv, Lite/LSRA, multi-branch mixtures) have no
CTranslate2 counterpart and are rejected with a message naming the block.

The lt model file is parsed here (struct + numpy) and its checksum verified; nothing of lt is
imported. What maps to what (docs/interop.md):
  - sublayers: lt's q/k/v/out projections become CTranslate2's fused [q;k;v] (self-attention)
    or q + fused [k;v] (cross-attention) and the out projection; ln1/ln2(/ln3) are the layer
    norms of the sublayers in order (CTranslate2 applies them before or after the residual
    according to pre_norm, exactly as lt); ffn/fc1, fc2 -> ffn/linear_0, linear_1 (ReLU).
  - positions: lt's exact sinusoid table [max-positions, d] (sin half, cos half, positions
    from 0) is stored as the position_encodings of both sides, so CTranslate2 does not
    recompute it; decoding step t reads row t on both sides, as in lt.
  - embeddings: scale_embeddings = sqrt(d) when scale-embedding is on; shared tables are
    passed as the same array (CTranslate2 stores them once).
  - vocabularies: the SentencePiece pieces in id order; ids 0-3 (pad, unk, bos, eos) are
    written as <blank>, <unk>, <s>, </s>. Decoding starts with <s> (lt's BOS) and stops at
    </s>; add_source_eos appends </s> to sources as lt does. LayerNorm epsilon 1e-5.
"""
import argparse
import os
import struct
import sys

import numpy as np

MAGIC = b"LTMODEL\0"
FORMAT_VERSION = 1
DTYPES = {0: ("f32", np.float32), 1: ("bf16", None), 2: ("i8", np.int8), 3: ("i32", np.int32)}
MASK64 = (1 << 64) - 1
SPECIAL_NAMES = ["<blank>", "<unk>", "<s>", "</s>"]  # lt ids pad=0, unk=1, bos=2, eos=3
LN_EPSILON = 1e-5


class ExportError(Exception):
    """A model this exporter cannot convert, or a broken file (message for users)."""


# --------------------------------------------------------------------------- lt model file


def _mix_array(x):
    """The format's 64-bit mixer on a uint64 array (wrapping arithmetic)."""
    x = x ^ (x >> np.uint64(31))
    x = x * np.uint64(0x7FB5D329728EA185)
    x = x ^ (x >> np.uint64(27))
    x = x * np.uint64(0x81DADEF4BC2DD44D)
    return x ^ (x >> np.uint64(33))


def _mix(x):
    x &= MASK64
    x ^= x >> 31
    x = (x * 0x7FB5D329728EA185) & MASK64
    x ^= x >> 27
    x = (x * 0x81DADEF4BC2DD44D) & MASK64
    return x ^ (x >> 33)


def model_file_checksum(data):
    """src/models/model_file.cpp modelFileChecksum: a multiply-xorshift fold of 8-byte words."""
    n = len(data)
    h = 0x9E3779B97F4A7C15 ^ n
    words = n // 8
    prime = 0x100000001B3
    if words:
        w = np.frombuffer(data, dtype="<u8", count=words)
        with np.errstate(over="ignore"):
            offsets = np.arange(0, 8 * words, 8, dtype=np.uint64)
            mixed = _mix_array(w + offsets).tolist()
        for m in mixed:  # the fold is sequential
            h = ((h ^ m) * prime) & MASK64
    tail = int.from_bytes(data[8 * words:], "little")
    h = ((h ^ _mix(tail + n)) * prime) & MASK64
    return _mix(h)


class _Reader:
    def __init__(self, data, end, path):
        self.data, self.end, self.path, self.pos = data, end, path, 0

    def take(self, n, what):
        if n > self.end - self.pos:
            raise ExportError(f"model file {self.path} is corrupt: {what} runs past the end of "
                              f"the data (offset {self.pos})")
        b = self.data[self.pos:self.pos + n]
        self.pos += n
        return b

    def u(self, fmt, what):
        return struct.unpack("<" + fmt, self.take(struct.calcsize("<" + fmt), what))[0]


def read_lt_model(path):
    """-> (config dict, config YAML text, blobs {name: bytes}, weights {name: ndarray})."""
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as e:
        raise ExportError(f"cannot open model file {path}: {e.strerror}")
    if data[:8] != MAGIC:
        raise ExportError(f"{path} is not an lt model file (bad magic)")
    if len(data) < 20:
        raise ExportError(f"model file {path} is truncated: {len(data)} bytes, header incomplete")
    version, total = struct.unpack_from("<IQ", data, 8)
    if version != FORMAT_VERSION:
        raise ExportError(f"model file {path} has format version {version}; this exporter reads "
                          f"version {FORMAT_VERSION}")
    if len(data) != total:
        raise ExportError(f"model file {path} is truncated or corrupt: {len(data)} bytes, but its "
                          f"header says {total}")
    stored = struct.unpack_from("<Q", data, total - 8)[0]
    actual = model_file_checksum(memoryview(data)[:total - 8])
    if stored != actual:
        raise ExportError(f"model file {path} is corrupt: checksum mismatch (stored {stored:016x}, "
                          f"computed {actual:016x})")
    r = _Reader(data, total - 8, path)
    r.pos = 20
    yaml_text = r.take(r.u("Q", "config size"), "config").decode("utf-8")
    blobs = {}
    for _ in range(r.u("I", "blob count")):
        name = r.take(r.u("I", "blob name size"), "blob name").decode("utf-8")
        blobs[name] = r.take(r.u("Q", "blob size"), "blob")
    weights = {}
    for _ in range(r.u("I", "weight count")):
        name = r.take(r.u("I", "weight name size"), "weight name").decode("utf-8")
        dt, rank = r.u("B", "weight dtype"), r.u("B", "weight rank")
        if dt not in DTYPES or not 1 <= rank <= 8:
            raise ExportError(f"model file {path} is corrupt: weight '{name}' has dtype {dt} rank {rank}")
        dims = [r.u("q", "weight dims") for _ in range(rank)]
        nbytes = r.u("Q", "weight size")
        dname, npt = DTYPES[dt]
        raw = r.take(nbytes, "weight data")
        if npt is None:
            raise ExportError(f"weight '{name}' in {path} is {dname}; the exporter converts f32 models "
                              "only")
        if nbytes != int(np.prod(dims)) * np.dtype(npt).itemsize:
            raise ExportError(f"model file {path} is corrupt: weight '{name}' {dims} has {nbytes} bytes")
        weights[name] = np.frombuffer(raw, dtype=np.dtype(npt).newbyteorder("<")).reshape(dims).copy()
    if r.pos != r.end:
        raise ExportError(f"model file {path} is corrupt: {r.end - r.pos} unexpected bytes after "
                          "the weights")
    import yaml  # CTranslate2 depends on PyYAML

    try:
        cfg = yaml.safe_load(yaml_text)
    except yaml.YAMLError as e:
        raise ExportError(f"model file {path}: embedded config does not parse: {e}")
    return cfg, yaml_text, blobs, weights


# ------------------------------------------------------------------- SentencePiece pieces


def _varint(buf, pos):
    shift = result = 0
    while True:
        if pos >= len(buf):
            raise ExportError("vocabulary blob is corrupt (truncated varint)")
        b = buf[pos]
        pos += 1
        result |= (b & 0x7F) << shift
        if not b & 0x80:
            return result, pos
        shift += 7


def _fields(buf):
    """Yields (field number, wire type, value) of a protobuf message (value: int or bytes)."""
    pos = 0
    while pos < len(buf):
        key, pos = _varint(buf, pos)
        field, wire = key >> 3, key & 7
        if wire == 0:
            val, pos = _varint(buf, pos)
        elif wire == 1:
            val, pos = buf[pos:pos + 8], pos + 8
        elif wire == 2:
            n, pos = _varint(buf, pos)
            val, pos = buf[pos:pos + n], pos + n
        elif wire == 5:
            val, pos = buf[pos:pos + 4], pos + 4
        else:
            raise ExportError(f"vocabulary blob is corrupt (protobuf wire type {wire})")
        if pos > len(buf):
            raise ExportError("vocabulary blob is corrupt (field runs past the end)")
        yield field, wire, val


def sentencepiece_pieces(model_bytes):
    """Pieces of a serialised SentencePiece ModelProto in id order, with their types
    (1 normal, 2 unknown, 3 control, 4 user-defined, 5 unused, 6 byte)."""
    pieces = []
    for field, wire, val in _fields(model_bytes):
        if field == 1 and wire == 2:  # repeated SentencePiece pieces = 1
            piece, kind = None, 1
            for f, w, v in _fields(val):
                if f == 1 and w == 2:
                    piece = bytes(v).decode("utf-8")
                elif f == 3 and w == 0:
                    kind = v
            if piece is None:
                raise ExportError("vocabulary blob is corrupt (a piece without text)")
            pieces.append((piece, kind))
    return pieces


def ct2_vocabulary(model_bytes, side, expected_size):
    pieces = sentencepiece_pieces(model_bytes)
    if len(pieces) != expected_size:
        raise ExportError(f"{side} vocabulary has {len(pieces)} pieces but the model's embedding has "
                          f"{expected_size} rows")
    if len(pieces) < 4 or pieces[1][1] != 2 or any(pieces[i][1] != 3 for i in (0, 2, 3)):
        raise ExportError(f"{side} vocabulary does not have lt's special ids pad=0 unk=1 bos=2 eos=3 "
                          f"(first pieces: {pieces[:4]})")
    tokens = SPECIAL_NAMES + [p for p, _ in pieces[4:]]
    seen = set()
    for i, t in enumerate(tokens):
        if t in seen:
            raise ExportError(f"{side} vocabulary: piece '{t}' (id {i}) collides with another token "
                              "(CTranslate2 needs unique token strings)")
        seen.add(t)
    return tokens


# ------------------------------------------------------------------ architecture checks


def _single_attention(block, side, dim):
    """Heads of a block that is one full-width softmax attention branch, else ExportError."""
    branches = (block or {}).get("branches") if isinstance(block, dict) else None
    if not branches:
        raise ExportError(f"{side}: no branch list in the embedded config")
    why = None
    if len(branches) != 1:
        kinds = ", ".join(f"{b.get('type')}:{b.get('dim')}" for b in branches)
        why = f"has {len(branches)} branches ({kinds})"
    elif branches[0].get("type") != "attention":
        why = f"is a '{branches[0].get('type')}' branch"
    elif int(branches[0].get("dim") or dim) != dim:
        why = f"is an attention branch of width {branches[0].get('dim')} < model-dim {dim}"
    if why:
        raise ExportError(f"unsupported block: {side} {why}; CTranslate2's Transformer needs one "
                          "full-width softmax attention branch per layer (the 'transformer' preset)")
    return int(branches[0].get("heads") or 0)


def check_supported(cfg):
    d = int(cfg["model-dim"])
    enc_heads = _single_attention(cfg.get("encoder-block"), "encoder-block", d)
    dec_heads = _single_attention(cfg.get("decoder-block"), "decoder-block", d)
    cross = int(cfg["cross-heads"])
    enc_heads = enc_heads or cross
    dec_heads = dec_heads or cross
    if dec_heads != cross:
        raise ExportError(f"unsupported block: decoder-block self-attention has {dec_heads} heads but "
                          f"cross-heads is {cross}; CTranslate2 uses one head count per decoder")
    if cfg.get("share-embeddings") not in ("none", "decoder-output", "all"):
        raise ExportError(f"unknown share-embeddings value '{cfg.get('share-embeddings')}'")
    return enc_heads, dec_heads


def sinusoid_table(max_pos, dim):
    """lt's sinusoidalPositions (src/layers/linear.cpp): float64 arithmetic rounded to f32,
    columns [0, d/2) sin(p w_i), [d/2, d) cos(p w_i), w_i = 10000^(-i/(d/2-1))."""
    half = dim // 2
    step = np.log(10000.0) / (half - 1) if half > 1 else 0.0
    freq = np.exp(-np.arange(half, dtype=np.float64) * step)
    ang = np.arange(max_pos, dtype=np.float64)[:, None] * freq[None, :]
    return np.concatenate([np.sin(ang), np.cos(ang)], axis=1).astype(np.float32)


# ------------------------------------------------------------------------ spec building


def build_spec(path):
    import ctranslate2
    from ctranslate2.specs import transformer_spec

    cfg, _, blobs, w = read_lt_model(path)
    enc_heads, dec_heads = check_supported(cfg)
    d = int(cfg["model-dim"])
    pre_norm = bool(cfg["pre-norm"])
    sharing = cfg["share-embeddings"]
    n_enc, n_dec = int(cfg["encoder-layers"]), int(cfg["decoder-layers"])

    def get(name, shape=None):
        if name not in w:
            raise ExportError(f"model file {path} has no weight '{name}'")
        a = w[name]
        if a.dtype != np.float32:
            raise ExportError(f"weight '{name}' is {a.dtype}; only f32 models are exported")
        if shape is not None and tuple(a.shape) != tuple(shape):
            raise ExportError(f"weight '{name}' is {list(a.shape)}, expected {list(shape)}")
        return a

    used = set()

    def take(name, shape=None):
        used.add(name)
        return get(name, shape)

    def linear(spec, scope, n_out, n_in):
        spec.weight = take(scope + "/weight", (n_out, n_in))
        spec.bias = take(scope + "/bias", (n_out,))

    def layer_norm(spec, scope):
        spec.gamma = take(scope + "/gamma", (d,))
        spec.beta = take(scope + "/beta", (d,))

    def self_attention(spec, scope):
        q, k, v = (take(f"{scope}/{p}/weight", (d, d)) for p in "qkv")
        qb, kb, vb = (take(f"{scope}/{p}/bias", (d,)) for p in "qkv")
        spec.linear[0].weight = np.concatenate([q, k, v], axis=0)
        spec.linear[0].bias = np.concatenate([qb, kb, vb])
        linear(spec.linear[1], scope + "/out", d, d)

    def cross_attention(spec, scope):
        linear(spec.linear[0], scope + "/q", d, d)
        spec.linear[1].weight = np.concatenate([take(scope + "/k/weight", (d, d)),
                                                take(scope + "/v/weight", (d, d))], axis=0)
        spec.linear[1].bias = np.concatenate([take(scope + "/k/bias", (d,)),
                                              take(scope + "/v/bias", (d,))])
        linear(spec.linear[2], scope + "/out", d, d)

    def ffn(spec, scope):
        f = get(scope + "/fc1/weight").shape[0]
        linear(spec.linear_0, scope + "/fc1", f, d)
        linear(spec.linear_1, scope + "/fc2", d, f)

    # Vocabularies (also fixes the table sizes).
    for blob in ("vocab/src", "vocab/tgt"):
        if blob not in blobs:
            raise ExportError(f"model file {path} has no '{blob}' vocabulary blob")
    vs, vt = int(cfg["src-vocab-size"]), int(cfg["tgt-vocab-size"])
    src_tokens = ct2_vocabulary(blobs["vocab/src"], "source", vs)
    tgt_tokens = ct2_vocabulary(blobs["vocab/tgt"], "target", vt)

    if sharing == "all":
        src_table = tgt_table = take("shared/embed/table", (vs, d))
    else:
        src_table = take("encoder/embed/table", (vs, d))
        tgt_table = take("decoder/embed/table", (vt, d))
    out_proj = take("decoder/out/weight", (vt, d)) if sharing == "none" else tgt_table

    encoder = transformer_spec.TransformerEncoderSpec(n_enc, enc_heads, pre_norm=pre_norm)
    decoder = transformer_spec.TransformerDecoderSpec(n_dec, dec_heads, pre_norm=pre_norm)
    spec = transformer_spec.TransformerSpec(encoder, decoder)

    positions = sinusoid_table(int(cfg["max-positions"]), d)
    scale = bool(cfg.get("scale-embedding", True))
    encoder.embeddings[0].weight = src_table
    encoder.scale_embeddings = scale
    encoder.position_encodings.encodings = positions
    decoder.embeddings.weight = tgt_table
    decoder.scale_embeddings = scale
    decoder.position_encodings.encodings = positions
    decoder.projection.weight = out_proj

    for i, L in enumerate(encoder.layer):
        s = f"encoder/l{i}"
        self_attention(L.self_attention, s + "/mix/b0")
        layer_norm(L.self_attention.layer_norm, s + "/ln1")
        ffn(L.ffn, s + "/ffn")
        layer_norm(L.ffn.layer_norm, s + "/ln2")
    for i, L in enumerate(decoder.layer):
        s = f"decoder/l{i}"
        self_attention(L.self_attention, s + "/mix/b0")
        layer_norm(L.self_attention.layer_norm, s + "/ln1")
        cross_attention(L.attention, s + "/cross")
        layer_norm(L.attention.layer_norm, s + "/ln2")
        ffn(L.ffn, s + "/ffn")
        layer_norm(L.ffn.layer_norm, s + "/ln3")
    if pre_norm:
        layer_norm(encoder.layer_norm, "encoder/final_ln")
        layer_norm(decoder.layer_norm, "decoder/final_ln")
    extra = sorted(set(w) - used)
    if extra:
        raise ExportError(f"model file {path} has weights this exporter does not map "
                          f"(another architecture?): {', '.join(extra[:5])}")

    spec.register_source_vocabulary(src_tokens)
    spec.register_target_vocabulary(tgt_tokens)
    c = spec.config
    c.unk_token, c.bos_token, c.eos_token = "<unk>", "<s>", "</s>"
    c.decoder_start_token = "<s>"
    c.add_source_bos = False
    c.add_source_eos = True
    c.layer_norm_epsilon = LN_EPSILON
    return spec


def make_converter(model_path):
    from ctranslate2.converters.converter import Converter

    class LtConverter(Converter):
        def _load(self):
            return build_spec(model_path)

    return LtConverter()


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--model", required=True, help="lt model file (written by lt-train)")
    try:
        from ctranslate2.converters.converter import Converter
    except ImportError:
        print("export-ctranslate2: error: the ctranslate2 Python package is not installed "
              "(pip install ctranslate2==4.8.5)", file=sys.stderr)
        return 2
    Converter.declare_arguments(p)
    args = p.parse_args(argv)
    try:
        out = make_converter(args.model).convert(args.output_dir, quantization=args.quantization,
                                                 force=args.force)
    except (ExportError, RuntimeError) as e:
        print(f"export-ctranslate2: error: {e}", file=sys.stderr)
        return 1
    print(f"export-ctranslate2: wrote {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
