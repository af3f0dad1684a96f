#!/usr/bin/env bash
# The demo: a local dev chain, a miner and an auditor, and two real jobs.
#
# Installs what is missing, fetches the model files, builds the node and the worker, then
# starts `verinfer-node --dev`, `verinfer-worker mine` (Bob) and `verinfer-worker verify`
# (Charlie), submits a handwritten digit from scikit-learn's digits set and a sentence as
# Alice, and prints each verified result: the digit class and the sentence embedding, each
# re-computed blind by the auditor and accepted on chain.
source "$(dirname "$0")/lib.sh"
"$REPO_ROOT/scripts/setup.sh"
build_all
build_worker

RPC_PORT="${RPC_PORT:-9944}"
DIGIT_INDEX="${DIGIT_INDEX:-42}"
SENTENCE="${SENTENCE:-Validators re-run a random share of the results, blind.}"
workdir="$(mktemp -d)"
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
	rm -rf "$workdir"
}
trap cleanup EXIT INT TERM

log "starting verinfer-node --dev (RPC on 127.0.0.1:$RPC_PORT)"
"$NODE_BIN" --dev --base-path "$workdir/chain" --rpc-port "$RPC_PORT" --no-telemetry \
	--prometheus-port 0 >"$workdir/node.log" 2>&1 &
pids+=($!)
wait_rpc "$RPC_PORT" 120 || { tail -20 "$workdir/node.log"; die "the node did not answer JSON-RPC within 120 s (is port $RPC_PORT free? set RPC_PORT)"; }
url="ws://127.0.0.1:$RPC_PORT"

log "starting a miner (Bob, bonds 2000 INF) and an auditor (Charlie, bonds 6000 INF)"
"$VERINFER_WORKER" mine --url "$url" --key //Bob --bond 2000 --prometheus-port 0 >"$workdir/miner.log" 2>&1 &
pids+=($!)
"$VERINFER_WORKER" verify --url "$url" --key //Charlie --bond 6000 --prometheus-port 0 >"$workdir/auditor.log" 2>&1 &
pids+=($!)
for role in miner auditor; do
	deadline=$((SECONDS + 120))
	until grep -q "following finalized blocks" "$workdir/$role.log"; do
		[ "$SECONDS" -lt "$deadline" ] || { tail -20 "$workdir/$role.log"; die "the $role did not start within 120 s"; }
		sleep 0.5
	done
done

log "job 1: sklearn digit #$DIGIT_INDEX through the integer digits CNN"
digits=$("$VERINFER_WORKER" submit --url "$url" --key //Alice digits --image-index "$DIGIT_INDEX") ||
	{ tail -15 "$workdir/miner.log" "$workdir/auditor.log"; die "the digits job failed (worker logs above)"; }
log "job 2: a sentence through all-MiniLM-L6-v2"
text=$("$VERINFER_WORKER" submit --url "$url" --key //Alice text "$SENTENCE") ||
	{ tail -15 "$workdir/miner.log" "$workdir/auditor.log"; die "the text job failed (worker logs above)"; }

printf '\n\033[1mdigits job\033[0m\n'
jq '{job, verdict, audited, worker, label, digit, logits, seconds}' <<<"$digits"
printf '\n\033[1mtext job\033[0m\n'
jq '{job, verdict, audited, worker, dimensions, norm, first_values: .embedding[0:8], seconds}' <<<"$text"
[ "$(jq -r .accepted <<<"$digits")" = true ] && [ "$(jq -r .accepted <<<"$text")" = true ] ||
	{ tail -15 "$workdir/miner.log" "$workdir/auditor.log"; die "a result was not accepted (worker logs above)"; }
log "done: both results were computed by the miner, re-computed blind by the auditor, and accepted on chain"
