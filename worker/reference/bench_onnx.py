#!/usr/bin/env python3
"""Reference speed: the same models, from the same weights, as ONNX graphs built with the
`onnx` helper API, timed with onnxruntime on the CPU, on the same inputs and batch sizes
as worker/benches/inference.rs. Also checks that the graphs are right: digits accuracy on
all 1,797 images and MiniLM cosine against the committed numpy fixture.

Usage: python3 worker/reference/bench_onnx.py [--json OUT]    Needs: numpy onnx onnxruntime safetensors tokenizers
"""
import argparse
import json
import math
import os
import sys
import time

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper, numpy_helper
from safetensors.numpy import load_file
from tokenizers import BertWordPieceTokenizer

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from weights import MODELS, bench_sentences, load_digits, load_pth  # noqa: E402

BATCHES = [1, 8, 64]
OPSET = 17


class Graph:
    """A small builder: node() returns the output name, init() adds a constant."""

    def __init__(self):
        self.nodes, self.inits, self.n = [], [], 0

    def init(self, name, array):
        self.inits.append(numpy_helper.from_array(np.asarray(array), name))
        return name

    def node(self, op, inputs, **attrs):
        self.n += 1
        out = f"{op.lower()}_{self.n}"
        self.nodes.append(helper.make_node(op, inputs, [out], **attrs))
        return out

    def model(self, inputs, output, out_shape):
        self.nodes[-1].output[0] = output
        g = helper.make_graph(self.nodes, "g", inputs, [helper.make_tensor_value_info(output, TensorProto.FLOAT, out_shape)], self.inits)
        # IR version 8 (ONNX 1.10+) so that older onnxruntime releases load the graph too.
        m = helper.make_model(g, opset_imports=[helper.make_opsetid("", OPSET)], ir_version=8)
        onnx.checker.check_model(m)
        return m


def digits_graph():
    sd = load_pth()
    g = Graph()
    x = "image"
    for i in (0, 3, 6):
        w = g.init(f"c{i}w", sd[f"conv_layers.{i}.weight"])
        b = g.init(f"c{i}b", sd[f"conv_layers.{i}.bias"])
        x = g.node("Conv", [x, w, b], kernel_shape=[3, 3], pads=[1, 1, 1, 1])
        x = g.node("Relu", [x])
        x = g.node("MaxPool", [x], kernel_shape=[2, 2], strides=[2, 2])
    x = g.node("Flatten", [x], axis=1)
    x = g.node("Gemm", [x, g.init("f0w", sd["fc_layers.0.weight"]), g.init("f0b", sd["fc_layers.0.bias"])], transB=1)
    x = g.node("Relu", [x])
    g.node("Gemm", [x, g.init("f2w", sd["fc_layers.2.weight"]), g.init("f2b", sd["fc_layers.2.bias"])], transB=1)
    inp = helper.make_tensor_value_info("image", TensorProto.FLOAT, ["n", 1, 28, 28])
    return g.model([inp], "logits", ["n", 10])


def minilm_graph():
    w = load_file(os.path.join(MODELS, "model.safetensors"))
    g = Graph()
    heads, hidden = 12, 384
    d = hidden // heads

    def linear(x, name):
        mm = g.node("MatMul", [x, g.init(name + ".wT", np.ascontiguousarray(w[name + ".weight"].T))])
        return g.node("Add", [mm, g.init(name + ".b", w[name + ".bias"])])

    def norm(x, name):
        return g.node("LayerNormalization", [x, g.init(name + ".g", w[name + ".weight"]), g.init(name + ".b", w[name + ".bias"])], axis=-1, epsilon=1e-12)

    emb = g.node("Gather", [g.init("wemb", w["embeddings.word_embeddings.weight"]), "input_ids"])
    pos = g.node("Gather", [g.init("pemb", w["embeddings.position_embeddings.weight"]), "position_ids"])
    x = g.node("Add", [g.node("Add", [emb, pos]), g.init("temb", w["embeddings.token_type_embeddings.weight"][0])])
    x = norm(x, "embeddings.LayerNorm")
    maskf = g.node("Cast", ["attention_mask"], to=TensorProto.FLOAT)
    # (mask - 1) * 1e4: 0 for real tokens, -1e4 for padding, shaped [b, 1, 1, s].
    bias = g.node("Mul", [g.node("Sub", [maskf, g.init("one", np.float32(1))]), g.init("big", np.float32(1e4))])
    bias = g.node("Unsqueeze", [bias, g.init("ax12", np.array([1, 2], np.int64))])
    split = g.init("split_shape", np.array([0, 0, heads, d], np.int64))
    merge = g.init("merge_shape", np.array([0, 0, hidden], np.int64))
    scale = g.init("scale", np.float32(1 / math.sqrt(d)))
    for i in range(6):
        p = f"encoder.layer.{i}."
        q = g.node("Transpose", [g.node("Reshape", [linear(x, p + "attention.self.query"), split])], perm=[0, 2, 1, 3])
        k = g.node("Transpose", [g.node("Reshape", [linear(x, p + "attention.self.key"), split])], perm=[0, 2, 3, 1])
        v = g.node("Transpose", [g.node("Reshape", [linear(x, p + "attention.self.value"), split])], perm=[0, 2, 1, 3])
        s = g.node("Add", [g.node("Mul", [g.node("MatMul", [q, k]), scale]), bias])
        ctx = g.node("MatMul", [g.node("Softmax", [s], axis=-1), v])
        ctx = g.node("Reshape", [g.node("Transpose", [ctx], perm=[0, 2, 1, 3]), merge])
        x = norm(g.node("Add", [linear(ctx, p + "attention.output.dense"), x]), p + "attention.output.LayerNorm")
        h = linear(x, p + "intermediate.dense")
        # Exact GELU: 0.5·h·(1 + erf(h/√2)); opset 17 has no Gelu op.
        erf = g.node("Erf", [g.node("Mul", [h, g.init(f"isqrt2_{i}", np.float32(1 / math.sqrt(2)))])])
        h = g.node("Mul", [g.node("Mul", [h, g.node("Add", [erf, g.init(f"one_{i}", np.float32(1))])]), g.init(f"half_{i}", np.float32(0.5))])
        x = norm(g.node("Add", [linear(h, p + "output.dense"), x]), p + "output.LayerNorm")
    m3 = g.node("Unsqueeze", [maskf, g.init("ax2", np.array([2], np.int64))])
    axis1 = g.init("ax1", np.array([1], np.int64))
    summed = g.node("ReduceSum", [g.node("Mul", [x, m3]), axis1], keepdims=0)
    mean = g.node("Div", [summed, g.node("ReduceSum", [m3, axis1], keepdims=0)])
    g.node("Div", [mean, g.node("ReduceL2", [mean], axes=[1], keepdims=1)])
    inputs = [helper.make_tensor_value_info(n, TensorProto.INT64, ["b", "s"]) for n in ("input_ids", "position_ids", "attention_mask")]
    return g.model(inputs, "embedding", ["b", hidden])


def session(model):
    opts = ort.SessionOptions()
    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    return ort.InferenceSession(model.SerializeToString(), opts, providers=["CPUExecutionProvider"])


def minilm_feed(cases):
    s = max(len(ids) for _, ids, _ in cases)
    ids = np.zeros((len(cases), s), np.int64)
    mask = np.zeros_like(ids)
    for i, (_, t, _) in enumerate(cases):
        ids[i, : len(t)] = t
        mask[i, : len(t)] = 1
    pos = np.broadcast_to(np.arange(s, dtype=np.int64), ids.shape).copy()
    return {"input_ids": ids, "position_ids": pos, "attention_mask": mask}


def timeit(fn, min_seconds=3.0, min_iters=10):
    fn()  # warm-up
    times = []
    start = time.perf_counter()
    while len(times) < min_iters or time.perf_counter() - start < min_seconds:
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return float(np.mean(times))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--json", help="write the timings (seconds per batch) here")
    args = ap.parse_args()
    results = {"onnxruntime": ort.__version__, "threads": os.cpu_count(), "seconds_per_batch": {}}

    digits = session(digits_graph())
    x, y = load_digits()
    pred = np.concatenate([digits.run(None, {"image": x[i:i + 256]})[0].argmax(1) for i in range(0, len(x), 256)])
    print(f"onnx digits float accuracy: {100 * (pred == y).mean():.2f} % on {len(y)} images", file=sys.stderr)
    for b in BATCHES:
        feed = {"image": x[:b]}
        results["seconds_per_batch"][f"digits_float/batch/{b}"] = timeit(lambda: digits.run(None, feed))

    minilm = session(minilm_graph())
    cases = bench_sentences()
    tok = BertWordPieceTokenizer(os.path.join(MODELS, "vocab.txt"), lowercase=True)
    tok.enable_truncation(256)
    got = minilm.run(None, minilm_feed(cases))[0]
    cos = min(float(np.dot(g, np.array(e)) / np.linalg.norm(g) / np.linalg.norm(e)) for g, (_, _, e) in zip(got, cases))
    print(f"onnx MiniLM vs numpy fixture: min cosine {cos:.7f} over {len(cases)} sentences", file=sys.stderr)
    assert cos > 0.9999, "the ONNX MiniLM graph is wrong"
    for b in BATCHES:
        # The burn bench tokenizes inside its timed loop, so this one does too (HF
        # `tokenizers`, which gives the fixture's ids).
        texts = [cases[i % len(cases)][0] for i in range(b)]

        def run():
            enc = tok.encode_batch(texts)
            return minilm.run(None, minilm_feed([(None, e.ids, None) for e in enc]))

        results["seconds_per_batch"][f"minilm/batch/{b}"] = timeit(run)

    for k, v in results["seconds_per_batch"].items():
        print(f"{k:24s} {v * 1e3:9.3f} ms/batch", file=sys.stderr)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=1)


if __name__ == "__main__":
    main()
