#!/usr/bin/env python3
"""A float32 numpy Llama forward pass straight from a GGUF file, independent of llama.cpp.

Reads the file with gguf-py (`gguf.GGUFReader`), dequantizes every tensor to float32 with
`gguf.quants.dequantize`, takes every hyperparameter from the metadata, and runs the
llama.cpp `llama` architecture with a KV cache.

Conventions this implements (checked against llama.cpp's logits by llm_reference.py):
- Shapes: GGUF lists a tensor's dims innermost first (ne[0] is contiguous). gguf-py and
  `dequantize` return the row-major numpy array with the dims reversed, so a matrix with
  ne = [n_in, n_out] comes back as W[n_out, n_in] and a projection is `y = x @ W.T`.
  token_embd (ne = [n_embd, n_vocab]) comes back as E[n_vocab, n_embd]: row t is token t's
  embedding, and the tied output is `logits = h @ E.T`.
- RoPE: llama.cpp's LLAMA arch uses rope type NORM: it rotates ADJACENT pairs
  (x[2i], x[2i+1]) of each head by pos * base^(-2i/n_rot), for 2i < n_rot (the rest of the
  head, if any, passes through). The HF->GGUF converter permuted the rows of attn_q/attn_k
  so that this equals HF's rotate_half on the original weights; so on GGUF weights one
  applies the adjacent-pair rotation to q and k as stored, with no extra permutation.
- GQA: query head h reads KV head h // (n_head / n_head_kv) (ggml's broadcast, same as HF's
  repeat_kv). Scores are scaled by 1/sqrt(head_dim), causal mask, softmax in float32.
- Block: x += Wo·attn(RoPE(Wq·n1), RoPE(Wk·n1), Wv·n1) with n1 = RMSNorm(x)*attn_norm;
  x += Wdown·(silu(Wgate·n2) * Wup·n2) with n2 = RMSNorm(x)*ffn_norm; RMSNorm(x) =
  x / sqrt(mean(x^2) + eps). Finally RMSNorm * output_norm, then output.weight or the tied
  token_embd.
"""
import numpy as np
import gguf
from gguf import GGUFReader
from gguf.quants import dequantize


def field(reader, key, default=None):
    f = reader.fields.get(key)
    if f is None:
        if default is None:
            raise KeyError(f"GGUF metadata has no {key}")
        return default
    return f.contents()


class LlamaNumpy:
    def __init__(self, path):
        r = GGUFReader(path)
        arch = field(r, "general.architecture")
        if arch != "llama":
            raise ValueError(f"{path}: architecture {arch!r}, expected 'llama'")
        a = lambda k, d=None: field(r, f"{arch}.{k}", d)  # noqa: E731
        self.n_layer = int(a("block_count"))
        self.n_embd = int(a("embedding_length"))
        self.n_ff = int(a("feed_forward_length"))
        self.n_head = int(a("attention.head_count"))
        self.n_head_kv = int(a("attention.head_count_kv", self.n_head))
        self.head_dim = int(a("attention.key_length", self.n_embd // self.n_head))
        if int(a("attention.value_length", self.head_dim)) != self.head_dim:
            raise NotImplementedError("key_length != value_length")
        self.n_rot = int(a("rope.dimension_count", self.head_dim))
        self.rope_base = float(a("rope.freq_base", 10000.0))
        self.eps = np.float32(a("attention.layer_norm_rms_epsilon"))
        self.n_ctx_train = int(a("context_length"))
        scaling = a("rope.scaling.type", "none")
        if scaling not in ("none", "") or float(a("rope.scaling.factor", 1.0)) not in (0.0, 1.0):
            raise NotImplementedError(f"rope scaling {scaling!r}")

        self.tensor_types = {}
        w = {}
        for t in r.tensors:
            ne = tuple(int(x) for x in t.shape)
            d = dequantize(t.data, t.tensor_type).astype(np.float32, copy=False)
            if d.shape != ne[::-1]:
                raise AssertionError(f"{t.name}: dequantized shape {d.shape}, ne {ne}")
            w[t.name] = np.ascontiguousarray(d)
            self.tensor_types[t.name] = t.tensor_type.name
        self.tok_embd = w["token_embd.weight"]  # [n_vocab, n_embd]
        self.n_vocab = self.tok_embd.shape[0]
        self.tied_output = "output.weight" not in w
        self.output = w.get("output.weight", self.tok_embd)  # [n_vocab, n_embd]
        self.output_norm = w["output_norm.weight"]
        self.blocks = []
        for i in range(self.n_layer):
            b = lambda n: w[f"blk.{i}.{n}.weight"]  # noqa: E731
            self.blocks.append({
                "attn_norm": b("attn_norm"), "wq": b("attn_q"), "wk": b("attn_k"),
                "wv": b("attn_v"), "wo": b("attn_output"), "ffn_norm": b("ffn_norm"),
                "gate": b("ffn_gate"), "up": b("ffn_up"), "down": b("ffn_down"),
            })
        assert self.blocks[0]["wq"].shape == (self.n_head * self.head_dim, self.n_embd)
        assert self.blocks[0]["wk"].shape == (self.n_head_kv * self.head_dim, self.n_embd)
        assert self.blocks[0]["gate"].shape == (self.n_ff, self.n_embd)
        assert self.blocks[0]["down"].shape == (self.n_embd, self.n_ff)
        half = self.n_rot // 2
        # theta_i = base^(-2i/n_rot), computed in float32 like ggml.
        self.inv_freq = (self.rope_base ** (-(2.0 * np.arange(half)) / self.n_rot)).astype(np.float32)

    def hparams(self):
        return {
            "n_layer": self.n_layer, "n_embd": self.n_embd, "n_ff": self.n_ff,
            "n_head": self.n_head, "n_head_kv": self.n_head_kv, "head_dim": self.head_dim,
            "n_rot": self.n_rot, "rope_freq_base": self.rope_base, "rms_eps": float(self.eps),
            "n_vocab": self.n_vocab, "context_length": self.n_ctx_train,
            "tied_output": self.tied_output,
        }

    def new_cache(self, n_ctx):
        shape = (self.n_layer, n_ctx, self.n_head_kv, self.head_dim)
        return {"k": np.zeros(shape, np.float32), "v": np.zeros(shape, np.float32), "n": 0}

    def _rmsnorm(self, x, w):
        ms = np.mean(x * x, axis=-1, keepdims=True)
        return (x / np.sqrt(ms + self.eps)) * w

    def _rope(self, x, pos):
        # x: [T, heads, head_dim]; rotate adjacent pairs of the first n_rot dims.
        ang = pos.astype(np.float32)[:, None] * self.inv_freq[None, :]  # [T, n_rot/2]
        cos, sin = np.cos(ang)[:, None, :], np.sin(ang)[:, None, :]
        out = x.copy()
        x0, x1 = x[..., 0:self.n_rot:2], x[..., 1:self.n_rot:2]
        out[..., 0:self.n_rot:2] = x0 * cos - x1 * sin
        out[..., 1:self.n_rot:2] = x0 * sin + x1 * cos
        return out

    def forward(self, tokens, cache, all_logits=False):
        """Feeds `tokens` after the cache's positions; returns logits [T, n_vocab] (all
        positions) or [n_vocab] (last one)."""
        tokens = np.asarray(tokens, dtype=np.int64)
        T, p0 = len(tokens), cache["n"]
        if p0 + T > cache["k"].shape[1]:
            raise ValueError("KV cache too small")
        pos = np.arange(p0, p0 + T)
        S = p0 + T
        group = self.n_head // self.n_head_kv
        scale = np.float32(1.0 / np.sqrt(self.head_dim))
        # mask[t, s] = -inf where key position s is after query position p0 + t
        mask = np.where(np.arange(S)[None, :] > pos[:, None], -np.inf, 0.0).astype(np.float32)
        x = self.tok_embd[tokens]
        for li, b in enumerate(self.blocks):
            h = self._rmsnorm(x, b["attn_norm"])
            q = (h @ b["wq"].T).reshape(T, self.n_head, self.head_dim)
            k = (h @ b["wk"].T).reshape(T, self.n_head_kv, self.head_dim)
            v = (h @ b["wv"].T).reshape(T, self.n_head_kv, self.head_dim)
            q, k = self._rope(q, pos), self._rope(k, pos)
            cache["k"][li, p0:S] = k
            cache["v"][li, p0:S] = v
            K = np.repeat(cache["k"][li, :S], group, axis=1)  # [S, n_head, hd]
            V = np.repeat(cache["v"][li, :S], group, axis=1)
            att = np.einsum("thd,shd->hts", q, K) * scale + mask[None]
            att = att - att.max(axis=-1, keepdims=True)
            att = np.exp(att)
            att /= att.sum(axis=-1, keepdims=True)
            o = np.einsum("hts,shd->thd", att, V).reshape(T, self.n_head * self.head_dim)
            x = x + o @ b["wo"].T
            h = self._rmsnorm(x, b["ffn_norm"])
            g = h @ b["gate"].T
            u = h @ b["up"].T
            x = x + ((g / (1.0 + np.exp(-g))) * u) @ b["down"].T
        cache["n"] = S
        if not all_logits:
            x = x[-1:]
        logits = self._rmsnorm(x, self.output_norm) @ self.output.T
        return logits if all_logits else logits[0]


def write_f32_twin(src, dst):
    """Copies the GGUF `src` to `dst` with every tensor dequantized to F32 (same metadata,
    general.file_type set to ALL_F32). llama.cpp multiplies F32 weights without quantizing
    the activations, so on the twin it computes what this module computes, to float
    rounding: a check of the reference that quantization noise cannot hide."""
    r = GGUFReader(src)
    arch = field(r, "general.architecture")
    w = gguf.GGUFWriter(dst, arch)
    for f in r.fields.values():
        if f.name == "general.architecture" or f.name.startswith("GGUF."):
            continue
        vtype = f.types[0]
        sub = f.types[-1] if vtype == gguf.GGUFValueType.ARRAY else None
        val = f.contents()
        if f.name == "general.file_type":
            val = int(gguf.LlamaFileType.ALL_F32)
        w.add_key_value(f.name, val, vtype, sub_type=sub)
    for t in r.tensors:
        d = dequantize(t.data, t.tensor_type).astype(np.float32, copy=False)
        w.add_tensor(t.name, np.ascontiguousarray(d).reshape(tuple(int(x) for x in t.shape)[::-1]))
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()
