#!/usr/bin/env bash
# Times the worker's Llama (burn, f32 activations over dequantized weights) against
# llama.cpp on the same GGUF, the same machine and the same thread count, in one run, and
# prints the table with burn/llama.cpp ratios (higher is better for burn: both are
# throughputs):
# - prefill tokens/s of a PROMPT_TOKENS prompt (llama-bench -p);
# - decode tokens/s at batch 1 (llama-bench -n) and batch 8 (llama-batched-bench, 8
#   sequences decoding together);
# - the auditor's cost: one prefill over prompt + GEN_TOKENS generated tokens, against the
#   time to generate them (burn only; the next issue's audits use it).
#
# Usage: scripts/bench-llm.sh     Env: MODEL (a registry name or .gguf path, default
#        SmolLM2-135M-Instruct), PROMPT_TOKENS (128), GEN_TOKENS (128), THREADS (nproc).
# llama.cpp is built by scripts/llm-reference.sh --build-only (cached after the first run).
source "$(dirname "$0")/lib.sh"

MODEL="${MODEL:-SmolLM2-135M-Instruct}"
PROMPT_TOKENS="${PROMPT_TOKENS:-128}"
GEN_TOKENS="${GEN_TOKENS:-128}"
THREADS="${THREADS:-$(nproc)}"
LLAMA_BIN="${VERINFER_LLAMA_CPP_DIR:-$HOME/.cache/verinfer-llama.cpp}/build/bin"

"$REPO_ROOT/scripts/llm-reference.sh" --build-only
build_worker
case "$MODEL" in
*.gguf) GGUF="$MODEL" ;;
*)
	GGUF=""
	for f in "$VERINFER_MODELS_DIR/$MODEL.gguf" "$VERINFER_MODELS_DIR/$MODEL".*.gguf; do
		[ -f "$f" ] && GGUF="$f" && break
	done
	;;
esac
[ -f "$GGUF" ] || die "no GGUF for $MODEL in $VERINFER_MODELS_DIR: run scripts/fetch-models.sh"
OUT="$(mktemp -d)"
trap 'rm -rf "$OUT"' EXIT

log "burn ($THREADS threads available): prefill $PROMPT_TOKENS, decode $GEN_TOKENS at batch 1 and 8"
RAYON_NUM_THREADS="$THREADS" "$VERINFER_WORKER" time-llm --model "$GGUF" \
	--prompt-tokens "$PROMPT_TOKENS" --generated-tokens "$GEN_TOKENS" --batches 1,8 >"$OUT/burn.json"
log "llama.cpp llama-bench ($THREADS threads)"
"$LLAMA_BIN/llama-bench" -m "$GGUF" -t "$THREADS" -p "$PROMPT_TOKENS" -n "$GEN_TOKENS" -r 3 -o json \
	>"$OUT/llama-bench.json" 2>"$OUT/llama-bench.log" ||
	die "llama-bench failed: see its log above ($(tail -3 "$OUT/llama-bench.log"))"
log "llama.cpp llama-batched-bench (8 sequences)"
"$LLAMA_BIN/llama-batched-bench" -m "$GGUF" -t "$THREADS" -c $((8 * (PROMPT_TOKENS + GEN_TOKENS) + 64)) \
	-npp "$PROMPT_TOKENS" -ntg "$GEN_TOKENS" -npl 8 --output-format jsonl \
	>"$OUT/batched.jsonl" 2>"$OUT/batched.log" ||
	die "llama-batched-bench failed: $(tail -3 "$OUT/batched.log")"

python3 - "$OUT" "$GGUF" "$THREADS" <<'EOF'
import json, sys, os
out, gguf, threads = sys.argv[1], sys.argv[2], sys.argv[3]
burn = json.load(open(os.path.join(out, "burn.json")))
lb = json.load(open(os.path.join(out, "llama-bench.json")))
pp = next(r["avg_ts"] for r in lb if r["n_prompt"] > 0 and r["n_gen"] == 0)
tg = next(r["avg_ts"] for r in lb if r["n_gen"] > 0 and r["n_prompt"] == 0)
batched = [json.loads(l) for l in open(os.path.join(out, "batched.jsonl")) if l.strip().startswith("{")]
tg8 = next(r["speed_tg"] for r in batched if r.get("pl") == 8)
decode = dict(burn["decode_tokens_per_s"])
rows = [
    (f"prefill tokens/s ({burn['prompt_tokens']}-token prompt)", burn["prefill_tokens_per_s"], pp),
    ("decode tokens/s, batch 1", decode[1], tg),
    ("decode tokens/s, batch 8 (all sequences)", decode[8], tg8),
]
print(f"\nmodel {os.path.basename(gguf)}, {threads} threads\n")
print("| measure | burn | llama.cpp | burn / llama.cpp |")
print("|---|---|---|---|")
for name, b, l in rows:
    print(f"| {name} | {b:.1f} | {l:.1f} | {b / l:.2f} |")
g, a = burn["generate_s"], burn["audit_prefill_s"]
print(f"\naudit: one prefill over {burn['prompt_tokens']} + {burn['generated_tokens']} tokens takes "
      f"{a:.2f} s; generating the {burn['generated_tokens']} tokens took {g:.2f} s "
      f"(the audit costs {100 * a / g:.1f} % of the generation)")
EOF
