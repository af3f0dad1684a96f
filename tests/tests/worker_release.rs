//! A miner that cannot run a job in time hands it back with `release_jobs`: the job goes
//! to another miner and is accepted, and the releasing miner loses nothing.

use std::time::Duration;

use sp_core::crypto::Ss58Codec;
use sp_keyring::Sr25519Keyring::{Alice, Dave, Eve};
use verinfer_e2e::*;
use verinfer_runtime::{RuntimeCall, INF};

const STARTUP: Duration = Duration::from_secs(60);
const JOB: Duration = Duration::from_secs(180);

#[tokio::test]
async fn a_released_job_goes_to_another_miner_and_is_accepted() -> anyhow::Result<()> {
	let dir = tempfile::tempdir()?;
	let (node, rpc) = start_dev_node(dir.path()).await?;
	let url = node.ws_url();

	// Dave bonds for the digits CNN by hand and runs no worker: the first job is his.
	let bond = RuntimeCall::ComputeStaking(pallet_compute_staking::Call::bond_worker {
		value: 2_000 * INF,
		models: vec![0].try_into().unwrap(),
		price: INF / 100,
		endpoint: Default::default(),
		capacity: 1,
	});
	submit_and_include(&rpc, Dave, bond).await?;
	let submit = tokio::spawn({
		let url = url.clone();
		async move {
			submit_job(
				&url,
				&["--key", "//Alice", "--max-fee", "1", "digits", "--image-index", "3"],
				JOB,
			)
			.await
		}
	});
	let assigned = wait_job_status(&rpc, 0, "Assigned", STARTUP).await?;
	assert_eq!(assigned["worker"], Dave.to_account_id().to_ss58check());

	// Eve's miner comes up; Dave hands the job back well before its commit deadline.
	let eve = Worker::start(
		"eve",
		dir.path(),
		&url,
		&["mine", "--key", "//Eve", "--bond", "2000", "--models", "digits-cnn"],
	)?;
	wait_on_duty(&rpc, &[(0, 2)], &[], STARTUP)
		.await
		.map_err(|e| e.context(eve.log_tail(30)))?;
	let release =
		RuntimeCall::Jobs(pallet_jobs::Call::release_jobs { jobs: vec![0].try_into().unwrap() });
	submit_and_include(&rpc, Dave, release).await?;

	let result = submit.await?.map_err(|e| e.context(eve.log_tail(30)))?;
	assert_eq!(result["status"], "Finalized", "{result}");
	assert_eq!(result["accepted"], true, "{result}");
	assert_eq!(
		result["worker"],
		Eve.to_account_id().to_ss58check(),
		"the released job went to Eve: {result}"
	);
	assert_eq!(result["label"], result["digit"], "a correct classification: {result}");

	// Releasing cost Dave nothing.
	let ledger = stake_ledger(&rpc, &Dave.to_account_id()).await?.expect("Dave is bonded");
	assert_eq!(ledger.active, 2_000 * INF);
	assert!(ledger.on_duty, "Dave is still on duty");
	assert_eq!(reputation(&rpc, &Dave.to_account_id()).await?.missed_deadlines, 0);
	let _ = Alice;
	Ok(())
}
