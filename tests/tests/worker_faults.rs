//! Faults around real workers on a dev node:
//! - a miner killed with SIGKILL while holding a job misses its commit deadline, is
//!   slashed for non-delivery, and the job is reassigned to another miner, who delivers;
//! - a miner whose node is killed and restarted reconnects with backoff and carries on;
//! - a miner killed in the middle of a burst of jobs: the jobs it held are reassigned or
//!   refunded, and it loses only the proportionate missed-deadline slash per job, until
//!   repeated misses take it off duty.

use std::time::Duration;

use sp_core::crypto::Ss58Codec;
use sp_keyring::Sr25519Keyring;
use verinfer_e2e::*;
use verinfer_runtime::{RuntimeCall, INF};

const STARTUP: Duration = Duration::from_secs(60);
const JOB: Duration = Duration::from_secs(120);

#[tokio::test]
async fn a_killed_miner_is_slashed_for_non_delivery_and_the_job_is_reassigned() -> anyhow::Result<()>
{
	let dir = tempfile::tempdir()?;
	let (node, rpc) = start_dev_node(dir.path()).await?;
	let url = node.ws_url();

	let bob = Sr25519Keyring::Bob.to_account_id().to_ss58check();
	let eve = Sr25519Keyring::Eve.to_account_id().to_ss58check();
	let mut doomed = Worker::start(
		"bob",
		dir.path(),
		&url,
		&["mine", "--key", "//Bob", "--bond", "2000", "--models", "digits-cnn"],
	)?;
	wait_on_duty(&rpc, &[(0, 1)], &[], STARTUP)
		.await
		.map_err(|e| e.context(doomed.log_tail(30)))?;
	// Bob dies holding his bond: the chain still assigns him the next job.
	doomed.kill();

	let submit = tokio::spawn({
		let url = url.clone();
		async move {
			submit_job(
				&url,
				&["--key", "//Alice", "--max-fee", "1", "digits", "--image-index", "7"],
				JOB,
			)
			.await
		}
	});
	let assigned = wait_for("the job to be assigned to Bob", STARTUP, || async {
		let j = job(&rpc, 0).await?;
		Ok((j["status"] == "Assigned").then_some(j))
	})
	.await?;
	assert_eq!(assigned["worker"], bob.as_str());

	// Eve comes up after the assignment, so only the reassignment can give her the job.
	let eve_worker = Worker::start(
		"eve",
		dir.path(),
		&url,
		&["mine", "--key", "//Eve", "--bond", "2000", "--models", "digits-cnn"],
	)?;
	let result = submit.await?.map_err(|e| e.context(eve_worker.log_tail(30)))?;
	assert_eq!(result["status"], "Finalized", "{result}");
	assert_eq!(result["accepted"], true, "{result}");
	assert_eq!(result["worker"], eve.as_str(), "the job was reassigned to Eve: {result}");
	assert_eq!(result["label"], result["digit"], "a correct classification: {result}");

	// Bob lost the proportionate missed-deadline slash (20 times the 0.01 INF fee, at least
	// 1 INF) and it is on his record. He is still above the minimum stake, so still listed.
	let b = workers(&rpc, 0).await?.into_iter().find(|w| w["who"] == bob.as_str());
	let b = b.ok_or_else(|| anyhow::anyhow!("Bob is no longer an active worker"))?;
	let stake: u128 = b["stake"].as_str().unwrap_or("0").parse()?;
	assert_eq!(stake, 1_999 * INF, "1 INF of 2000 INF slashed: {b}");
	assert_eq!(b["missedDeadlines"], 1);
	Ok(())
}

#[tokio::test]
async fn a_miner_reconnects_after_its_node_restarts_and_keeps_mining() -> anyhow::Result<()> {
	let dir = tempfile::tempdir()?;
	let (mut node, rpc) = start_dev_node(dir.path()).await?;
	let url = node.ws_url();
	let miner = Worker::start(
		"miner",
		dir.path(),
		&url,
		&["mine", "--key", "//Ferdie", "--bond", "2000", "--models", "digits-cnn"],
	)?;
	wait_on_duty(&rpc, &[(0, 1)], &[], STARTUP)
		.await
		.map_err(|e| e.context(miner.log_tail(30)))?;
	let first =
		submit_job(&url, &["--key", "//Alice", "digits", "--image-index", "1"], JOB).await?;
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

	let second =
		submit_job(&url, &["--key", "//Alice", "digits", "--image-index", "2"], JOB).await?;
	assert_eq!(second["accepted"], true, "{second}");
	assert_eq!(second["job"], 1, "the chain kept job 0 across the restart");
	Ok(())
}

/// A digits `submit_job` paying twice the model's price.
fn digits_job(dapp: usize, i: u32) -> RuntimeCall {
	let image: Vec<u8> =
		(0..784u32).map(|p| ((p * 7 + i * 13 + dapp as u32) % 256) as u8).collect();
	RuntimeCall::Jobs(pallet_jobs::Call::submit_job {
		model: 0,
		input: image.try_into().expect("784 bytes"),
		max_fee: 2 * 10 * (INF / 1_000),
		deadline: None,
	})
}

#[tokio::test]
async fn a_miner_killed_mid_burst_loses_only_the_proportionate_slash() -> anyhow::Result<()> {
	let dir = tempfile::tempdir()?;
	let (node, rpc) = start_dev_node(dir.path()).await?;
	let url = node.ws_url();
	let bob = Sr25519Keyring::Bob.to_account_id();
	let mut doomed = Worker::start(
		"bob",
		dir.path(),
		&url,
		&["mine", "--key", "//Bob", "--bond", "2000", "--models", "digits-cnn", "--capacity", "8"],
	)?;
	let eve = Worker::start(
		"eve",
		dir.path(),
		&url,
		&["mine", "--key", "//Eve", "--bond", "2000", "--models", "digits-cnn"],
	)?;
	let auditor = Worker::start(
		"auditor",
		dir.path(),
		&url,
		&["verify", "--key", "//Charlie", "--bond", "6000"],
	)?;
	let logs = |e: anyhow::Error, w: &[&Worker]| {
		e.context(
			w.iter().map(|w| w.log_tail(30)).collect::<Vec<_>>().join("\n") + &node.log_tail(20),
		)
	};
	wait_on_duty(&rpc, &[(0, 2)], &[&auditor], STARTUP)
		.await
		.map_err(|e| logs(e, &[&doomed, &eve, &auditor]))?;

	let keys: Vec<_> = (0..6).map(dapp_key).collect();
	let accounts: Vec<verinfer_runtime::AccountId> = keys.iter().map(account_of).collect();
	fund(&rpc, Sr25519Keyring::Alice, &accounts, 100 * INF).await?;
	let start = finalized(&rpc).await?;
	// The first half of the burst with Bob alive, then Bob dies, bonded and on duty, and the
	// second half comes: the chain still assigns him up to his capacity.
	submit_burst(&rpc, &keys, 5, digits_job).await?;
	wait_for("Bob to hold a job", JOB, || async {
		Ok(doomed.log().contains("commit: sent").then_some(()))
	})
	.await
	.map_err(|e| logs(e, &[&doomed, &eve]))?;
	doomed.kill();
	submit_burst(&rpc, &keys, 5, |d, i| digits_job(d, i + 5)).await?;
	let ended = wait_all_ended(&rpc, 0, 60, Duration::from_secs(600))
		.await
		.map_err(|e| logs(e, &[&eve, &auditor]))?;
	let end = {
		let now = finalized(&rpc).await?;
		wait_finalized(&rpc, now.number + 1, STARTUP).await?
	};

	let mut all: Vec<verinfer_runtime::AccountId> =
		Sr25519Keyring::iter().map(|k| k.to_account_id()).collect();
	all.extend(accounts.iter().cloned());
	let books = check_books(&rpc, start, end, &all).await?;
	// Only Bob was slashed, and each slash is the proportionate rule: 20 fees of 0.01 INF,
	// at least 1 INF; never a share of his whole stake.
	let params = jobs_params(&rpc).await?;
	let per_miss = verinfer_primitives::missed_deadline_slash(
		INF / 100,
		params.miss_fee_multiple,
		params.miss_slash_floor,
	);
	assert_eq!(per_miss, INF);
	anyhow::ensure!(!books.slashed.is_empty(), "Bob missed the jobs he held when he died");
	for (who, amount) in &books.slashed {
		assert_eq!(who, &bob, "only the dead miner is slashed");
		assert_eq!(*amount, per_miss, "the proportionate slash");
	}
	let misses = books.slashed.len() as u32;
	// Each miss is a job he was assigned and did not deliver; the chain stopped giving him
	// jobs beyond those.
	let his = books.assigned.iter().filter(|(_, w)| w == &bob).count() as u32;
	assert!(misses <= his, "{misses} misses of {his} jobs assigned to Bob");
	let ledger = stake_ledger(&rpc, &bob).await?.expect("Bob is still bonded");
	assert_eq!(ledger.active, 2_000 * INF - u128::from(misses) * per_miss);
	assert_eq!(reputation(&rpc, &bob).await?.missed_deadlines, misses);
	// Whether the misses also chilled him depends on how many blocks they fell in (misses in one
	// block count once); the pallet's `tests/load.rs` checks that rule.
	// Every job of his was reassigned and accepted, or refunded.
	for j in &ended {
		let ok = (j["status"] == "Finalized"
			&& j["verdict"].as_str().is_some_and(|v| v.starts_with("Accepted")))
			|| j["status"] == "Expired";
		assert!(ok, "{j}");
	}
	println!(
		"killed mid-burst: {misses} missed deadlines at {per_miss} each; {} of 60 refunded",
		books.expired.len()
	);
	Ok(())
}
