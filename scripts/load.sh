#!/usr/bin/env bash
# A load measurement: an open-loop burst of MiniLM jobs on the four-validator local network
# (the committed `--chain local` spec, production job parameters), submitted at once from
# many funded accounts, against 1 to 4 CPU miners and one auditor. The run itself is
# tests/tests/load_burst.rs (ignored by the test command); it checks the same books as the
# burst tests and prints: jobs accepted and refunded, jobs finished per second, p50/p99
# latency from submission to the final result, each miner's busy share, failed
# extrinsics (workers and dApps), and the block weight used (mean and max).
#
# Usage: JOBS=1000 ACCOUNTS=20 MINERS=1 BUDGET=2 scripts/load.sh
#   BUDGET: the miners' --capacity-budget (seconds of worst-case inference they take at once)
source "$(dirname "$0")/lib.sh"
"$REPO_ROOT/scripts/setup.sh"
build_all
build_worker

export LOAD_JOBS="${JOBS:-1000}" LOAD_ACCOUNTS="${ACCOUNTS:-20}" LOAD_MINERS="${MINERS:-1}" LOAD_BUDGET="${BUDGET:-2}"
log "load: $LOAD_JOBS jobs from $LOAD_ACCOUNTS accounts against $LOAD_MINERS miner(s)"
cd "$REPO_ROOT"
cargo test --locked --test load_burst -- --ignored --nocapture 2>&1 | sed -n '/^load burst:/,/block weight used/p;/^test result/p;/panicked/,+20p'
