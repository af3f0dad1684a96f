#!/usr/bin/env bash
# The demo: starts a local development chain and shows it sealing and finalizing blocks.
source "$(dirname "$0")/lib.sh"
"$REPO_ROOT/scripts/setup.sh"
build_all

RPC_PORT="${RPC_PORT:-9944}"
DEMO_SECONDS="${DEMO_SECONDS:-20}"
workdir="$(mktemp -d)"
node_pid=""
cleanup() {
	[ -n "$node_pid" ] && kill "$node_pid" 2>/dev/null && wait "$node_pid" 2>/dev/null
	rm -rf "$workdir"
}
trap cleanup EXIT INT TERM

log "starting verinfer-node --dev (RPC on 127.0.0.1:$RPC_PORT, log in $workdir/node.log)"
"$NODE_BIN" --dev --base-path "$workdir/chain" --rpc-port "$RPC_PORT" --no-telemetry \
	--prometheus-port 0 >"$workdir/node.log" 2>&1 &
node_pid=$!
wait_rpc "$RPC_PORT" 120 || { tail -20 "$workdir/node.log"; die "the node did not answer JSON-RPC within 120 s (is port $RPC_PORT free? set RPC_PORT)"; }

log "watching finality for $DEMO_SECONDS seconds"
end=$((SECONDS + DEMO_SECONDS)); last=-1
while [ "$SECONDS" -lt "$end" ]; do
	n=$(finalized_number "$RPC_PORT")
	if [ "$n" != "$last" ]; then
		printf '  finalized block #%s\n' "$n"
		last=$n
	fi
	sleep 0.5
done
[ "$last" -gt 0 ] || die "no block was finalized; see $workdir/node.log"
log "done: the dev chain finalized $last blocks"
