#!/usr/bin/env bash
# Starts the four-validator local testnet (Alice, Bob, Charlie, Dave) on loopback from the
# committed chain spec, and stops it cleanly on Ctrl-C.
#
#   scripts/testnet.sh            keep chain data in .local/testnet between runs
#   scripts/testnet.sh --purge    start from genesis
#
# RPC: Alice 127.0.0.1:9944, Bob :9945, Charlie :9946, Dave :9947.
source "$(dirname "$0")/lib.sh"
[ -x "$NODE_BIN" ] || build_all

base="$REPO_ROOT/.local/testnet"
[ "${1:-}" = "--purge" ] && rm -rf "$base"
mkdir -p "$base"
spec="$REPO_ROOT/chain-specs/local-testnet.raw.json"
# Validators need a persistent libp2p key; fixed ones (1 to 4) make Alice's address known.
node_key() { printf '%064x' "$1"; }
printf '%s' "$(node_key 1)" > "$base/alice.node-key"
alice_peer=$("$NODE_BIN" key inspect-node-key --file "$base/alice.node-key")

pids=()
stop() {
	log "stopping the testnet"
	for pid in "${pids[@]}"; do kill -INT "$pid" 2>/dev/null || true; done
	wait
	exit 0
}
trap stop INT TERM

i=0
for name in alice bob charlie dave; do
	extra=(--node-key "$(node_key $((i + 1)))" --bootnodes "/ip4/127.0.0.1/tcp/30333/p2p/$alice_peer")
	[ "$name" = alice ] && extra=(--node-key "$(node_key 1)")
	"$NODE_BIN" --chain "$spec" --"$name" --validator --base-path "$base/$name" \
		--listen-addr "/ip4/127.0.0.1/tcp/$((30333 + i))" \
		--rpc-port $((9944 + i)) --prometheus-port $((9615 + i)) --no-telemetry --no-mdns \
		--allow-private-ip "${extra[@]}" >"$base/$name.log" 2>&1 &
	pids+=($!)
	log "$name: rpc 127.0.0.1:$((9944 + i)), metrics :$((9615 + i))/metrics, log $base/$name.log"
	i=$((i + 1))
done

wait_rpc 9944 120 || die "Alice did not start; see $base/alice.log"
log "testnet running; Ctrl-C stops it"
while true; do
	printf '  finalized: alice #%s  bob #%s  charlie #%s  dave #%s\n' \
		"$(finalized_number 9944 2>/dev/null || echo -)" "$(finalized_number 9945 2>/dev/null || echo -)" \
		"$(finalized_number 9946 2>/dev/null || echo -)" "$(finalized_number 9947 2>/dev/null || echo -)"
	sleep 6
done
