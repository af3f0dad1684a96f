#!/usr/bin/env python3
"""Writes the worker's LLM reference fixtures from llama.cpp and a numpy float reference.

llama.cpp is driven through the ctypes bindings of the llama-cpp-python sdist (PYTHONPATH
holds the sdist, LLAMA_CPP_LIB_PATH the folder with the libllama.so built from its vendored
llama.cpp); the numpy reference is scripts/llama_numpy.py. scripts/llm-reference.sh sets all
of that up; run that instead of this file.

Outputs (in --out): smollm2_tokenizer.json, smollm2_chat.json, smollm2_greedy.json and, with
--tiny, tiny_llama_reference.json. Conventions used throughout:
- Tokenization: llama_tokenize(add_special=false, parse_special=true): no BOS is added (the
  GGUFs say tokenizer.ggml.add_bos_token = false anyway) and control tokens written in the
  text (<|im_start|>, ...) become their ids. Detokenization: llama_detokenize(
  remove_special=false, unparse_special=true), so control tokens come back as their text.
- Chat prompts: the GGUF's tokenizer.chat_template rendered with jinja2 (as HF transformers
  does: sandboxed, trim_blocks, lstrip_blocks, add_generation_prompt=true), then tokenized as
  above.
- Greedy decoding: argmax of the logits (the lowest id wins a tie), 40 steps, stopping early
  only after emitting tokenizer.ggml.eos_token_id. Step s's logits are those after the
  prompt and the first s generated tokens. "margin" = best logit - second-best logit.
- Logits are rounded to 5 decimals; top5 lists are [id, logit] pairs, best first.
"""
import argparse
import ctypes
import json
import os
import sys
import tempfile
import time

import jinja2
import jinja2.sandbox
import numpy as np
from gguf import GGUFReader

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from llama_numpy import LlamaNumpy, write_f32_twin  # noqa: E402

import llama_cpp as L  # noqa: E402  (the sdist's bindings, see the module docstring)

STEPS = 40
TINY_STEPS = 24


@ctypes.CFUNCTYPE(None, ctypes.c_int, ctypes.c_char_p, ctypes.c_void_p)
def _quiet_log(level, text, user_data):
    pass


def log(msg):
    print(f"  {msg}", file=sys.stderr, flush=True)


def r5(x):
    return round(float(x), 5)


def top5(logits):
    ids = np.argsort(-logits, kind="stable")[:5]
    return [[int(i), r5(logits[i])] for i in ids]


def margin(logits):
    a, b = np.partition(logits, -2)[-2:]
    return r5(max(a, b) - min(a, b))


class LlamaCpp:
    def __init__(self, path, n_ctx=512, threads=2, f32_kv=False):
        L.llama_log_set(_quiet_log, None)
        L.llama_backend_init()
        self.model = L.llama_model_load_from_file(path.encode(), L.llama_model_default_params())
        if not self.model:
            raise RuntimeError(f"llama.cpp could not load {path}")
        self.vocab = L.llama_model_get_vocab(self.model)
        self.n_vocab = L.llama_vocab_n_tokens(self.vocab)
        cp = L.llama_context_default_params()
        cp.n_ctx = n_ctx
        cp.n_batch = n_ctx
        cp.n_ubatch = n_ctx
        cp.n_threads = threads
        cp.n_threads_batch = threads
        if f32_kv:  # exactness check: no F16 KV cache, plain attention
            cp.type_k = cp.type_v = L.GGML_TYPE_F32
            cp.flash_attn_type = L.LLAMA_FLASH_ATTN_TYPE_DISABLED
        self.ctx = L.llama_init_from_model(self.model, cp)
        if not self.ctx:
            raise RuntimeError("llama_init_from_model failed")

    def close(self):
        L.llama_free(self.ctx)
        L.llama_model_free(self.model)

    def tokenize(self, text, add_special=False, parse_special=True):
        b = text.encode("utf-8")
        buf = (L.llama_token * (len(b) + 16))()
        n = L.llama_tokenize(self.vocab, b, len(b), buf, len(buf), add_special, parse_special)
        if n < 0:
            raise RuntimeError(f"llama_tokenize needs {-n} tokens")
        return [int(t) for t in buf[:n]]

    def detokenize(self, ids, errors="strict"):
        arr = (L.llama_token * max(1, len(ids)))(*ids)
        size = 64 + 64 * len(ids)
        buf = ctypes.create_string_buffer(size)
        n = L.llama_detokenize(self.vocab, arr, len(ids), buf, size, False, True)
        if n < 0:
            raise RuntimeError("llama_detokenize buffer too small")
        return buf.raw[:n].decode("utf-8", errors)

    def token_text(self, tid):
        return L.llama_vocab_get_text(self.vocab, tid).decode("utf-8")

    def chat_template(self):
        t = L.llama_model_chat_template(self.model, None)
        return t.decode("utf-8") if t else None

    def apply_template(self, messages, add_ass=True):
        tmpl = self.chat_template().encode("utf-8")
        keep = [(m["role"].encode("utf-8"), m["content"].encode("utf-8")) for m in messages]
        chat = (L.llama_chat_message * len(keep))()
        for i, (r, c) in enumerate(keep):
            chat[i].role, chat[i].content = r, c
        size = 4096
        buf = ctypes.create_string_buffer(size)
        n = L.llama_chat_apply_template(tmpl, chat, len(keep), add_ass, buf, size)
        if n < 0:
            return None
        return buf.raw[:n].decode("utf-8")

    def _decode(self, ids):
        arr = (L.llama_token * len(ids))(*ids)
        if L.llama_decode(self.ctx, L.llama_batch_get_one(arr, len(ids))) != 0:
            raise RuntimeError("llama_decode failed")
        return np.ctypeslib.as_array(L.llama_get_logits_ith(self.ctx, -1), shape=(self.n_vocab,)).copy()

    def greedy(self, prompt_ids, steps, stop_ids):
        """Returns (generated ids, the logits before each of them)."""
        L.llama_memory_clear(L.llama_get_memory(self.ctx), True)
        logits = self._decode(prompt_ids)
        ids, all_logits = [], []
        for s in range(steps):
            t = int(np.argmax(logits))
            ids.append(t)
            all_logits.append(logits)
            if t in stop_ids or s == steps - 1:
                break
            logits = self._decode([t])
        return ids, all_logits


def numpy_greedy(net, prompt_ids, steps, stop_ids):
    cache = net.new_cache(len(prompt_ids) + steps + 1)
    logits = net.forward(prompt_ids, cache)
    ids, all_logits = [], []
    for s in range(steps):
        t = int(np.argmax(logits))
        ids.append(t)
        all_logits.append(logits)
        if t in stop_ids or s == steps - 1:
            break
        logits = net.forward([t], cache)
    return ids, all_logits


def numpy_teacher_forced(net, prompt_ids, gen_ids):
    """Logits before each of gen_ids when the model is fed prompt + gen_ids (one pass)."""
    seq = list(prompt_ids) + list(gen_ids[:-1])
    cache = net.new_cache(len(seq))
    logits = net.forward(seq, cache, all_logits=True)
    return list(logits[len(prompt_ids) - 1:])


def render_template(template, messages, add_generation_prompt=True, bos="", eos=""):
    # As HF transformers renders chat templates.
    env = jinja2.sandbox.ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True)
    return env.from_string(template).render(
        messages=messages, add_generation_prompt=add_generation_prompt, bos_token=bos, eos_token=eos)


def gguf_meta(path):
    r = GGUFReader(path)
    get = lambda k: r.fields[k].contents() if k in r.fields else None  # noqa: E731
    toks = get("tokenizer.ggml.tokens")
    types = get("tokenizer.ggml.token_type")
    return {
        "tokenizer.ggml.model": get("tokenizer.ggml.model"),
        "tokenizer.ggml.pre": get("tokenizer.ggml.pre"),
        "token_count": len(toks),
        "merge_count": len(get("tokenizer.ggml.merges") or []),
        "tokenizer.ggml.bos_token_id": get("tokenizer.ggml.bos_token_id"),
        "tokenizer.ggml.eos_token_id": get("tokenizer.ggml.eos_token_id"),
        "tokenizer.ggml.padding_token_id": get("tokenizer.ggml.padding_token_id"),
        "tokenizer.ggml.unknown_token_id": get("tokenizer.ggml.unknown_token_id"),
        "tokenizer.ggml.add_bos_token": get("tokenizer.ggml.add_bos_token"),
        "tokenizer.ggml.add_space_prefix": get("tokenizer.ggml.add_space_prefix"),
        "control_tokens": {str(i): toks[i] for i in range(len(toks)) if types[i] == 3},
        "non_normal_token_types": {str(i): int(types[i]) for i in range(len(toks)) if types[i] not in (1, 3)},
        "tokenizer.chat_template": get("tokenizer.chat_template"),
    }


def llama_cpp_vocab_view(lc, meta):
    ids = [int(k) for k in meta["control_tokens"]]
    return {
        "n_tokens": lc.n_vocab,
        "bos": L.llama_vocab_bos(lc.vocab), "eos": L.llama_vocab_eos(lc.vocab),
        "eot": L.llama_vocab_eot(lc.vocab), "pad": L.llama_vocab_pad(lc.vocab),
        "add_bos": bool(L.llama_vocab_get_add_bos(lc.vocab)),
        "end_of_generation_ids": [i for i in range(lc.n_vocab) if L.llama_vocab_is_eog(lc.vocab, i)],
        "control_ids": [i for i in ids if L.llama_vocab_is_control(lc.vocab, i)],
    }


# The smollm pre-tokenizer of llama.cpp (src/llama-vocab.cpp, LLAMA_VOCAB_PRE_TYPE_SMOLLM):
# the text is first split into single digits, then each piece by the GPT-2 regex.
SMOLLM_REGEX = [
    "\\p{N}",
    "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)",
]



def check_smollm_regex():
    """Fails if the vendored llama.cpp's smollm regex is not the one recorded above."""
    src = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(L.__file__))),
                       "vendor", "llama.cpp", "src", "llama-vocab.cpp")
    text = open(src, encoding="utf-8").read()
    block = text[text.index("case LLAMA_VOCAB_PRE_TYPE_SMOLLM:"):]
    block = block[:block.index("};")]
    for r in SMOLLM_REGEX:
        if json.dumps(r) not in block:
            raise AssertionError(f"{src}: smollm regex {r!r} not found")


TOKENIZER_CASES = [
    "Hello, world!",
    "The quick brown fox jumps over the lazy dog.",
    "hello HELLO Hello hElLo",
    "café naïve résumé Ærø façade",
    "Straße, Œuvre, ñandú, Ångström",
    "I love pizza 🍕 and 🚀!",
    "family: 👨‍👩‍👧‍👦 and flags 🇫🇷🇯🇵 and 👍🏽",
    "你好，世界！这是一个测试。",
    "日本語のテキストとカタカナ",
    "한국어 문장입니다",
    "مرحبا بالعالم",
    "שלום עולם",
    "Привет, мир!",
    "1234567",
    "3.14159 and 2.71828",
    "1,000,000 dollars",
    "2024-06-01 12:30:45",
    "fn main() {\n    let x: u32 = 42;\n    println!(\"{}\", x);\n}\n",
    "def add(a, b):\n    \"\"\"Add two numbers.\"\"\"\n    return a + b\n",
    "if x:\n\tif y:\n\t\treturn 1",
    "two  spaces   three    four",
    "tab\tseparated\tvalues",
    "line one\nline two\r\nline three",
    "\n\n\n",
    "   leading spaces",
    "trailing spaces   ",
    " ",
    "",
    "<|im_start|>user\nHi there<|im_end|>\n<|im_start|>assistant\n",
    "text<|endoftext|>more text",
    "not special: <|im_start or |im_end|>",
    "Wait... what?!?! (really) [yes] {no} -- ok;;",
    "https://example.com/path?query=1&x=y#frag",
    "user@example.org",
    "don't I'll we're they've she'd it's",
    "DON'T I'LL",
    "CamelCaseIdentifier snake_case_name kebab-case",
    "$100.50 + 20% = ???",
    "a\u00a0b\u200bc",
    "«quoted» “smart” ‘single’",
    "x² + y² = z²; ∑∫√∞≠≤",
    "    indented with four spaces",
]

TINY_TOKENIZER_CASES = [
    "The quick brown fox",
    "the forest and the village",
    "Hello, world! 1234",
    "café 🍕",
    "  two  spaces\n\nnew lines\t",
    "<|im_start|>user\nhi<|im_end|>\n",
    "don't I'll",
    "fn main() { println!(\"hi\"); }",
    "",
    "unseenwordsxyz QQQ",
]

RAW_PROMPTS = [
    ("capital", "The capital of France is"),
    ("boiling", "Water boils at a temperature of"),
    ("python_fib", "def fibonacci(n):\n"),
    ("rust_vec", "fn main() {\n    let v = vec![1, 2, 3];\n"),
    ("list_colors", "A list of the three primary colors:\n1."),
    ("arith", "12 + 7 ="),
    ("story", "Once upon a time, in a small village,"),
    ("physics", "The first law of thermodynamics states that"),
    ("french", "Le chat est assis sur"),
    ("numpy_code", "import numpy as np\n\n# compute the mean of an array\n"),
    ("qa_planet", "Q: What is the largest planet in the solar system?\nA:"),
    ("weekdays", "The days of the week are Monday, Tuesday,"),
]

CHAT_PROMPTS = [
    ("chat_japan", [{"role": "user", "content": "What is the capital of Japan?"}]),
    ("chat_reverse", [{"role": "user", "content": "Write a Python function that reverses a string."}]),
    ("chat_fruits", [{"role": "user", "content": "List three fruits that are red."}]),
    ("chat_math", [{"role": "user", "content": "What is 15 times 4?"}]),
    ("chat_dragon", [{"role": "user", "content": "Tell me a short story about a dragon."}]),
    ("chat_photosynthesis", [{"role": "user", "content": "Explain photosynthesis in one sentence."}]),
    ("chat_pirate", [{"role": "system", "content": "You are a pirate. Always talk like a pirate."},
                     {"role": "user", "content": "Say hello to my friend."}]),
    ("chat_translate", [{"role": "user", "content": "Translate 'good morning' into Spanish."}]),
    ("chat_spanish", [{"role": "user", "content": "¿Cuál es la capital de España?"}]),
    ("chat_multiturn", [{"role": "user", "content": "Hi!"},
                        {"role": "assistant", "content": "Hello! How can I help you today?"},
                        {"role": "user", "content": "What is the boiling point of water?"}]),
    ("chat_haiku", [{"role": "user", "content": "Write a haiku about the sea."}]),
    ("chat_rust", [{"role": "user", "content": "Give me a Rust program that prints hello world."}]),
]

CHAT_FIXTURE_CASES = [
    ("user_only_default_system", [{"role": "user", "content": "What is the capital of France?"}]),
    ("custom_system", [{"role": "system", "content": "You are a terse assistant."},
                       {"role": "user", "content": "Name a prime number."}]),
    ("multi_turn", [{"role": "user", "content": "Hi!"},
                    {"role": "assistant", "content": "Hello! How can I help?"},
                    {"role": "user", "content": "Tell me a joke.\nMake it short."}]),
    ("multi_turn_with_system", [{"role": "system", "content": "Answer in French."},
                                {"role": "user", "content": "Good morning"},
                                {"role": "assistant", "content": "Bonjour"},
                                {"role": "user", "content": "Thank you"}]),
]

TINY_RAW_PROMPTS = [
    ("fox", "The quick brown fox"),
    ("forest", "Once upon a time there was"),
    ("digits", "In 1969 the first"),
    ("code", "def main():"),
]
TINY_CHAT_PROMPTS = [
    # (this one emits EOS at the first step: a test of the early stop)
    ("chat_capital", [{"role": "user", "content": "What is the capital of France?"}]),
    ("chat_multiturn", [{"role": "user", "content": "Hello"},
                        {"role": "assistant", "content": "The fox runs into the forest."},
                        {"role": "user", "content": "And the dog?"}]),
    ("chat_system", [{"role": "system", "content": "You are a wolf."},
                     {"role": "user", "content": "Where is the grandmother?"}]),
]


def tokenizer_cases(lc, texts):
    out = []
    for text in texts:
        ids = lc.tokenize(text)
        out.append({"text": text, "ids": ids, "detokenized": lc.detokenize(ids)})
    return out


def run_greedy_case(lc, net, name, prompt_ids, steps, stop_ids):
    t0 = time.time()
    lc_ids, lc_logits = lc.greedy(prompt_ids, steps, stop_ids)
    np_ids, np_logits = numpy_greedy(net, prompt_ids, steps, stop_ids)
    tf_logits = numpy_teacher_forced(net, prompt_ids, lc_ids)
    div = next((i for i, (a, b) in enumerate(zip(lc_ids, np_ids)) if a != b), None)
    if div is None and len(lc_ids) != len(np_ids):
        div = min(len(lc_ids), len(np_ids))
    top_diff, all_diff = 0.0, 0.0
    for a, b in zip(lc_logits, tf_logits):
        ids = np.union1d(np.argsort(-a)[:5], np.argsort(-b)[:5])
        top_diff = max(top_diff, float(np.abs(a[ids] - b[ids]).max()))
        all_diff = max(all_diff, float(np.abs(a - b).max()))
    case = {
        "name": name,
        "prompt_ids": prompt_ids,
        "llama_cpp": {
            "ids": lc_ids, "text": lc.detokenize(lc_ids, "replace"),
            "margins": [margin(x) for x in lc_logits], "top5": [top5(x) for x in lc_logits],
        },
        "numpy": {
            "ids": np_ids, "text": lc.detokenize(np_ids, "replace"),
            "margins": [margin(x) for x in np_logits], "top5": [top5(x) for x in np_logits],
        },
        "numpy_teacher_forced": {
            "top5": [top5(x) for x in tf_logits],
            # numpy's logits at llama.cpp's top-5 ids of the same step (same order)
            "at_llama_cpp_top5": [[r5(b[i]) for i in np.argsort(-a, kind="stable")[:5]]
                                  for a, b in zip(lc_logits, tf_logits)],
            "margins": [margin(x) for x in tf_logits],
        },
        "agree": div is None,
        "first_divergence": None if div is None else {
            "step": div,
            "llama_cpp_margin": margin(lc_logits[div]) if div < len(lc_logits) else None,
            "numpy_margin": margin(np_logits[div]) if div < len(np_logits) else None,
        },
        "max_abs_diff_top5_teacher_forced": r5(top_diff),
        "max_abs_diff_all_logits_teacher_forced": r5(all_diff),
    }
    status = "agree" if div is None else f"diverge at {div} (llama.cpp margin {case['first_divergence']['llama_cpp_margin']})"
    log(f"{name}: {len(prompt_ids)} prompt tokens, {len(lc_ids)} steps, {status}, "
        f"top-5 max diff {top_diff:.4f} ({time.time() - t0:.1f}s)")
    return case, tf_logits


def greedy_cases(lc, net, meta, raw, chat, steps):
    stop_ids = [meta["tokenizer.ggml.eos_token_id"]]
    template = meta["tokenizer.chat_template"]
    add_bos = bool(meta["tokenizer.ggml.add_bos_token"])
    bos = meta["tokenizer.ggml.bos_token_id"]
    cases, teacher_forced = [], []
    for name, text in raw:
        ids = ([bos] if add_bos else []) + lc.tokenize(text)
        c, tf = run_greedy_case(lc, net, name, ids, steps, stop_ids)
        cases.append({"kind": "raw", "prompt": text, **c})
        teacher_forced.append(tf)
    for name, messages in chat:
        text = render_template(template, messages)
        ids = ([bos] if add_bos else []) + lc.tokenize(text)
        c, tf = run_greedy_case(lc, net, name, ids, steps, stop_ids)
        cases.append({"kind": "chat", "messages": messages, "prompt": text, **c})
        teacher_forced.append(tf)
    agree = [c["name"] for c in cases if c["agree"]]
    divergences = [{"name": c["name"], **c["first_divergence"]} for c in cases if not c["agree"]]
    summary = {
        "prompts": len(cases),
        "prompts_numpy_agrees_fully": len(agree),
        "divergences": divergences,
        "max_abs_diff_top5_teacher_forced": max(c["max_abs_diff_top5_teacher_forced"] for c in cases),
        "max_abs_diff_all_logits_teacher_forced": max(c["max_abs_diff_all_logits_teacher_forced"] for c in cases),
        "min_llama_cpp_margin": min(m for c in cases for m in c["llama_cpp"]["margins"]),
        "min_numpy_margin": min(m for c in cases for m in c["numpy"]["margins"]),
    }
    conventions = {
        "tokenize": "llama_tokenize(add_special=false, parse_special=true)"
                    + (", BOS prepended (add_bos_token=true)" if add_bos else ", no BOS (add_bos_token=false)"),
        "chat_prompt": "tokenizer.chat_template rendered by jinja2 with add_generation_prompt=true, then tokenized as above",
        "greedy": f"argmax, {steps} steps, stop after emitting one of stop_ids",
        "step_logits": "step s = logits after prompt + first s generated tokens",
        "llama_cpp": "prompt decoded as one batch, then one token per llama_decode; 2 threads, CPU",
        "numpy": "float32 numpy (scripts/llama_numpy.py) on gguf-py dequantized weights, KV cache",
        "numpy_teacher_forced": "numpy fed prompt + llama.cpp's generated ids in one pass",
        "max_abs_diff_top5": "per step, over the union of both top-5 id sets, |numpy - llama.cpp|",
        "rounding": "logits and margins rounded to 5 decimals",
    }
    out = {"stop_ids": stop_ids, "steps": steps, "summary": summary, "conventions": conventions, "cases": cases}
    return out, teacher_forced


# --- compact, diff-friendly JSON ----------------------------------------------------------
def _depth(x):
    if isinstance(x, list):
        return 1 + max((_depth(v) for v in x), default=0)
    if isinstance(x, dict):
        return 99
    return 0


def dumps(x, ind=0):
    pad, pad1 = "  " * ind, "  " * (ind + 1)
    if isinstance(x, dict):
        if not x:
            return "{}"
        flat = json.dumps(x, ensure_ascii=False, separators=(",", ":"))
        if not any(isinstance(v, (dict, list)) for v in x.values()) and len(flat) <= 120:
            return json.dumps(x, ensure_ascii=False)
        items = [f"{pad1}{json.dumps(k, ensure_ascii=False)}: {dumps(v, ind + 1)}" for k, v in x.items()]
        return "{\n" + ",\n".join(items) + "\n" + pad + "}"
    if isinstance(x, list):
        flat = json.dumps(x, ensure_ascii=False, separators=(",", ":"))
        if _depth(x) <= 1 or (_depth(x) <= 3 and len(flat) <= 120):
            return flat
        return "[\n" + ",\n".join(pad1 + dumps(v, ind + 1) for v in x) + "\n" + pad + "]"
    return json.dumps(x, ensure_ascii=False)


def write_json(path, obj):
    with open(path, "w", encoding="utf-8") as f:
        f.write(dumps(obj) + "\n")
    log(f"wrote {path} ({os.path.getsize(path)} bytes)")


def provenance(path, net):
    import hashlib
    import gguf
    h = hashlib.sha256(open(path, "rb").read()).hexdigest()
    return {
        "generated_by": "scripts/llm-reference.sh (scripts/llm_reference.py, scripts/llama_numpy.py)",
        "model_file": os.path.basename(path),
        "model_sha256": h,
        "llama_cpp_commit": os.environ.get("VERINFER_LLAMA_CPP_COMMIT", "unknown"),
        "llama_cpp_python_sdist": os.environ.get("VERINFER_LLAMA_CPP_PYTHON", "unknown"),
        "gguf_py_version": getattr(gguf, "__version__", None) or _pkg_version("gguf"),
        "numpy_version": np.__version__,
        "hparams": net.hparams() if net else None,
    }


def _pkg_version(name):
    import importlib.metadata
    return importlib.metadata.version(name)


def smollm2(model, out):
    log(f"loading {model} into llama.cpp and numpy")
    lc = LlamaCpp(model)
    net = LlamaNumpy(model)
    meta = gguf_meta(model)
    prov = provenance(model, net)

    tok = {
        **prov,
        "tokenize": "llama_tokenize(add_special=false, parse_special=true); detokenized = "
                    "llama_detokenize(remove_special=false, unparse_special=true)",
        "gguf_metadata": meta,
        "llama_cpp_vocab": llama_cpp_vocab_view(lc, meta),
        "llama_cpp_pre_tokenizer_regex": SMOLLM_REGEX,
        "cases": tokenizer_cases(lc, TOKENIZER_CASES),
    }
    write_json(os.path.join(out, "smollm2_tokenizer.json"), tok)

    template = meta["tokenizer.chat_template"]
    chats = []
    for name, messages in CHAT_FIXTURE_CASES:
        rendered = render_template(template, messages)
        no_gen = render_template(template, messages, add_generation_prompt=False)
        native = lc.apply_template(messages, True)
        chats.append({
            "name": name, "messages": messages,
            "jinja2": rendered,
            "jinja2_ids": lc.tokenize(rendered),
            "jinja2_without_generation_prompt": no_gen,
            "llama_chat_apply_template": native,
            "llama_chat_apply_template_matches_jinja2": native == rendered,
        })
    write_json(os.path.join(out, "smollm2_chat.json"), {
        **prov,
        "chat_template": template,
        "renderer": "jinja2 ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True), "
                    "add_generation_prompt=true (HF transformers' way); llama_chat_apply_template "
                    "is llama.cpp's built-in C++ template matcher (it detects ChatML and does not "
                    "run the jinja, so it lacks the template's default system prompt)",
        "cases": chats,
    })

    log(f"greedy: {len(RAW_PROMPTS)} raw + {len(CHAT_PROMPTS)} chat prompts x {STEPS} steps")
    greedy, tf = greedy_cases(lc, net, meta, RAW_PROMPTS, CHAT_PROMPTS, STEPS)
    del net
    lc.close()
    log("F32 twin check (llama.cpp on dequantized weights)")
    greedy["summary"]["f32_twin_check"] = f32_check(model, greedy, tf, 512)
    write_json(os.path.join(out, "smollm2_greedy.json"), {**prov, **greedy})
    return greedy["summary"]


def f32_check(model, greedy, teacher_forced, n_ctx):
    """llama.cpp on the model's F32 twin (llama_numpy.write_f32_twin) vs the numpy reference,
    teacher-forced on every greedy case's tokens. The twin's weights are exactly the
    dequantized weights numpy uses, so the numpy logits are the ones already computed."""
    with tempfile.TemporaryDirectory() as tmp:
        twin = os.path.join(tmp, "f32-twin.gguf")
        write_f32_twin(model, twin)
        lc = LlamaCpp(twin, n_ctx=n_ctx, f32_kv=True)
        worst, worst_top = 0.0, 0.0
        for c, np_logits in zip(greedy["cases"], teacher_forced):
            L.llama_memory_clear(L.llama_get_memory(lc.ctx), True)
            gen = c["llama_cpp"]["ids"]
            lc_logits = [lc._decode(c["prompt_ids"])] + [lc._decode([t]) for t in gen[:-1]]
            for a, b in zip(lc_logits, np_logits):
                worst = max(worst, float(np.abs(a - b).max()))
                ids = np.argsort(-a)[:5]
                worst_top = max(worst_top, float(np.abs(a[ids] - b[ids]).max()))
        lc.close()
    log(f"F32 twin: max |numpy - llama.cpp| {worst:.2e} over all logits, {worst_top:.2e} over top-5")
    if worst > 1e-2:
        raise AssertionError(f"numpy and llama.cpp disagree on F32 weights: max abs diff {worst}")
    return {
        "what": "llama.cpp on an F32 copy of the model (every tensor dequantized, as numpy has it), "
                "F32 KV cache, no flash attention, teacher-forced on every greedy case: max abs "
                "logit difference to the numpy reference. It shows the numpy forward is llama.cpp's "
                "up to float rounding; the larger differences on the quantized file come from "
                "llama.cpp quantizing activations to 8 bits (and its F16 KV cache).",
        "max_abs_diff_all_logits": float(f"{worst:.3g}"),
        "max_abs_diff_top5": float(f"{worst_top:.3g}"),
    }


def tiny(model, out):
    log(f"loading {model}")
    lc = LlamaCpp(model, n_ctx=256)
    net = LlamaNumpy(model)
    meta = gguf_meta(model)
    greedy, tf = greedy_cases(lc, net, meta, TINY_RAW_PROMPTS, TINY_CHAT_PROMPTS, TINY_STEPS)
    greedy["summary"]["f32_twin_check"] = f32_check(model, greedy, tf, 256)
    write_json(os.path.join(out, "tiny_llama_reference.json"), {
        **provenance(model, net),
        "gguf_metadata": meta,
        "llama_cpp_vocab": llama_cpp_vocab_view(lc, meta),
        "llama_cpp_pre_tokenizer_regex": SMOLLM_REGEX,
        "tokenizer_cases": tokenizer_cases(lc, TINY_TOKENIZER_CASES),
        "chat_cases": [{"messages": m, "jinja2": render_template(meta["tokenizer.chat_template"], m),
                        "llama_chat_apply_template": lc.apply_template(m, True)}
                       for _, m in TINY_CHAT_PROMPTS],
        **greedy,
    })
    return greedy["summary"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", required=True)
    ap.add_argument("--tiny")
    ap.add_argument("--out", required=True)
    ap.add_argument("--only", choices=["smollm2", "tiny"])
    a = ap.parse_args()
    check_smollm_regex()
    np.seterr(over="ignore")  # exp(-g) in silu overflows to inf for very negative g: fine
    summaries = {}
    if a.tiny and a.only != "smollm2":
        summaries["tiny-llama"] = tiny(a.tiny, a.out)
    if a.only != "tiny":
        summaries["smollm2"] = smollm2(a.model, a.out)
    print(json.dumps(summaries, indent=2))


if __name__ == "__main__":
    main()
