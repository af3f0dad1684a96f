#!/usr/bin/env bash
# Regenerates the committed chain specs in chain-specs/ from the runtime's presets. Run it
# after any runtime change; a test fails while they are stale.
source "$(dirname "$0")/lib.sh"
build_all
"$NODE_BIN" export-chain-spec --chain local --raw --output "$REPO_ROOT/chain-specs/local-testnet.raw.json"
log "wrote chain-specs/local-testnet.raw.json"
