//! Local networks of validators (Alice, Bob, Charlie, Dave) started from one chain spec.

use std::{
	path::{Path, PathBuf},
	process::Command,
};

use anyhow::Context;

use crate::{node_binary, repo_root, Node};

/// The validators of the `local_testnet` preset, in order.
pub const VALIDATORS: [&str; 4] = ["alice", "bob", "charlie", "dave"];

/// The committed raw spec of the four-validator local testnet.
pub fn local_spec() -> PathBuf {
	repo_root().join("chain-specs/local-testnet.raw.json")
}

/// The four-validator `local_testnet` genesis with two changes that let a test finish in
/// minutes: governance at the development pace, and the dev job parameters (every job
/// audited by one auditor, short windows). Written to `dir` as a (non-raw) chain spec.
pub fn fast_local_spec(dir: &Path) -> anyhow::Result<PathBuf> {
	let out = Command::new(node_binary())
		.args(["export-chain-spec", "--chain", "local"])
		.output()
		.context("running verinfer-node export-chain-spec")?;
	anyhow::ensure!(
		out.status.success(),
		"export-chain-spec: {}",
		String::from_utf8_lossy(&out.stderr)
	);
	let mut spec: serde_json::Value = serde_json::from_slice(&out.stdout)?;
	spec["id"] = "verinfer_fast_local".into();
	spec["protocolId"] = "verinfer-fast-local".into();
	let patch = &mut spec["genesis"]["runtimeGenesis"]["patch"];
	anyhow::ensure!(patch.is_object(), "the exported spec has no genesis patch: {spec}");
	patch["origins"]["pace"] = "Development".into();
	patch["jobs"]["params"] =
		serde_json::to_value(verinfer_runtime::genesis_config_presets::job_params(true))?;
	let path = dir.join("fast-local-spec.json");
	std::fs::write(&path, serde_json::to_vec_pretty(&spec)?)?;
	Ok(path)
}

/// A fixed libp2p key for validator `n` (validators keep a persistent network key; fixed
/// ones make the bootnode's address known in advance).
pub fn node_key(n: usize) -> String {
	format!("{:064x}", n)
}

/// The libp2p peer id of node key `key`.
pub fn peer_id(dir: &Path, key: &str) -> anyhow::Result<String> {
	let key_file = dir.join("bootnode.node-key");
	std::fs::write(&key_file, key)?;
	let out = Command::new(node_binary())
		.args(["key", "inspect-node-key", "--file"])
		.arg(&key_file)
		.output()?;
	anyhow::ensure!(
		out.status.success(),
		"inspect-node-key: {}",
		String::from_utf8_lossy(&out.stderr)
	);
	Ok(String::from_utf8(out.stdout)?.trim().to_string())
}

/// Starts validator `VALIDATORS[n]` on `spec`, with its dev keys (`--alice`, ...), under
/// `dir/<name>`; `extra` adds arguments such as `--bootnodes`.
pub fn validator(dir: &Path, spec: &Path, n: usize, extra: &[&str]) -> anyhow::Result<Node> {
	let name = VALIDATORS[n];
	let spec = spec.to_str().context("utf-8 chain spec path")?;
	let key = node_key(n + 1);
	let flag = format!("--{name}");
	let mut args = vec![
		"--chain",
		spec,
		"--validator",
		"--allow-private-ip",
		"--rpc-methods",
		"safe",
		"--node-key",
		&key,
		&flag,
	];
	args.extend_from_slice(extra);
	Node::start(name, &dir.join(name), &args)
}

/// Starts all four validators on `spec`; Alice is everyone's bootnode.
pub fn start_validators(dir: &Path, spec: &Path) -> anyhow::Result<Vec<Node>> {
	let alice = validator(dir, spec, 0, &[])?;
	let bootnode = alice.multiaddr(&peer_id(dir, &node_key(1))?);
	let mut nodes = vec![alice];
	for n in 1..VALIDATORS.len() {
		nodes.push(validator(dir, spec, n, &["--bootnodes", &bootnode])?);
	}
	Ok(nodes)
}

/// The last `lines` log lines of every node in `nodes`, each under its name: the context
/// of a failure on a network.
pub fn network_logs(nodes: &[Node], lines: usize) -> String {
	nodes
		.iter()
		.map(|n| format!("{}:\n{}", n.name, n.log_tail(lines)))
		.collect::<Vec<_>>()
		.join("\n")
}

/// Waits, up to `timeout` each, until every node in `nodes` has finalized block `number`;
/// on failure the error carries every node's last `lines` log lines.
pub async fn wait_network_finalized(
	nodes: &[Node],
	number: u32,
	timeout: std::time::Duration,
	lines: usize,
) -> anyhow::Result<()> {
	for node in nodes {
		crate::wait_finalized(&node.rpc()?, number, timeout)
			.await
			.map_err(|e| e.context(network_logs(nodes, lines)))?;
	}
	Ok(())
}

/// Starts the four validators on `spec` ([`start_validators`]) and waits until each has
/// finalized block 2.
pub async fn start_network(
	dir: &Path,
	spec: &Path,
	timeout: std::time::Duration,
	lines: usize,
) -> anyhow::Result<Vec<Node>> {
	let nodes = start_validators(dir, spec)?;
	wait_network_finalized(&nodes, 2, timeout, lines).await?;
	Ok(nodes)
}
