//! A runtime upgrade by referendum on a running four-validator network: token holders pass
//! a `root` referendum whose call is `system.setCode` with this runtime built one
//! `spec_version` later (`verinfer_runtime::next_spec_version`, compressed as a release
//! build ships it). Every validator moves to the new version, the chain keeps finalizing,
//! and a real miner and auditor keep completing jobs across the upgrade.
//!
//! The network runs the `local_testnet` genesis with two changes, so that the test fits in
//! minutes: governance at the development pace, and the dev job parameters (every job
//! audited by one auditor).

use std::time::Duration;

use anyhow::Context;
use jsonrpsee::{core::client::ClientT, http_client::HttpClient, rpc_params};
use serde_json::Value;
use sp_core::H256;
use sp_keyring::Sr25519Keyring::*;
use verinfer_e2e::*;
use verinfer_runtime::{OriginCaller, RuntimeCall, INF};

const STARTUP: Duration = Duration::from_secs(120);
const JOB: Duration = Duration::from_secs(180);
/// Prepare (1 block), decision until the support curve meets the votes, confirm (2), then
/// enactment: well under a minute of 2-second blocks; leave room for slow CI.
const UPGRADE: Duration = Duration::from_secs(240);
const PROGRESS: Duration = Duration::from_secs(90);

/// The runtime's `spec_version` at `at` (the best block if `None`).
async fn spec_version(rpc: &HttpClient, at: Option<H256>) -> anyhow::Result<u64> {
	let version: Value = rpc.request("state_getRuntimeVersion", rpc_params![at]).await?;
	version["specVersion"].as_u64().context("specVersion")
}

/// A digits job through the real miner and auditor; checks the verified answer.
async fn digits_job(url: &str, index: &str, expected: u64) -> anyhow::Result<()> {
	let result =
		submit_job(url, &["--key", "//Alice", "digits", "--image-index", index], JOB).await?;
	anyhow::ensure!(result["verdict"] == "AcceptedByAudit", "the auditor agreed: {result}");
	anyhow::ensure!(
		result["digit"] == expected,
		"sklearn digit #{index} is a {expected}: {result}"
	);
	Ok(())
}

#[tokio::test]
async fn a_root_referendum_upgrades_the_runtime_of_a_running_network() -> anyhow::Result<()> {
	let dir = tempfile::tempdir()?;
	let spec = fast_local_spec(dir.path())?;
	let nodes = start_network(dir.path(), &spec, STARTUP, 15).await?;
	let node_logs = || network_logs(&nodes, 15);
	let rpc = nodes[0].rpc()?;

	// A miner and an auditor, on Bob's node; a dApp (Alice) on Alice's.
	let worker_url = nodes[1].ws_url();
	let miner = Worker::start(
		"miner",
		dir.path(),
		&worker_url,
		&["mine", "--key", "//Eve", "--bond", "2000"],
	)?;
	let auditor = Worker::start(
		"auditor",
		dir.path(),
		&worker_url,
		&["verify", "--key", "//Ferdie", "--bond", "6000"],
	)?;
	let logs = |e: anyhow::Error| {
		e.context(format!("{}\n{}\n{}", miner.log_tail(30), auditor.log_tail(30), node_logs()))
	};
	wait_on_duty(&rpc, &[(0, 1)], &[&auditor], STARTUP).await.map_err(logs)?;
	let dapp_url = nodes[0].ws_url();
	digits_job(&dapp_url, "0", 0).await.map_err(logs)?;

	// The upgrade: `system.setCode` with the next runtime, by a `root` referendum that the
	// four validators and their stashes (60% of the issuance) vote through.
	let before = spec_version(&rpc, None).await?;
	let wasm = verinfer_runtime::next_spec_version::WASM_BINARY
		.context("the runtime build script did not build the next-spec-version Wasm")?;
	let code = sp_maybe_compressed_blob::compress_strongly(
		wasm,
		sp_maybe_compressed_blob::CODE_BLOB_BOMB_LIMIT,
	)
	.context("compressing the runtime")?;
	let voters = [Alice, Bob, Charlie, Dave, AliceStash, BobStash, CharlieStash, DaveStash];
	propose_and_vote(
		&rpc,
		0,
		OriginCaller::system(frame_system::RawOrigin::Root),
		RuntimeCall::System(frame_system::Call::set_code { code }),
		&voters,
		900_000 * INF,
	)
	.await
	.map_err(logs)?;

	// Every validator runs the new version, and it is final.
	for node in &nodes {
		let node_rpc = node.rpc()?;
		wait_for(&format!("{} to finalize the upgrade", node.name), UPGRADE, || async {
			let head = finalized(&node_rpc).await?;
			Ok((spec_version(&node_rpc, Some(head.hash)).await? == before + 1).then_some(()))
		})
		.await
		.map_err(logs)?;
	}

	// Finality goes on, and all four agree on it.
	let upgraded = finalized(&rpc).await?;
	let target = upgraded.number + 4;
	let progressed = wait_finalized(&rpc, target, PROGRESS).await.map_err(logs)?;
	for node in &nodes[1..] {
		let node_rpc = node.rpc()?;
		wait_finalized(&node_rpc, target, PROGRESS).await.map_err(logs)?;
		let hash = block_hash(&node_rpc, target).await?;
		let ours = block_hash(&rpc, target).await?;
		assert_eq!(
			hash, ours,
			"{} agrees on finalized #{target} (Alice at #{})",
			node.name, progressed.number
		);
	}

	// The same miner and auditor, never restarted, complete a job on the new runtime.
	digits_job(&dapp_url, "7", 7).await.map_err(logs)?;
	Ok(())
}
