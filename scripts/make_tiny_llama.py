#!/usr/bin/env python3
"""Writes a tiny, random, deterministic llama-architecture GGUF for the worker's tests.

Deliberately a different shape from SmolLM2-135M (so code that hard-codes SmolLM2's numbers
fails on it): 2 blocks, n_embd 64, FFN 128, 4 heads / 2 KV heads (head dim 16), RoPE base
10000 over the full head dim, RMSNorm eps 1e-6, context length 256. Its own byte-level
GPT-2-style BPE vocabulary: the 256 byte symbols (GPT-2's bytes_to_unicode, in byte order,
ids 0..255), then the tokens of BPE merges learnt here on a small English text, then the
control tokens <|endoftext|> (BOS), <|im_start|> and <|im_end|> (EOS) at the END of the
vocabulary (SmolLM2 has its specials at 0..2). Pre-tokenizer "smollm" (llama.cpp accepts
it for any gpt2 vocabulary: digits split one by one, then the GPT-2 regex), a ChatML chat
template without a default system prompt, add_bos_token false.

Weights are random (numpy seed fixed): token_embd Q8_0, attention/FFN matrices Q4_1, norms
F32, output tied to token_embd (no output.weight). The final norm's weights are ~3 so that
the logits are spread out (top-2 margins well above quantization noise).

Usage: python3 scripts/make_tiny_llama.py OUT.gguf
Needs: pip install numpy gguf
"""
import re
import sys
from collections import Counter

import numpy as np
import gguf
from gguf.quants import quantize

SEED = 20240601
N_LAYER, N_EMBD, N_FF, N_HEAD, N_HEAD_KV, N_CTX = 2, 64, 128, 4, 2, 256
HEAD_DIM = N_EMBD // N_HEAD
ROPE_BASE, RMS_EPS = 10000.0, 1e-6
N_MERGES = 200

CORPUS = """
The quick brown fox jumps over the lazy dog. The dog sleeps in the sun, and the fox runs
into the forest. Once upon a time there was a little girl who lived in a village near the
forest. Whenever she went out, the little girl wore a red riding cloak, so everyone in the
village called her Little Red Riding Hood. One morning her mother said: take this basket of
bread and butter to your grandmother, who is ill. Do not stop on the way and do not talk to
strangers. The girl said that she would be careful, and she went into the forest. There she
met a wolf, who asked her where she was going. She told him, and the wolf ran ahead to the
house of the grandmother. The weather today is sunny with a high of 21 degrees and a low of
12 degrees. Tomorrow there will be rain in the morning and clouds in the afternoon. In 1969
the first people walked on the moon. Numbers like 3.14159 and 2.71828 are important in
mathematics. A function returns a value; a loop repeats the same steps until a condition is
met. def main(): print("hello world") return 0. fn main() { println!("hello"); } It's a
nice day, isn't it? I'll be there at 10:30, don't worry. We're going to the market, they've
said they'd come too. What is the capital of France? The capital of France is Paris. What is
the capital of Germany? The capital of Germany is Berlin. Water boils at 100 degrees.
"""

TEMPLATE = (
    "{% for message in messages %}"
    "{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}"
    "{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}"
)


def bytes_to_unicode():
    """GPT-2's reversible byte -> printable unicode character map."""
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, map(chr, cs)))


# An ASCII approximation of the smollm pre-tokenizer, used only to learn the merges (any
# merge list is a valid BPE; llama.cpp applies it with its own pre-tokenizer).
PRETOK = re.compile(r"'s|'t|'re|'ve|'m|'ll|'d| ?[A-Za-z]+| ?[^\sA-Za-z0-9]+|\s+(?!\S)|\s+|[0-9]")


def learn_bpe(text, n_merges):
    b2u = bytes_to_unicode()
    words = Counter()
    for w in PRETOK.findall(text):
        words[tuple(b2u[b] for b in w.encode("utf-8"))] += 1
    merges = []
    for _ in range(n_merges):
        pairs = Counter()
        for w, c in words.items():
            for a, b in zip(w, w[1:]):
                pairs[(a, b)] += c
        if not pairs:
            break
        # Most frequent pair; ties broken by the pair's text, so the result is deterministic.
        best = min(pairs, key=lambda p: (-pairs[p], p))
        if pairs[best] < 2:
            break
        merges.append(best)
        new = Counter()
        for w, c in words.items():
            out, i = [], 0
            while i < len(w):
                if i + 1 < len(w) and (w[i], w[i + 1]) == best:
                    out.append(w[i] + w[i + 1])
                    i += 2
                else:
                    out.append(w[i])
                    i += 1
            new[tuple(out)] += c
        words = new
    return merges


def main():
    out = sys.argv[1]
    rng = np.random.default_rng(SEED)
    b2u = bytes_to_unicode()

    tokens = [b2u[b] for b in range(256)]
    types = [gguf.TokenType.NORMAL] * 256
    merges = learn_bpe(CORPUS, N_MERGES)
    seen = set(tokens)
    for a, b in merges:
        if a + b not in seen:
            seen.add(a + b)
            tokens.append(a + b)
            types.append(gguf.TokenType.NORMAL)
    specials = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]
    first_special = len(tokens)
    tokens += specials
    types += [gguf.TokenType.CONTROL] * len(specials)
    bos, eos = first_special, first_special + 2
    n_vocab = len(tokens)

    w = gguf.GGUFWriter(out, "llama")
    w.add_name("verinfer tiny llama (random weights)")
    w.add_context_length(N_CTX)
    w.add_embedding_length(N_EMBD)
    w.add_block_count(N_LAYER)
    w.add_feed_forward_length(N_FF)
    w.add_head_count(N_HEAD)
    w.add_head_count_kv(N_HEAD_KV)
    w.add_rope_dimension_count(HEAD_DIM)
    w.add_rope_freq_base(ROPE_BASE)
    w.add_layer_norm_rms_eps(RMS_EPS)
    w.add_vocab_size(n_vocab)
    w.add_file_type(gguf.LlamaFileType.MOSTLY_Q4_1)
    w.add_tokenizer_model("gpt2")
    w.add_tokenizer_pre("smollm")
    w.add_token_list(tokens)
    w.add_token_types(types)
    w.add_token_merges([f"{a} {b}" for a, b in merges])
    w.add_bos_token_id(bos)
    w.add_eos_token_id(eos)
    w.add_pad_token_id(bos)
    w.add_add_bos_token(False)
    w.add_add_space_prefix(False)
    w.add_chat_template(TEMPLATE)

    def mat(n_out, n_in, std):  # numpy [n_out, n_in] == GGUF ne [n_in, n_out]
        return (rng.standard_normal((n_out, n_in)) * std).astype(np.float32)

    def q(name, a, qtype):
        w.add_tensor(name, quantize(a, qtype), raw_dtype=qtype)

    Q41, Q80 = gguf.GGMLQuantizationType.Q4_1, gguf.GGMLQuantizationType.Q8_0
    q("token_embd.weight", mat(n_vocab, N_EMBD, 0.1), Q80)
    for i in range(N_LAYER):
        norm = lambda: (1.0 + 0.1 * rng.standard_normal(N_EMBD)).astype(np.float32)  # noqa: E731
        w.add_tensor(f"blk.{i}.attn_norm.weight", norm())
        q(f"blk.{i}.attn_q.weight", mat(N_HEAD * HEAD_DIM, N_EMBD, 0.1), Q41)
        q(f"blk.{i}.attn_k.weight", mat(N_HEAD_KV * HEAD_DIM, N_EMBD, 0.1), Q41)
        q(f"blk.{i}.attn_v.weight", mat(N_HEAD_KV * HEAD_DIM, N_EMBD, 0.1), Q41)
        q(f"blk.{i}.attn_output.weight", mat(N_EMBD, N_HEAD * HEAD_DIM, 0.1), Q41)
        w.add_tensor(f"blk.{i}.ffn_norm.weight", norm())
        q(f"blk.{i}.ffn_gate.weight", mat(N_FF, N_EMBD, 0.1), Q41)
        q(f"blk.{i}.ffn_up.weight", mat(N_FF, N_EMBD, 0.1), Q41)
        q(f"blk.{i}.ffn_down.weight", mat(N_EMBD, N_FF, 0.1), Q41)
    w.add_tensor("output_norm.weight", (3.0 + 0.3 * rng.standard_normal(N_EMBD)).astype(np.float32))

    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()
    print(f"wrote {out}: {n_vocab} tokens ({len(merges)} merges), bos {bos}, eos {eos}")


if __name__ == "__main__":
    main()
