#!/usr/bin/env bash
# The gateway under load: an open-loop burst of N requests (64 by default) sent at once by
# the OpenAI SDK's async client through one gateway (one signing account, local nonces),
# against a dev node with one CPU miner and one auditor, in `fast` and `verified` mode, for
# MiniLM embeddings and tiny-llama chat. The run is tests/tests/gateway_load.rs (ignored by
# the test command); it prints throughput and latency percentiles per burst.
#
# Usage: N=64 scripts/bench-gateway.sh
source "$(dirname "$0")/lib.sh"
"$REPO_ROOT/scripts/setup.sh"
build_all
build_worker
cd "$REPO_ROOT"
GATEWAY_LOAD_N="${N:-64}" cargo test --locked --test gateway_load -- --ignored --nocapture 2>&1 |
	grep -E '^gateway load:|^test result|panicked' || true
