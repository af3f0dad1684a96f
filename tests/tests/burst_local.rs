//! A burst of 200 MiniLM jobs, submitted at once from 20 accounts, on the four-validator
//! local network (the committed `--chain local` spec: BABE, GRANDPA, production job
//! parameters), with one miner (Ferdie) and one auditor (Eve). Every job ends accepted
//! (or refunded after waiting in the queue), no extrinsic of the workers fails, their
//! bonds are untouched with no missed deadline, and every account's balance accounts to
//! the unit. See `verinfer_e2e::burst_and_check`.

use std::time::Duration;

use sp_keyring::Sr25519Keyring::{Eve, Ferdie};
use verinfer_e2e::*;

const STARTUP: Duration = Duration::from_secs(180);

#[tokio::test]
async fn a_burst_on_the_local_network_settles_without_slashing_anyone() -> anyhow::Result<()> {
	let dir = tempfile::tempdir()?;
	let nodes = start_network(dir.path(), &local_spec(), STARTUP, 10).await?;
	let node_logs = || network_logs(&nodes, 10);
	let rpc = nodes[0].rpc()?;
	let miner = Worker::start(
		"miner",
		dir.path(),
		&nodes[1].ws_url(),
		&["mine", "--key", "//Ferdie", "--bond", "2000", "--models", "all-MiniLM-L6-v2"],
	)?;
	let auditor = Worker::start(
		"auditor",
		dir.path(),
		&nodes[2].ws_url(),
		&["verify", "--key", "//Eve", "--bond", "6000"],
	)?;
	let logs = |e: anyhow::Error| {
		e.context(format!("{}\n{}\n{}", miner.log_tail(40), auditor.log_tail(20), node_logs()))
	};
	wait_on_duty(&rpc, &[(1, 1)], &[&auditor], STARTUP).await.map_err(logs)?;

	let outcome =
		burst_and_check(&rpc, (Ferdie, &miner), (Eve, &auditor), 200, 20, Duration::from_secs(900))
			.await
			.map_err(logs)?;
	assert!(outcome.accepted >= 100, "most of the burst is settled, not refunded: {outcome:?}");
	Ok(())
}
