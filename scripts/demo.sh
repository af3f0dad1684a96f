#!/usr/bin/env bash
# The demo: a local dev chain, a miner and an auditor, real jobs on the shipped models,
# and the OpenAI-compatible gateway.
#
# Installs what is missing, fetches the model files, builds the node and the worker, then
# starts `verinfer-node --dev`, approves SmolLM2-135M-Instruct with the dev chain's sudo key
# (genesis only proposes it), starts `verinfer-worker mine` (Bob) and `verinfer-worker
# verify` (Charlie), submits a handwritten digit from scikit-learn's digits set, a sentence
# and a chat message as Alice, and prints each verified result: the digit class, the
# sentence embedding and the LLM's answer, each re-computed blind by the auditor and
# accepted on chain. Then it starts `verinfer-worker gateway`, prints its URL, and asks it
# one chat question over OpenAI's API.
source "$(dirname "$0")/lib.sh"
"$REPO_ROOT/scripts/setup.sh"
build_all
build_worker

RPC_PORT="${RPC_PORT:-9944}"
DIGIT_INDEX="${DIGIT_INDEX:-7}"
SENTENCE="${SENTENCE:-Validators re-run a random share of the results, blind.}"
QUESTION="${QUESTION:-What is the capital of France?}"
GATEWAY_QUESTION="${GATEWAY_QUESTION:-Which ocean is the largest on Earth?}"
GATEWAY_PORT="${GATEWAY_PORT:-8080}"
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

log "approving SmolLM2-135M-Instruct with the dev chain's sudo key (elsewhere: a models-track referendum)"
"$VERINFER_WORKER" dev-approve-model --url "$url" --key //Alice --model SmolLM2-135M-Instruct >/dev/null ||
	die "approving SmolLM2 failed (see the message above)"

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

log "job 3: a chat message to SmolLM2-135M-Instruct (greedy, at most 48 tokens)"
chat=$("$VERINFER_WORKER" submit --url "$url" --key //Alice chat "$QUESTION" --max-tokens 48 --temperature 0) ||
	{ tail -15 "$workdir/miner.log" "$workdir/auditor.log"; die "the chat job failed (worker logs above)"; }

printf '\n\033[1mdigits job\033[0m\n'
jq '{job, verdict, audited, worker, "label": .label, digit, logits, seconds}' <<<"$digits"
printf '\n\033[1mtext job\033[0m\n'
jq '{job, verdict, audited, worker, dimensions, norm, first_values: .embedding[0:8], seconds}' <<<"$text"
printf '\n\033[1mchat job\033[0m\n'
jq '{job, verdict, audited, worker, text, finish, tokens: (.ids | length), seed, seconds}' <<<"$chat"
for r in "$digits" "$text" "$chat"; do
	[ "$(jq -r .accepted <<<"$r")" = true ] ||
		{ tail -15 "$workdir/miner.log" "$workdir/auditor.log"; die "a result was not accepted (worker logs above)"; }
done

log "starting the OpenAI-compatible gateway (Dave's account pays) on 127.0.0.1:$GATEWAY_PORT"
"$VERINFER_WORKER" gateway --url "$url" --key //Dave --listen "127.0.0.1:$GATEWAY_PORT" --prometheus-port 0 \
	>"$workdir/gateway.log" 2>&1 &
pids+=($!)
deadline=$((SECONDS + 60))
until curl -sf "http://127.0.0.1:$GATEWAY_PORT/v1/models" >/dev/null; do
	[ "$SECONDS" -lt "$deadline" ] || { tail -20 "$workdir/gateway.log"; die "the gateway did not answer within 60 s (is port $GATEWAY_PORT free? set GATEWAY_PORT)"; }
	sleep 0.5
done
answer=$(curl -sS "http://127.0.0.1:$GATEWAY_PORT/v1/chat/completions" -H 'Content-Type: application/json' \
	-d "$(jq -n --arg q "$GATEWAY_QUESTION" '{model: "SmolLM2-135M-Instruct", messages: [{role: "user", content: $q}], max_tokens: 32, temperature: 0}')")
printf '\n\033[1mgateway chat (POST http://127.0.0.1:%s/v1/chat/completions)\033[0m\n' "$GATEWAY_PORT"
jq '{answer: .choices[0].message.content, finish_reason: .choices[0].finish_reason, usage, verdict: .verinfer.verdict, audited: .verinfer.audited, job: .verinfer.job, block: .verinfer.block}' <<<"$answer"
[ "$(jq -r .verinfer.accepted <<<"$answer")" = true ] ||
	{ tail -15 "$workdir/gateway.log"; die "the gateway's answer was not verified: $answer"; }
log "done: every result was computed by the miner, re-computed blind by the auditor, and accepted on chain"
log "the gateway is at http://127.0.0.1:$GATEWAY_PORT/v1 (OpenAI API) and http://127.0.0.1:$GATEWAY_PORT/ (web page)"
if [ "${KEEP_RUNNING:-0}" = 1 ]; then
	log "KEEP_RUNNING=1: the chain, the workers and the gateway keep running; Ctrl-C stops them"
	wait
else
	log "everything stops with the demo; run KEEP_RUNNING=1 scripts/demo.sh to keep the chain, workers and gateway up"
fi
