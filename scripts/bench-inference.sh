#!/usr/bin/env bash
# Benchmarks the worker's CPU inference (criterion, worker/benches/inference.rs) against
# onnxruntime running the same weights on the same inputs (worker/reference/bench_onnx.py),
# and prints burn/onnxruntime time ratios (below 1 means burn is faster).
#
# Needs: python3 with numpy onnx onnxruntime safetensors tokenizers (pip install them).
# Timings are only comparable on an otherwise idle machine.
source "$(dirname "$0")/lib.sh"
# The worker has its own target dir so it never waits on the node's cargo lock.
export CARGO_TARGET_DIR="${WORKER_TARGET_DIR:-$HOME/.cache/verinfer-worker-target}"

"$REPO_ROOT/scripts/fetch-models.sh"
python3 -c "import numpy, onnx, onnxruntime, safetensors, tokenizers" 2>/dev/null ||
	die "the reference needs Python packages: pip install numpy onnx onnxruntime safetensors tokenizers"

log "burn (burn-flex CPU): cargo bench"
(cd "$REPO_ROOT/worker" && cargo bench --locked --bench inference)

log "reference: onnxruntime CPU"
onnx_json="$(mktemp)"
trap 'rm -f "$onnx_json"' EXIT
python3 "$REPO_ROOT/worker/reference/bench_onnx.py" --json "$onnx_json"

python3 - "$CARGO_TARGET_DIR/criterion" "$onnx_json" <<'PY'
import json, os, sys
crit, onnx = sys.argv[1], json.load(open(sys.argv[2]))["seconds_per_batch"]
print(f"\n{'benchmark':24s} {'burn ms':>10s} {'ort ms':>10s} {'burn/ort':>9s} {'burn items/s':>13s}")
for group in ("digits_int", "digits_float", "minilm"):
    for b in (1, 8, 64):
        est = os.path.join(crit, group, "batch", str(b), "new", "estimates.json")
        if not os.path.exists(est):
            continue
        burn = json.load(open(est))["mean"]["point_estimate"] / 1e9
        # onnxruntime runs the float digits graph; the integer model is compared with it too.
        ref = onnx.get(f"{'digits_float' if group.startswith('digits') else group}/batch/{b}")
        ratio = f"{burn / ref:9.2f}" if ref else f"{'-':>9s}"
        ort_ms = f"{ref * 1e3:10.3f}" if ref else f"{'-':>10s}"
        print(f"{group + '/batch/' + str(b):24s} {burn * 1e3:10.3f} {ort_ms} {ratio} {b / burn:13.1f}")
PY
