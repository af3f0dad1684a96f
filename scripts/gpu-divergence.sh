#!/usr/bin/env bash
# On a machine with an NVIDIA GPU: measures how far burn-cuda's results are from
# burn-flex's (MiniLM max abs diff and min cosine, the input for the Tolerance bound that
# governance sets; and that the integer digits model is bit-identical, as class Exact
# requires), then times MiniLM on burn-cuda against PyTorch on the same GPU when torch is
# installed (worker/reference/bench_torch.py).
#
# Needs: the NVIDIA driver (libcuda) and NVRTC (libnvrtc, from the CUDA toolkit or the
# nvidia-cuda-nvrtc pip wheel) at run time; no CUDA toolkit at build time.
source "$(dirname "$0")/lib.sh"
export CARGO_TARGET_DIR="${WORKER_TARGET_DIR:-$HOME/.cache/verinfer-worker-target}"

command -v nvidia-smi >/dev/null && nvidia-smi -L || log "nvidia-smi not found; trying anyway"
"$REPO_ROOT/scripts/fetch-models.sh"
log "building verinfer-worker with --features cuda (release)"
(cd "$REPO_ROOT/worker" && cargo build --release --locked --features cuda)
worker="$CARGO_TARGET_DIR/release/verinfer-worker"

sentences="$(mktemp)"
trap 'rm -f "$sentences" "$sentences.burn.json" "$sentences.torch.json"' EXIT
# The MiniLM fixture's sentences, one a line (the long truncation case included).
python3 -c '
import json, sys
for c in json.load(open(sys.argv[1], encoding="utf-8"))["cases"]:
    print(" ".join(c["text"].split()))
' "$REPO_ROOT/worker/tests/fixtures/minilm_reference.json" >"$sentences"

log "divergence between CPU (burn-flex) and CUDA (burn-cuda)"
"$worker" compare-devices --sentences "$sentences"

log "timing MiniLM on burn-cuda"
"$worker" --device cuda time-minilm --sentences "$sentences" --batches 1,8,64 | tee "$sentences.burn.json"

if python3 -c "import torch, safetensors, tokenizers; assert torch.cuda.is_available()" 2>/dev/null; then
	log "timing MiniLM on PyTorch (CUDA)"
	python3 "$REPO_ROOT/worker/reference/bench_torch.py" --sentences "$sentences" --json "$sentences.torch.json"
	python3 - "$sentences.burn.json" "$sentences.torch.json" <<'PY'
import json, sys
burn, torch = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
print(f"\n{'benchmark':20s} {'burn-cuda ms':>13s} {'torch ms':>10s} {'burn/torch':>11s}")
for k, v in burn.items():
    t = torch.get(k)
    print(f"{k:20s} {v * 1e3:13.3f} {t * 1e3:10.3f} {v / t:11.2f}" if t else f"{k:20s} {v * 1e3:13.3f}")
PY
else
	log "PyTorch with CUDA is not installed: skipping the torch comparison (pip install torch safetensors tokenizers)"
fi
