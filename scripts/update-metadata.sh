#!/usr/bin/env bash
# Rewrites worker/metadata/verinfer.scale from the runtime in this tree (run it after a
# runtime change, then rebuild the worker; tests/tests/worker_metadata.rs fails until then).
source "$(dirname "$0")/lib.sh"
cd "$REPO_ROOT"
VERINFER_UPDATE_METADATA=1 cargo test --workspace --locked --test worker_metadata
log "wrote worker/metadata/verinfer.scale; rebuild the worker (scripts/test.sh does)"
