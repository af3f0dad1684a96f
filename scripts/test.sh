#!/usr/bin/env bash
# The test command: installs what is missing (system packages, the Wasm target, the model
# files), checks the formatting and the lints (clippy, warnings denied) of both workspaces,
# builds the node workspace and the release worker, and runs every test:
# - pallet tests on mock runtimes and the pallets' benchmarks as tests;
# - end-to-end tests that start real nodes and workers on loopback ports (tests/);
# - the worker's own tests (models against references, commitment vectors).
source "$(dirname "$0")/lib.sh"
"$REPO_ROOT/scripts/setup.sh"
log "checking the formatting of both workspaces (cargo fmt; .rustfmt.toml and worker/.rustfmt.toml)"
(cd "$REPO_ROOT" && cargo fmt --all --check) ||
	die "the node workspace is not formatted: run 'cargo fmt --all' and commit the result"
(cd "$REPO_ROOT/worker" && cargo fmt --all --check) ||
	die "the worker is not formatted: run 'cd worker && cargo fmt --all' and commit the result"
log "linting the node workspace (cargo clippy, warnings denied; see [workspace.lints] in Cargo.toml)"
# The runtime's Wasm is not needed to lint it (build_all builds it).
(cd "$REPO_ROOT" && SKIP_WASM_BUILD=1 cargo clippy --workspace --all-targets --locked -- -D warnings) ||
	die "clippy found problems in the node workspace: fix them (cargo clippy --workspace --all-targets) and commit"
"$REPO_ROOT/scripts/fetch-models.sh"
log "linting the worker (cargo clippy --release, warnings denied)"
(cd "$REPO_ROOT/worker" && CARGO_TARGET_DIR="$WORKER_TARGET_DIR" cargo clippy --release --all-targets --locked -- -D warnings) ||
	die "clippy found problems in the worker: fix them (cd worker && cargo clippy --release --all-targets) and commit"
build_all
build_worker
cd "$REPO_ROOT"
log "running the node workspace's tests (end-to-end tests use $VERINFER_WORKER)"
cargo test --workspace --all-targets --locked "$@"
log "running the pallets' benchmarks as tests"
cargo test --locked --lib -p verinfer-primitives -p pallet-models -p pallet-compute-staking -p pallet-jobs -p pallet-rewards \
	--features pallet-models/runtime-benchmarks,pallet-compute-staking/runtime-benchmarks,pallet-jobs/runtime-benchmarks,pallet-rewards/runtime-benchmarks
log "running the worker's tests (release)"
(cd "$REPO_ROOT/worker" && CARGO_TARGET_DIR="$WORKER_TARGET_DIR" cargo test --release --locked)
