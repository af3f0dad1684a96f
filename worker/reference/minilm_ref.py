#!/usr/bin/env python3
"""Independent reference for the worker's all-MiniLM-L6-v2 embeddings.

Tokenises with Hugging Face `tokenizers` (its own BERT WordPiece, built from the same
vocab.txt) and runs the BERT forward pass in float64 numpy straight from
model.safetensors, sharing no code with the Rust worker. The output fixture
(worker/tests/fixtures/minilm_reference.json) holds, per sentence, the token ids and the
L2-normalised mean-pooled embedding; the Rust integration test compares against it.

Usage: python3 worker/reference/minilm_ref.py [MODELS_DIR] [OUT_JSON]
Needs: pip install numpy safetensors tokenizers
"""
import json
import math
import os
import sys

import numpy as np
from safetensors.numpy import load_file
from tokenizers import BertWordPieceTokenizer

HERE = os.path.dirname(os.path.abspath(__file__))
MODELS = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "..", "..", ".models")
OUT = sys.argv[2] if len(sys.argv) > 2 else os.path.join(HERE, "..", "tests", "fixtures", "minilm_reference.json")
MAX_TOKENS = 256  # sentence-transformers' max_seq_length for all-MiniLM-L6-v2
HEADS = 12
EPS = 1e-12

# Varied on purpose: casing, accents, punctuation, digits, CJK, emoji (unknown to the
# vocabulary), long words split into ## pieces, odd whitespace and control characters,
# and one text longer than MAX_TOKENS to exercise truncation.
SENTENCES = [
    "The quick brown fox jumps over the lazy dog.",
    "A man is playing a guitar.",
    "Verifiable inference lets validators re-run a job and compare the results.",
    "Café au lait, naïve résumé, and a piñata at the Zoë's fiancée party!",
    "I can't believe it's already 2024... isn't it?",
    "東京は日本の首都です。",
    "北京欢迎你 and hello world",
    "Emoji are unknown tokens: 🚀🔥 but words still work.",
    "Supercalifragilisticexpialidocious antidisestablishmentarianism",
    "   leading and trailing   whitespace\tand\ttabs\nand newlines   ",
    "UPPERCASE SENTENCES SHOULD BE LOWERCASED BY THE TOKENIZER",
    "Numbers like 3.14159, 1,000,000 and -42 are split on punctuation.",
    "e-mail: someone@example.com; url: https://example.org/path?q=1&r=2",
    "Ελληνικά γράμματα και русский текст тоже.",
    "A",
    "Substrate appchains settle disputes by slashing dishonest miners.",
    "The weather today is sunny with a chance of rain in the evening.",
    "Machine learning models can be quantized to integers for determinism.",
    "Control\u0000chars\u200bzero\ufffdwidth and soft\u00adhyphen",
    "Ångström, Øresund, straße, ĳssel, ﬁnance (ligature)",
    "Who is the president of the United States?",
    "What's your favourite programming language: Rust, Python or C++?",
    " ".join(["Long text repeats itself to go past the token limit."] * 30),
]


def gelu(x):
    return 0.5 * x * (1.0 + np.vectorize(math.erf)(x / math.sqrt(2.0)))


def layer_norm(x, w, b):
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + EPS) * w + b


def embed(weights, ids):
    w = {k: v.astype(np.float64) for k, v in weights.items() if v.dtype == np.float32}
    n = len(ids)
    x = (
        w["embeddings.word_embeddings.weight"][ids]
        + w["embeddings.position_embeddings.weight"][:n]
        + w["embeddings.token_type_embeddings.weight"][0]
    )
    x = layer_norm(x, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"])
    d = x.shape[1] // HEADS
    for i in range(6):
        p = f"encoder.layer.{i}."
        lin = lambda t, name: t @ w[p + name + ".weight"].T + w[p + name + ".bias"]
        q = lin(x, "attention.self.query").reshape(n, HEADS, d).transpose(1, 0, 2)
        k = lin(x, "attention.self.key").reshape(n, HEADS, d).transpose(1, 0, 2)
        v = lin(x, "attention.self.value").reshape(n, HEADS, d).transpose(1, 0, 2)
        s = q @ k.transpose(0, 2, 1) / math.sqrt(d)
        s = np.exp(s - s.max(-1, keepdims=True))
        s = s / s.sum(-1, keepdims=True)
        ctx = (s @ v).transpose(1, 0, 2).reshape(n, -1)
        x = layer_norm(lin(ctx, "attention.output.dense") + x,
                       w[p + "attention.output.LayerNorm.weight"], w[p + "attention.output.LayerNorm.bias"])
        h = gelu(lin(x, "intermediate.dense"))
        x = layer_norm(lin(h, "output.dense") + x, w[p + "output.LayerNorm.weight"], w[p + "output.LayerNorm.bias"])
    pooled = x.mean(0)  # one unpadded sequence: the attention-mask mean is the plain mean
    return pooled / np.linalg.norm(pooled)


def main():
    weights = load_file(os.path.join(MODELS, "model.safetensors"))
    tok = BertWordPieceTokenizer(os.path.join(MODELS, "vocab.txt"), lowercase=True)
    tok.enable_truncation(MAX_TOKENS)
    cases = []
    for s in SENTENCES:
        ids = tok.encode(s).ids
        e = embed(weights, np.array(ids))
        cases.append({"text": s, "ids": ids, "embedding": [float(f"{v:.7g}") for v in e]})
        print(f"{len(ids):4d} tokens  {s[:60]!r}", file=sys.stderr)
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w", encoding="utf-8") as f:
        json.dump({"model": "all-MiniLM-L6-v2", "max_tokens": MAX_TOKENS, "cases": cases}, f, ensure_ascii=False)
    print(f"wrote {len(cases)} reference embeddings to {OUT}", file=sys.stderr)


if __name__ == "__main__":
    main()
