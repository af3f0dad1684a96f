#!/usr/bin/env bash
# Regenerates the weights of verinfer's own pallets from their benchmarks.
#
# Builds verinfer-node with `--features runtime-benchmarks` in the shared target directory
# (cargo keeps both feature sets' artifacts side by side, so only the crates whose features
# differ are built again) and keeps that binary as $CARGO_TARGET_DIR/bench/verinfer-node.
# The benchmarked code is the runtime's release Wasm, executed compiled. Then it runs
# `benchmark pallet` for each pallet and writes pallets/<dir>/src/weights.rs from
# scripts/frame-weight-template.hbs. The next normal build relinks the normal node.
#
# Usage: scripts/benchmark.sh [pallet_name ...]   (default: every verinfer pallet)
# Env:   STEPS (default 50), REPEAT (default 20)
source "$(dirname "$0")/lib.sh"

BENCH_NODE="$CARGO_TARGET_DIR/bench/verinfer-node"
STEPS="${STEPS:-50}"
REPEAT="${REPEAT:-20}"
PALLETS=("$@")
[ "${#PALLETS[@]}" -gt 0 ] || PALLETS=(pallet_models pallet_compute_staking pallet_jobs pallet_rewards)

log "building verinfer-node with runtime benchmarks"
# frame-benchmarking-cli carries a test runtime for `benchmark storage`, which verinfer-node
# does not offer; its Wasm cannot be built from this workspace, so skip it.
(cd "$REPO_ROOT" && SKIP_FRAME_STORAGE_ACCESS_TEST_RUNTIME_WASM_BUILD=1 \
	cargo build --locked -p verinfer-node --features runtime-benchmarks)
mkdir -p "$(dirname "$BENCH_NODE")"
cp "$NODE_BIN" "$BENCH_NODE"
[ -x "$BENCH_NODE" ] || die "cargo finished but $BENCH_NODE is missing"

for pallet in "${PALLETS[@]}"; do
	# pallet_compute_staking lives in pallets/compute-staking, and so on.
	dir="${pallet#pallet_}"
	dir="${dir//_/-}"
	out="$REPO_ROOT/pallets/$dir/src/weights.rs"
	[ -d "$(dirname "$out")" ] || die "no crate directory for $pallet at pallets/$dir"
	log "benchmarking $pallet -> ${out#"$REPO_ROOT"/}"
	"$BENCH_NODE" benchmark pallet \
		--chain dev \
		--pallet "$pallet" \
		--extrinsic '*' \
		--steps "$STEPS" \
		--repeat "$REPEAT" \
		--wasm-execution compiled \
		--heap-pages 4096 \
		--output "$out" \
		--template "$REPO_ROOT/scripts/frame-weight-template.hbs"
done
log "done; review the diff of pallets/*/src/weights.rs and commit it"
