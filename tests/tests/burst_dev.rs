//! A burst of 200 MiniLM jobs, submitted at once from 20 accounts, on a `--dev` node with
//! one miner and one auditor (every job audited: the dev parameters). The chain assigns
//! the miner no more than its declared capacity, the dev chain seals at a steady pace, and
//! the workers settle in batches: every job ends accepted (or refunded after waiting in
//! the queue), no extrinsic of the workers fails, their bonds are untouched, and every
//! account's balance accounts to the unit. See `verinfer_e2e::burst_and_check`.

use std::time::Duration;

use sp_keyring::Sr25519Keyring::{Bob, Charlie};
use verinfer_e2e::*;

const STARTUP: Duration = Duration::from_secs(120);

#[tokio::test]
async fn a_burst_on_the_dev_chain_settles_without_slashing_anyone() -> anyhow::Result<()> {
	let dir = tempfile::tempdir()?;
	let (node, rpc) = start_dev_node(dir.path()).await?;
	let url = node.ws_url();
	let miner = Worker::start(
		"miner",
		dir.path(),
		&url,
		&["mine", "--key", "//Bob", "--bond", "2000", "--models", "all-MiniLM-L6-v2"],
	)?;
	let auditor = Worker::start(
		"auditor",
		dir.path(),
		&url,
		&["verify", "--key", "//Charlie", "--bond", "6000"],
	)?;
	let logs = |e: anyhow::Error| {
		e.context(format!(
			"{}\n{}\n{}",
			miner.log_tail(40),
			auditor.log_tail(20),
			node.log_tail(20)
		))
	};
	wait_on_duty(&rpc, &[(1, 1)], &[&auditor], STARTUP).await.map_err(logs)?;
	let capacity = workers(&rpc, 1).await?[0]["capacity"].as_u64().unwrap_or_default();
	assert!((1..=64).contains(&capacity), "the miner declared a measured capacity: {capacity}");

	let outcome = burst_and_check(
		&rpc,
		(Bob, &miner),
		(Charlie, &auditor),
		200,
		20,
		Duration::from_secs(900),
	)
	.await
	.map_err(logs)?;
	assert!(outcome.accepted >= 100, "most of the burst is settled, not refunded: {outcome:?}");
	Ok(())
}
