//! The four-validator local testnet (Alice, Bob, Charlie, Dave) from the committed raw chain
//! spec: it finalizes; finality survives one validator killed with SIGKILL; the validator,
//! restarted on its base path, catches up.

use std::{path::Path, process::Command, time::Duration};

use anyhow::Context;
use verinfer_e2e::*;

const STARTUP: Duration = Duration::from_secs(120);
const PROGRESS: Duration = Duration::from_secs(90);

/// The libp2p peer id of the node key in `key_file`.
fn peer_id(key_file: &Path) -> anyhow::Result<String> {
	let out = Command::new(node_binary())
		.args(["key", "inspect-node-key", "--file"])
		.arg(key_file)
		.output()?;
	anyhow::ensure!(out.status.success(), "inspect-node-key: {}", String::from_utf8_lossy(&out.stderr));
	Ok(String::from_utf8(out.stdout)?.trim().to_string())
}

/// A fixed libp2p key for validator `n` (validators must keep a persistent network key;
/// fixed ones make the bootnode's address known in advance).
fn node_key(n: u8) -> String {
	format!("{:064x}", n)
}

fn validator(dir: &Path, name: &str, n: u8, extra: &[&str]) -> anyhow::Result<Node> {
	let spec = repo_root().join("chain-specs/local-testnet.raw.json");
	let spec = spec.to_str().context("utf-8 path")?;
	let key = node_key(n);
	let flag = format!("--{name}");
	let mut args =
		vec!["--chain", spec, "--validator", "--allow-private-ip", "--rpc-methods", "safe", "--node-key", &key, &flag];
	args.extend_from_slice(extra);
	Node::start(name, &dir.join(name), &args)
}

#[tokio::test]
async fn local_network_finalizes_and_survives_a_killed_validator() -> anyhow::Result<()> {
	let dir = tempfile::tempdir()?;
	let key_file = dir.path().join("alice.node-key");
	std::fs::write(&key_file, node_key(1))?;
	let alice = validator(dir.path(), "alice", 1, &[])?;
	let bootnode = alice.multiaddr(&peer_id(&key_file)?);
	let bob = validator(dir.path(), "bob", 2, &["--bootnodes", &bootnode])?;
	let charlie = validator(dir.path(), "charlie", 3, &["--bootnodes", &bootnode])?;
	let mut dave = validator(dir.path(), "dave", 4, &["--bootnodes", &bootnode])?;

	// All four finalize together.
	for node in [&alice, &bob, &charlie, &dave] {
		wait_finalized(&node.rpc()?, 3, STARTUP)
			.await
			.map_err(|e| e.context(format!("{}:\n{}", node.name, node.log_tail(40))))?;
	}

	// Kill Dave. Three of four GRANDPA voters are a supermajority, so finality goes on.
	dave.kill();
	let alice_rpc = alice.rpc()?;
	let at_kill = finalized(&alice_rpc).await?;
	let progressed = wait_finalized(&alice_rpc, at_kill.number + 3, PROGRESS)
		.await
		.map_err(|e| e.context(alice.log_tail(40)))?;
	for node in [&bob, &charlie] {
		let rpc = node.rpc()?;
		wait_finalized(&rpc, progressed.number, PROGRESS).await?;
		assert_eq!(
			block_hash(&rpc, progressed.number).await?,
			Some(progressed.hash),
			"{} agrees on finalized #{}",
			node.name,
			progressed.number
		);
	}

	// Dave restarts on its base path and catches up with the network.
	dave.restart()?;
	let dave_rpc = dave.rpc()?;
	let target = finalized(&alice_rpc).await?;
	wait_for("Dave to catch up", STARTUP, || async {
		Ok(finalized(&dave_rpc).await.ok().filter(|f| f.number >= target.number))
	})
	.await
	.map_err(|e| e.context(dave.log_tail(40)))?;
	assert_eq!(block_hash(&dave_rpc, target.number).await?, Some(target.hash), "Dave is on the same chain");
	// And finality keeps going with all four again.
	wait_finalized(&dave_rpc, target.number + 2, PROGRESS).await?;
	Ok(())
}
