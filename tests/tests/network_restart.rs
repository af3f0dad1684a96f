//! Every validator of a four-validator network killed at once with SIGKILL, then restarted
//! on its base path: nothing finalized is lost, finality resumes, and a job that was in
//! flight when the network went down is completed by the miner and the auditor, which
//! reconnect by themselves.

use std::time::Duration;

use jsonrpsee::http_client::HttpClient;
use sp_keyring::Sr25519Keyring::Alice;
use verinfer_e2e::*;
use verinfer_runtime::{RuntimeCall, INF};

const STARTUP: Duration = Duration::from_secs(120);
const JOB: Duration = Duration::from_secs(180);

#[tokio::test]
async fn the_whole_network_restarts_and_a_pending_job_carries_on() -> anyhow::Result<()> {
	let dir = tempfile::tempdir()?;
	let spec = fast_local_spec(dir.path())?;
	let mut nodes = start_network(dir.path(), &spec, STARTUP, 15).await?;
	let node_logs = |nodes: &[Node]| network_logs(nodes, 15);
	let rpcs: Vec<HttpClient> = nodes.iter().map(Node::rpc).collect::<anyhow::Result<_>>()?;
	let rpc = &rpcs[0];

	let miner = Worker::start(
		"miner",
		dir.path(),
		&nodes[1].ws_url(),
		&["mine", "--key", "//Eve", "--bond", "2000"],
	)?;
	let auditor = Worker::start(
		"auditor",
		dir.path(),
		&nodes[2].ws_url(),
		&["verify", "--key", "//Ferdie", "--bond", "6000"],
	)?;
	let logs =
		|e: anyhow::Error| e.context(format!("{}\n{}", miner.log_tail(30), auditor.log_tail(30)));
	wait_for("the miner and the auditor to bond", STARTUP, || async {
		// Both follow finalized blocks, so their bonds are final before the network goes down.
		let ready = !workers(rpc, 0).await?.is_empty()
			&& miner.log().contains("following finalized blocks")
			&& auditor.log().contains("following finalized blocks");
		Ok(ready.then_some(()))
	})
	.await
	.map_err(logs)?;

	// A digits job goes in; the whole network goes down before it is done.
	let input: Vec<u8> = (0..784u32).map(|i| (i * 37 % 256) as u8).collect();
	let call = RuntimeCall::Jobs(pallet_jobs::Call::submit_job {
		model: 0,
		input: input.try_into().map_err(|_| anyhow::anyhow!("input too long"))?,
		max_fee: INF,
		deadline: None,
	});
	submit_and_include(rpc, Alice, call).await?;
	let in_flight = job(rpc, 0).await?;
	assert_ne!(
		in_flight["status"], "Finalized",
		"the job is still in flight when the network goes down: {in_flight}"
	);
	let before = finalized(rpc).await?;
	for node in &mut nodes {
		node.kill();
	}
	for node in &mut nodes {
		node.restart()?;
	}

	// Every validator still has the finalized block, and finality goes past it.
	for (node, node_rpc) in nodes.iter().zip(&rpcs) {
		wait_finalized(node_rpc, before.number + 3, STARTUP)
			.await
			.map_err(|e| e.context(node_logs(&nodes)))?;
		assert_eq!(
			block_hash(node_rpc, before.number).await?,
			Some(before.hash),
			"{} kept finalized #{} across the restart",
			node.name,
			before.number
		);
	}

	// The job that was in flight reaches its audited result.
	let done = wait_job_status(rpc, 0, "Finalized", JOB)
		.await
		.map_err(|e| logs(e.context(node_logs(&nodes))))?;
	let result: serde_json::Value =
		jsonrpsee::core::client::ClientT::request(rpc, "jobs_getResult", jsonrpsee::rpc_params![0])
			.await?;
	assert_eq!(result["verdict"], "AcceptedByAudit", "job {done} -> {result}");
	assert!(
		miner.log().contains("lost the node"),
		"the miner lost its node and reconnected:\n{}",
		miner.log_tail(30)
	);
	Ok(())
}
