"""Readers shared by the reference scripts: the digits checkpoint without torch, the sklearn
digits prepared exactly as the Rust worker prepares them, and the MiniLM fixture."""
import collections
import gzip
import json
import os
import pickle
import zipfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", ".."))
MODELS = os.environ.get("VERINFER_MODELS_DIR", os.path.join(REPO, ".models"))
FIXTURE = os.path.join(HERE, "..", "tests", "fixtures", "minilm_reference.json")


def load_pth(path=None):
    """A torch state dict (float32 tensors) as numpy arrays, read without torch."""
    z = zipfile.ZipFile(path or os.path.join(MODELS, "handwriting_model.pth"))
    prefix = z.namelist()[0].split("/")[0]

    class Storage:
        def __init__(self, key):
            self.key = key

    def rebuild(storage, offset, size, stride, *_):
        data = np.frombuffer(z.read(f"{prefix}/data/{storage.key}"), dtype=np.float32)
        return np.lib.stride_tricks.as_strided(data[offset:], shape=size, strides=[s * 4 for s in stride]).copy()

    class Unpickler(pickle.Unpickler):
        def find_class(self, module, name):
            if name == "_rebuild_tensor_v2":
                return rebuild
            if name.endswith("Storage"):
                return name
            if name == "OrderedDict":
                return collections.OrderedDict
            return super().find_class(module, name)

        def persistent_load(self, pid):
            return Storage(pid[2])

    return Unpickler(z.open(f"{prefix}/data.pkl")).load()


def load_digits():
    """(images [n, 1, 28, 28] float32 normalised, labels [n]) as worker/src/digits/dataset.rs
    builds them: 8x8 values v -> round(v*255/16), each pixel a 2x2 block, 16x16 centred."""
    rows = np.loadtxt(gzip.open(os.path.join(MODELS, "digits.csv.gz")), delimiter=",").astype(np.int64)
    px = (rows[:, :64] * 255 + 8) // 16
    img = np.zeros((len(rows), 28, 28), np.float64)
    img[:, 6:22, 6:22] = np.kron(px.reshape(-1, 8, 8), np.ones((2, 2)))
    x = ((img / 255.0 - 0.1307) / 0.3081).astype(np.float32)
    return x[:, None], rows[:, 64]


def bench_sentences():
    """The fixture's sentences without the over-long one, as in worker/benches/inference.rs,
    with the token ids Hugging Face's tokenizer gave them."""
    cases = json.load(open(FIXTURE, encoding="utf-8"))["cases"]
    return [(c["text"], c["ids"], c["embedding"]) for c in cases if len(c["text"]) < 400]
