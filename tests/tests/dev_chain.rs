//! A `--dev` node seals and finalizes blocks at once, accepts a signed transfer over
//! JSON-RPC, serves Prometheus metrics, and keeps its chain across a SIGKILL.

use std::time::Duration;

use sp_keyring::Sr25519Keyring;
use verinfer_e2e::*;
use verinfer_runtime::{BalancesCall, RuntimeCall, INF};

const STARTUP: Duration = Duration::from_secs(60);
const SHORT: Duration = Duration::from_secs(20);

fn dev_node(dir: &std::path::Path) -> anyhow::Result<Node> {
	Node::start("dev", &dir.join("dev"), &["--dev", "--dev-block-time", "500"])
}

#[tokio::test]
async fn dev_node_finalizes_blocks_and_a_signed_transfer() -> anyhow::Result<()> {
	let dir = tempfile::tempdir()?;
	let node = dev_node(dir.path())?;
	let rpc = node.rpc()?;

	// Blocks are sealed and finalized without waiting for slots or GRANDPA rounds.
	let first = wait_finalized(&rpc, 1, STARTUP)
		.await
		.map_err(|e| e.context(node.log_tail(30)))?;
	let later = wait_finalized(&rpc, first.number + 3, SHORT).await?;
	assert!(later.number >= first.number + 3, "finality advances: {first:?} -> {later:?}");
	// Each block is finalized as it is sealed, so finality never trails the best block by
	// more than the block being sealed right now.
	let (b, f) = (best(&rpc).await?, finalized(&rpc).await?);
	assert!(f.number + 1 >= b.number, "finalized {f:?} trails best {b:?}");

	// Every dev block is a BABE VRF claim, so each one leaves fresh VRF randomness for the
	// next (what job assignment and audit draws use).
	let parent = block_hash(&rpc, later.number - 1).await?.expect("a finalized parent");
	let (a, b) =
		(author_vrf_output(&rpc, parent).await?, author_vrf_output(&rpc, later.hash).await?);
	assert!(a.is_some() && b.is_some(), "dev blocks carry VRF outputs: {a:?} {b:?}");
	assert_ne!(a, b, "each block's VRF output is its own");

	// A signed transfer from Alice to Bob is included and finalized.
	let bob = Sr25519Keyring::Bob.to_account_id();
	let bob_before = free_balance(&rpc, &bob).await?;
	let amount = 7 * INF;
	let call = RuntimeCall::Balances(BalancesCall::transfer_keep_alive {
		dest: bob.clone().into(),
		value: amount,
	});
	let from = finalized(&rpc).await?.number;
	let xt = sign(&rpc, &Sr25519Keyring::Alice.pair(), call).await?;
	submit(&rpc, &xt).await?;
	let included = wait_for("the transfer to be included", SHORT, || async {
		find_extrinsic(&rpc, from, &xt).await
	})
	.await?;
	wait_finalized(&rpc, included.number, SHORT).await?;
	assert_eq!(block_hash(&rpc, included.number).await?, Some(included.hash));
	assert_eq!(
		free_balance(&rpc, &bob).await? - bob_before,
		amount,
		"Bob received exactly the amount"
	);

	// The same transaction cannot be replayed: its nonce is spent.
	assert!(submit(&rpc, &xt).await.is_err(), "a replayed extrinsic is rejected");

	// Prometheus metrics report the finalized height.
	let metrics = metrics(node.ports.prometheus)?;
	assert!(
		metrics
			.lines()
			.any(|l| l.starts_with("substrate_block_height{status=\"finalized\"")),
		"metrics expose the finalized height"
	);
	Ok(())
}

#[tokio::test]
async fn dev_node_keeps_its_finalized_chain_across_sigkill() -> anyhow::Result<()> {
	let dir = tempfile::tempdir()?;
	let mut node = dev_node(dir.path())?;
	let rpc = node.rpc()?;

	let before = wait_finalized(&rpc, 5, STARTUP)
		.await
		.map_err(|e| e.context(node.log_tail(30)))?;
	node.kill();
	assert!(!node.is_running());
	node.restart()?;
	let rpc = node.rpc()?;

	// After the restart the node still has the block it had finalized, with the same hash,
	// and keeps building on it.
	let resumed = wait_for("the restarted node to answer", STARTUP, || async {
		Ok(finalized(&rpc).await.ok())
	})
	.await
	.map_err(|e| e.context(node.log_tail(30)))?;
	assert!(resumed.number >= before.number, "finalized {resumed:?} is not behind {before:?}");
	assert_eq!(
		block_hash(&rpc, before.number).await?,
		Some(before.hash),
		"the finalized block survived"
	);
	let after = wait_finalized(&rpc, resumed.number + 2, SHORT).await?;
	assert!(after.number > before.number);
	Ok(())
}
