#!/usr/bin/env bash
# Bounded fuzzing with proptest, outside the default test run:
# - the canonical encodings and judging that validators and workers run on untrusted bytes
#   (verinfer-primitives: i32/f32 decoders, fixed-point floats, outputs_match, the input
#   schema check, SCALE decoding of registry types), DECODER_CASES cases per target;
# - the Jobs pallet's call sequences on its mock runtime (up to 80 random calls and block
#   advances each; no panic, issuance conserved after every step, nothing left on hold
#   once every deadline has passed), SEQUENCE_CASES sequences.
# A failure prints proptest's minimal failing input. Each part stops after FUZZ_TIMEOUT s.
#
# Usage: DECODER_CASES=20000 SEQUENCE_CASES=3000 scripts/fuzz.sh
source "$(dirname "$0")/lib.sh"
"$REPO_ROOT/scripts/setup.sh"
build_all
DECODER_CASES="${DECODER_CASES:-20000}"
SEQUENCE_CASES="${SEQUENCE_CASES:-3000}"
FUZZ_TIMEOUT="${FUZZ_TIMEOUT:-1200}"
cd "$REPO_ROOT"

run() {
	local cases="$1"
	shift
	local started=$SECONDS out status=0
	out=$(PROPTEST_CASES="$cases" timeout "$FUZZ_TIMEOUT" \
		cargo test --workspace --all-targets --locked --lib -- --ignored "$@" 2>&1) || status=$?
	grep -E '^test [a-z0-9_:]+ \.\.\.|minimal failing|panicked|^    [A-Za-z]|^\]' <<<"$out" || true
	log "$cases cases per target in $((SECONDS - started)) s"
	[ "$status" -eq 0 ] || die "a fuzz target failed (exit $status): the minimal failing input is above"
}

log "fuzzing the decoders and judging ($DECODER_CASES cases per target)"
run "$DECODER_CASES" fuzz_ --skip fuzz_call_sequences
log "fuzzing the Jobs pallet's call sequences ($SEQUENCE_CASES sequences)"
run "$SEQUENCE_CASES" fuzz_call_sequences
log "no findings"
