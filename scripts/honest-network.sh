#!/usr/bin/env bash
# The long version of the honest-network scenario (tests/tests/honest_network.rs): four
# validators on the committed local spec, two miners, an auditor next to each validator,
# three dApps submitting JOBS jobs of both models. Asserts that every job is final and
# accepted, that the audited share is within a statistical bound of the audit probability,
# that every account's balance change equals the fee splits, fees and emission to the
# unit, and that total issuance moves by exactly the emission minus the fees burned.
#
# Usage: JOBS=200 scripts/honest-network.sh
source "$(dirname "$0")/lib.sh"
"$REPO_ROOT/scripts/setup.sh"
build_all
build_worker
cd "$REPO_ROOT"
JOBS="${JOBS:-200}"
log "an honest network with $JOBS jobs"
started=$SECONDS status=0
out=$(VERINFER_HONEST_JOBS="$JOBS" cargo test --workspace --locked --test honest_network -- --nocapture 2>&1) || status=$?
grep -E '^honest network:|^test |panicked|assertion|Error' <<<"$out" || true
log "took $((SECONDS - started)) s"
[ "$status" -eq 0 ] || die "the honest-network run failed (exit $status); the assertion is above"
