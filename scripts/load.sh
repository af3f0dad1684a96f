#!/usr/bin/env bash
# A bounded load run: one `--dev` node, one CPU miner and one auditor, and CLIENTS dApp
# accounts that each submit jobs back to back (alternating the two models) for DURATION
# seconds. Prints jobs finished, end-to-end latency (p50, p99, from submission to the
# final result), jobs per block, the busiest block, the share of the block weight limit the
# blocks used (mean and max), and the miner's inference utilisation.
#
# Usage: DURATION=60 CLIENTS=4 scripts/load.sh
source "$(dirname "$0")/lib.sh"
"$REPO_ROOT/scripts/setup.sh"
build_all
build_worker

DURATION="${DURATION:-60}"
CLIENTS="${CLIENTS:-4}"
PORT="${RPC_PORT:-9955}"
MINER_METRICS="${MINER_METRICS:-9656}"
accounts=(//Alice //Dave //Eve //Ferdie //Alice//stash //Bob//stash //Charlie//stash //Dave//stash)
[ "$CLIENTS" -le "${#accounts[@]}" ] || die "at most ${#accounts[@]} clients"
work="$(mktemp -d)"
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	if [ -n "${KEEP:-}" ]; then log "logs kept in $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT INT TERM

"$NODE_BIN" --dev --base-path "$work/chain" --rpc-port "$PORT" --no-telemetry --prometheus-port 0 \
	--rpc-max-connections 1000 >"$work/node.log" 2>&1 &
pids+=($!)
wait_rpc "$PORT" 120 || die "the node did not start; see $work/node.log"
url="ws://127.0.0.1:$PORT"
"$VERINFER_WORKER" mine --url "$url" --key //Bob --bond 2000 --prometheus-port "$MINER_METRICS" >"$work/miner.log" 2>&1 &
pids+=($!)
"$VERINFER_WORKER" verify --url "$url" --key //Charlie --bond 6000 --prometheus-port 0 >"$work/auditor.log" 2>&1 &
pids+=($!)
for role in miner auditor; do
	until grep -q "following finalized blocks" "$work/$role.log"; do sleep 0.5; done
done
start_block=$(finalized_number "$PORT")
log "load: $CLIENTS clients for $DURATION s from block #$start_block"

client() {
	local key=$1 out=$2 end=$((SECONDS + DURATION)) i=0
	while [ "$SECONDS" -lt "$end" ]; do
		if [ $((i % 2)) -eq 0 ]; then
			"$VERINFER_WORKER" submit --url "$url" --key "$key" --timeout 120 digits --image-index $((RANDOM % 1797)) 2>>"$out.err"
		else
			"$VERINFER_WORKER" submit --url "$url" --key "$key" --timeout 120 text "load test sentence number $i from $key" 2>>"$out.err"
		fi | jq -c '{job, model, seconds, verdict, audited}' >>"$out" || echo '{"failed":true}' >>"$out"
		i=$((i + 1))
	done
}
t0=$SECONDS
for c in $(seq 0 $((CLIENTS - 1))); do
	client "${accounts[$c]}" "$work/client$c.jsonl" &
	pids+=($!)
done
for c in $(seq 0 $((CLIENTS - 1))); do wait "${pids[$((3 + c))]}"; done
elapsed=$((SECONDS - t0))
end_block=$(finalized_number "$PORT")

cat "$work"/client*.jsonl >"$work/all.jsonl"
done_jobs=$(jq -s '[.[] | select(.verdict != null)] | length' "$work/all.jsonl")
failed=$(jq -s '[.[] | select(.failed == true)] | length' "$work/all.jsonl")
lat=$(jq -s '[.[] | select(.seconds != null) | .seconds] | sort' "$work/all.jsonl")
p50=$(jq -r '.[(length * 0.5 | floor)]' <<<"$lat")
p99=$(jq -r '.[((length - 1) * 0.99 | floor)]' <<<"$lat")
audited=$(jq -s '[.[] | select(.audited == true)] | length' "$work/all.jsonl")
# The SCALE compact integers in a hex string, one per line.
compacts() {
	local hex=${1#0x} i=0 b v j len
	while [ "$i" -lt "${#hex}" ]; do
		b=$((16#${hex:i:2}))
		case $((b & 3)) in
			0) v=$((b >> 2)); i=$((i + 2)) ;;
			1) v=$(((16#${hex:i+2:2} << 8 | b) >> 2)); i=$((i + 4)) ;;
			2) v=$(((16#${hex:i+6:2} << 24 | 16#${hex:i+4:2} << 16 | 16#${hex:i+2:2} << 8 | b) >> 2)); i=$((i + 8)) ;;
			3)
				len=$(((b >> 2) + 4)) v=0
				for ((j = len; j >= 1; j--)); do v=$((v << 8 | 16#${hex:i+2*j:2})); done
				i=$((i + 2 + 2 * len))
				;;
		esac
		echo "$v"
	done
}
# System::BlockWeight (per dispatch class: ref_time, proof_size) and the runtime's limit,
# half a second of ref_time (RuntimeBlockWeights in runtime/src/configs/mod.rs).
block_weight_key=0x26aa394eea5630e07c48ae0c9558cef734abf5cb34d6244378cddbf18e849d96
max_ref_time=500000000000
busiest=0 weight_sum=0 weight_max=0
for n in $(seq "$start_block" "$end_block"); do
	h=$(rpc "$PORT" chain_getBlockHash "[$n]" | jq -r .result)
	x=$(rpc "$PORT" chain_getBlock "[\"$h\"]" | jq '.result.block.extrinsics | length')
	[ "$x" -gt "$busiest" ] && busiest=$x
	w=$(rpc "$PORT" state_getStorage "[\"$block_weight_key\", \"$h\"]" | jq -r '.result // "0x000000000000"')
	ref=$(compacts "$w" | awk 'NR % 2 == 1 {s += $1} END {printf "%.0f\n", s}')
	echo "#$n extrinsics=$x ref_time=$ref" >>"$work/blocks.txt"
	weight_sum=$((weight_sum + ref))
	[ "$ref" -gt "$weight_max" ] && weight_max=$ref
done
infer=$(curl -s "127.0.0.1:$MINER_METRICS/metrics" | awk '/^verinfer_worker_inference_seconds_sum/ {s += $2} END {print s + 0}')
blocks=$((end_block - start_block))
printf '\nload run: %s clients, %s s, blocks #%s..#%s\n' "$CLIENTS" "$elapsed" "$start_block" "$end_block"
printf '  jobs finalized        %s (%s audited), client failures %s\n' "$done_jobs" "$audited" "$failed"
printf '  throughput            %.2f jobs/s, %.2f jobs per block (%s blocks)\n' \
	"$(jq -n "$done_jobs / $elapsed")" "$(jq -n "$done_jobs / ($blocks + 0.0001)")" "$blocks"
printf '  latency submit->final p50 %s s, p99 %s s\n' "$p50" "$p99"
printf '  busiest block         %s extrinsics (incl. the timestamp inherent)\n' "$busiest"
printf '  block weight used     mean %.2f %%, max %.2f %% of the limit (%s ms of ref_time per block)\n' \
	"$(jq -n "100 * $weight_sum / ($blocks + 1) / $max_ref_time")" "$(jq -n "100 * $weight_max / $max_ref_time")" \
	"$((max_ref_time / 1000000000))"
printf '  miner inference time  %.2f s of %s s wall (%.1f %% utilisation)\n' "$infer" "$elapsed" "$(jq -n "100 * $infer / $elapsed")"
