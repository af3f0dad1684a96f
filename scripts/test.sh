#!/usr/bin/env bash
# The test command: installs what is missing, builds the workspace once, and runs every
# test: pallet tests on mock runtimes, end-to-end tests that start real nodes on loopback
# ports, and the pallets' benchmarks as tests (with the `runtime-benchmarks` feature, which
# only these pallet crates are built with a second time).
source "$(dirname "$0")/lib.sh"
"$REPO_ROOT/scripts/setup.sh"
build_all
cd "$REPO_ROOT"
log "running the tests"
cargo test --workspace --all-targets --locked "$@"
log "running the pallets' benchmarks as tests"
cargo test --locked --lib -p verinfer-primitives -p pallet-models -p pallet-compute-staking -p pallet-jobs -p pallet-rewards \
	--features pallet-models/runtime-benchmarks,pallet-compute-staking/runtime-benchmarks,pallet-jobs/runtime-benchmarks,pallet-rewards/runtime-benchmarks
