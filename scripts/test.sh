#!/usr/bin/env bash
# The test command: installs what is missing, builds the workspace once, and runs every
# test (pallet unit tests on mock runtimes, and end-to-end tests that start real nodes on
# loopback ports).
source "$(dirname "$0")/lib.sh"
"$REPO_ROOT/scripts/setup.sh"
build_all
log "running the tests"
cd "$REPO_ROOT"
cargo test --workspace --all-targets --locked "$@"
