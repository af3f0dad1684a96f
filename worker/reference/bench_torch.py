#!/usr/bin/env python3
"""Times all-MiniLM-L6-v2 in PyTorch on the GPU, on the same sentences and batch sizes as
`verinfer-worker time-minilm` (scripts/gpu-divergence.sh runs both). The model is built
from model.safetensors with plain torch ops (no transformers package), in float32 with
TF32 off, so it does the same arithmetic as burn-cuda.

Usage: python3 worker/reference/bench_torch.py --sentences FILE [--json OUT] [--device cuda]
Needs: torch (with CUDA), safetensors, tokenizers.
"""
import argparse
import json
import math
import os
import sys
import time

import torch
from safetensors.torch import load_file
from tokenizers import BertWordPieceTokenizer

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from weights import MODELS  # noqa: E402

HEADS, LAYERS, EPS, MAX_TOKENS = 12, 6, 1e-12, 256


class MiniLm:
    def __init__(self, device):
        self.w = {k: v.to(device) for k, v in load_file(os.path.join(MODELS, "model.safetensors")).items()}
        self.device = device

    def lin(self, x, name):
        return torch.nn.functional.linear(x, self.w[name + ".weight"], self.w[name + ".bias"])

    def norm(self, x, name):
        return torch.nn.functional.layer_norm(x, x.shape[-1:], self.w[name + ".weight"], self.w[name + ".bias"], EPS)

    @torch.inference_mode()
    def __call__(self, ids, mask):
        w, (b, s) = self.w, ids.shape
        x = w["embeddings.word_embeddings.weight"][ids] + w["embeddings.position_embeddings.weight"][:s] + w["embeddings.token_type_embeddings.weight"][0]
        x = self.norm(x, "embeddings.LayerNorm")
        d = x.shape[-1] // HEADS
        bias = ((mask[:, None, None, :] == 0).float() * torch.finfo(torch.float32).min)
        for i in range(LAYERS):
            p = f"encoder.layer.{i}."
            split = lambda t: t.view(b, s, HEADS, d).transpose(1, 2)
            q, k, v = (split(self.lin(x, p + "attention.self." + n)) for n in ("query", "key", "value"))
            ctx = torch.nn.functional.scaled_dot_product_attention(q, k, v, attn_mask=bias)
            ctx = ctx.transpose(1, 2).reshape(b, s, -1)
            x = self.norm(self.lin(ctx, p + "attention.output.dense") + x, p + "attention.output.LayerNorm")
            h = torch.nn.functional.gelu(self.lin(x, p + "intermediate.dense"))
            x = self.norm(self.lin(h, p + "output.dense") + x, p + "output.LayerNorm")
        m = mask[:, :, None].float()
        pooled = (x * m).sum(1) / m.sum(1)
        return torch.nn.functional.normalize(pooled, dim=1)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sentences", required=True)
    ap.add_argument("--json")
    ap.add_argument("--device", default="cuda")
    ap.add_argument("--batches", default="1,8,64")
    ap.add_argument("--seconds", type=float, default=3.0)
    args = ap.parse_args()
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    sentences = [l for l in open(args.sentences, encoding="utf-8").read().splitlines() if l.strip()]
    tok = BertWordPieceTokenizer(os.path.join(MODELS, "vocab.txt"), lowercase=True)
    tok.enable_truncation(MAX_TOKENS)
    tok.enable_padding()
    model = MiniLm(args.device)
    sync = torch.cuda.synchronize if args.device.startswith("cuda") else (lambda: None)

    def run(texts):
        enc = tok.encode_batch(texts)
        ids = torch.tensor([e.ids for e in enc], device=args.device)
        mask = torch.tensor([e.attention_mask for e in enc], device=args.device)
        # Copy back to the host, as the burn side does.
        return model(ids, mask).cpu()

    out = {}
    for b in map(int, args.batches.split(",")):
        texts = [sentences[i % len(sentences)] for i in range(b)]
        run(texts)
        sync()
        calls, start = 0, time.perf_counter()
        while calls < 5 or time.perf_counter() - start < args.seconds:
            run(texts)
            calls += 1
        sync()
        out[f"minilm/batch/{b}"] = (time.perf_counter() - start) / calls
        print(f"minilm/batch/{b}: {out[f'minilm/batch/{b}'] * 1e3:.3f} ms", file=sys.stderr)
    if args.json:
        json.dump(out, open(args.json, "w"))


if __name__ == "__main__":
    main()
