# Shared by the scripts: one target directory, one profile, one feature set, so that the
# demo, the tests and CI reuse each other's builds. Source it; don't run it.
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/verinfer-target}"
# The runtime's Wasm is built by substrate-wasm-builder inside CARGO_TARGET_DIR; this tells
# it where the workspace (and its Cargo.lock) is.
export WASM_BUILD_WORKSPACE_HINT="$REPO_ROOT"
# Panic locations put source paths into the runtime's Wasm. Remapping them makes the Wasm,
# and so the committed chain spec, the same whichever directory the repository and the
# cargo registry are in.
export WASM_BUILD_RUSTFLAGS="--remap-path-prefix=$REPO_ROOT=/verinfer --remap-path-prefix=${CARGO_HOME:-$HOME/.cargo}/registry/src=/cargo-registry"
export NODE_BIN="$CARGO_TARGET_DIR/debug/verinfer-node"
# The worker is its own cargo workspace (burn never enters the node's build), built in
# release (inference in debug is far too slow) in a target directory of its own.
export WORKER_TARGET_DIR="${WORKER_TARGET_DIR:-$HOME/.cache/verinfer-worker-target}"
export VERINFER_WORKER="$WORKER_TARGET_DIR/release/verinfer-worker"
export VERINFER_MODELS_DIR="${VERINFER_MODELS_DIR:-$REPO_ROOT/.models}"

log() { printf '\033[1;34m==>\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31merror:\033[0m %s\n' "$*" >&2; exit 1; }

# Builds every crate of the workspace, tests included, with the one feature set.
build_all() {
	log "building the workspace (a cold build takes about 14 minutes on 2 cores; later ones are quick)"
	(cd "$REPO_ROOT" && cargo build --workspace --all-targets --locked)
	[ -x "$NODE_BIN" ] || die "cargo finished but $NODE_BIN is missing"
}

# Fetches the model files and builds the release worker (and its tests).
build_worker() {
	"$REPO_ROOT/scripts/fetch-models.sh"
	log "building verinfer-worker (release; a cold build takes about 10 minutes on 2 cores)"
	(cd "$REPO_ROOT/worker" && CARGO_TARGET_DIR="$WORKER_TARGET_DIR" cargo build --release --all-targets --locked)
	[ -x "$VERINFER_WORKER" ] || die "cargo finished but $VERINFER_WORKER is missing"
}

# JSON-RPC call over HTTP: rpc PORT METHOD [PARAMS-JSON]
rpc() {
	curl -sf -H 'Content-Type: application/json' \
		-d "{\"id\":1,\"jsonrpc\":\"2.0\",\"method\":\"$2\",\"params\":${3:-[]}}" \
		"http://127.0.0.1:$1"
}

# Waits until a node answers JSON-RPC on PORT, for at most SECONDS: wait_rpc PORT SECONDS
wait_rpc() {
	local deadline=$((SECONDS + $2))
	until rpc "$1" system_health >/dev/null 2>&1; do
		[ "$SECONDS" -lt "$deadline" ] || return 1
		sleep 0.5
	done
}

# The number of the last finalized block on the node at PORT.
finalized_number() {
	local head
	head=$(rpc "$1" chain_getFinalizedHead | jq -r .result)
	printf '%d\n' "$(rpc "$1" chain_getHeader "[\"$head\"]" | jq -r .result.number)"
}
