//! Faults around real workers on a dev node:
//! - a miner killed with SIGKILL while holding a job misses its commit deadline, is
//!   slashed for non-delivery, and the job is reassigned to another miner, who delivers;
//! - a miner whose node is killed and restarted reconnects with backoff and carries on.

use std::time::Duration;

use sp_core::crypto::Ss58Codec;
use sp_keyring::Sr25519Keyring;
use verinfer_e2e::*;
use verinfer_runtime::INF;

const STARTUP: Duration = Duration::from_secs(60);
const JOB: Duration = Duration::from_secs(120);



#[tokio::test]
async fn a_killed_miner_is_slashed_for_non_delivery_and_the_job_is_reassigned() -> anyhow::Result<()> {
	let dir = tempfile::tempdir()?;
	let (node, rpc) = start_dev_node(dir.path()).await?;
	let url = node.ws_url();

	let bob = Sr25519Keyring::Bob.to_account_id().to_ss58check();
	let eve = Sr25519Keyring::Eve.to_account_id().to_ss58check();
	let mut doomed = Worker::start("bob", dir.path(), &url, &["mine", "--key", "//Bob", "--bond", "2000", "--models", "digits-cnn"])?;
	wait_for("Bob's bond", STARTUP, || async { Ok((workers(&rpc, 0).await?.len() == 1).then_some(())) })
		.await
		.map_err(|e| e.context(doomed.log_tail(30)))?;
	// Bob dies holding his bond: the chain still assigns him the next job.
	doomed.kill();

	let submit = tokio::spawn({
		let url = url.clone();
		async move { submit_job(&url, &["--key", "//Alice", "--max-fee", "1", "digits", "--image-index", "7"], JOB).await }
	});
	let assigned = wait_for("the job to be assigned to Bob", STARTUP, || async {
		let j = job(&rpc, 0).await?;
		Ok((j["status"] == "Assigned").then_some(j))
	})
	.await?;
	assert_eq!(assigned["worker"], bob.as_str());

	// Eve comes up after the assignment, so only the reassignment can give her the job.
	let eve_worker = Worker::start("eve", dir.path(), &url, &["mine", "--key", "//Eve", "--bond", "2000", "--models", "digits-cnn"])?;
	let result = submit.await?.map_err(|e| e.context(eve_worker.log_tail(30)))?;
	assert_eq!(result["status"], "Finalized", "{result}");
	assert_eq!(result["accepted"], true, "{result}");
	assert_eq!(result["worker"], eve.as_str(), "the job was reassigned to Eve: {result}");
	assert_eq!(result["label"], result["digit"], "a correct classification: {result}");

	// Bob lost the governed missed-deadline share (5 %) of his bond and it is on his record.
	// He is still above the minimum stake, so still listed.
	let b = workers(&rpc, 0).await?.into_iter().find(|w| w["who"] == bob.as_str());
	let b = b.ok_or_else(|| anyhow::anyhow!("Bob is no longer an active worker"))?;
	let stake: u128 = b["stake"].as_str().unwrap_or("0").parse()?;
	assert_eq!(stake, 1_900 * INF, "5% of 2000 INF slashed: {b}");
	assert_eq!(b["missedDeadlines"], 1);
	Ok(())
}

#[tokio::test]
async fn a_miner_reconnects_after_its_node_restarts_and_keeps_mining() -> anyhow::Result<()> {
	let dir = tempfile::tempdir()?;
	let (mut node, rpc) = start_dev_node(dir.path()).await?;
	let url = node.ws_url();
	let miner = Worker::start("miner", dir.path(), &url, &["mine", "--key", "//Ferdie", "--bond", "2000", "--models", "digits-cnn"])?;
	wait_for("the miner's bond", STARTUP, || async { Ok((workers(&rpc, 0).await?.len() == 1).then_some(())) })
		.await
		.map_err(|e| e.context(miner.log_tail(30)))?;
	let first = submit_job(&url, &["--key", "//Alice", "digits", "--image-index", "1"], JOB).await?;
	assert_eq!(first["accepted"], true, "{first}");

	node.kill();
	tokio::time::sleep(Duration::from_secs(2)).await;
	node.restart()?;
	let rpc = node.rpc()?;
	wait_for("the node to answer again", STARTUP, || async { Ok(best(&rpc).await.ok()) }).await?;
	wait_for("the miner to reconnect", STARTUP, || async {
		Ok((miner.log().matches("following finalized blocks").count() >= 2).then_some(()))
	})
	.await
	.map_err(|e| e.context(miner.log_tail(30)))?;
	assert!(miner.log().contains("reconnecting in"), "the miner noticed the lost node");

	let second = submit_job(&url, &["--key", "//Alice", "digits", "--image-index", "2"], JOB).await?;
	assert_eq!(second["accepted"], true, "{second}");
	assert_eq!(second["job"], 1, "the chain kept job 0 across the restart");
	Ok(())
}
