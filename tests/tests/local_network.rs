//! The four-validator local testnet (Alice, Bob, Charlie, Dave) from the committed raw chain
//! spec: it finalizes; finality survives one validator killed with SIGKILL; the validator,
//! restarted on its base path, catches up.

use std::time::Duration;

use anyhow::Context;
use verinfer_e2e::*;

const STARTUP: Duration = Duration::from_secs(120);
const PROGRESS: Duration = Duration::from_secs(90);

#[tokio::test]
async fn local_network_finalizes_and_survives_a_killed_validator() -> anyhow::Result<()> {
	let dir = tempfile::tempdir()?;
	let mut nodes = start_validators(dir.path(), &local_spec())?;
	let mut dave = nodes.pop().context("four validators")?;
	let [alice, bob, charlie] =
		<[Node; 3]>::try_from(nodes).map_err(|_| anyhow::anyhow!("four validators"))?;

	// All four finalize together.
	for node in [&alice, &bob, &charlie, &dave] {
		wait_finalized(&node.rpc()?, 3, STARTUP)
			.await
			.map_err(|e| e.context(format!("{}:\n{}", node.name, node.log_tail(40))))?;
	}

	// BABE: every finalized block has its author's VRF output, the same on every node (the
	// randomness of job assignment and audit draws), and a new one each block.
	let head = finalized(&alice.rpc()?).await?;
	let parent = block_hash(&alice.rpc()?, head.number - 1)
		.await?
		.context("a finalized parent")?;
	let output = author_vrf_output(&alice.rpc()?, head.hash).await?;
	assert!(output.is_some(), "block #{} has a VRF output", head.number);
	assert_ne!(output, author_vrf_output(&alice.rpc()?, parent).await?, "a new output each block");
	for node in [&bob, &charlie, &dave] {
		let rpc = node.rpc()?;
		wait_finalized(&rpc, head.number, PROGRESS).await?;
		assert_eq!(author_vrf_output(&rpc, head.hash).await?, output, "{} agrees", node.name);
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
	assert_eq!(
		block_hash(&dave_rpc, target.number).await?,
		Some(target.hash),
		"Dave is on the same chain"
	);
	// And finality keeps going with all four again.
	wait_finalized(&dave_rpc, target.number + 2, PROGRESS).await?;
	Ok(())
}
