//! The worker fed a malformed input from the chain: a model registered (and approved) with
//! the digits CNN's weights but a text input schema lets a job through that the pallet's
//! schema check accepts and the CNN cannot run. The miner hands it back with
//! `release_jobs` instead of missing its deadline: it is not slashed, the job goes back to
//! the queue, and the miner keeps running and completes the next, well-formed job.

use std::time::Duration;

use sp_keyring::Sr25519Keyring::{Alice, Bob};
use verinfer_e2e::*;
use verinfer_primitives::{ElementType, TensorSchema};
use verinfer_runtime::{RuntimeCall, INF};

const STARTUP: Duration = Duration::from_secs(60);
const JOB: Duration = Duration::from_secs(120);

#[tokio::test]
async fn the_miner_releases_a_job_its_model_cannot_run_and_keeps_mining() -> anyhow::Result<()> {
	let dir = tempfile::tempdir()?;
	let (node, rpc) = start_dev_node(dir.path()).await?;

	// A mis-specified model: the digits weights, a text input.
	let mut spec = verinfer_runtime::genesis_config_presets::shipped_models(Bob.to_account_id())
		.swap_remove(0)
		.1;
	spec.name = b"digits-cnn-text".to_vec().try_into().unwrap();
	spec.input =
		TensorSchema { element: ElementType::Utf8, shape: Default::default(), max_bytes: 64 };
	submit_and_include(
		&rpc,
		Bob,
		RuntimeCall::Models(pallet_models::Call::register_model { spec: Box::new(spec) }),
	)
	.await?;
	// It takes the id after the genesis models.
	let model = next_model_id();
	let approve = RuntimeCall::Models(pallet_models::Call::approve_model { model });
	submit_and_include(
		&rpc,
		Alice,
		RuntimeCall::Sudo(pallet_sudo::Call::sudo { call: Box::new(approve) }),
	)
	.await?;

	let url = node.ws_url();
	let mut miner =
		Worker::start("miner", dir.path(), &url, &["mine", "--key", "//Bob", "--bond", "2000"])?;
	let logs = |e: anyhow::Error, miner: &Worker| {
		e.context(format!("{}\n{}", miner.log_tail(40), node.log_tail(20)))
	};
	let bonded = wait_for("the miner to serve the mis-specified model", STARTUP, || async {
		Ok((!workers(&rpc, model).await?.is_empty()).then_some(()))
	})
	.await;
	bonded.map_err(|e| logs(e, &miner))?;

	// The job passes the chain's schema check, and the CNN refuses it.
	let call = RuntimeCall::Jobs(pallet_jobs::Call::submit_job {
		model,
		input: b"not an image".to_vec().try_into().unwrap(),
		max_fee: INF,
		deadline: None,
	});
	submit_and_include(&rpc, Alice, call).await?;
	let released = wait_for("the miner to release job 0", JOB, || async {
		let said = miner.log().lines().any(|l| l.contains("job 0") && l.contains("releasing it"));
		let j = job(&rpc, 0).await?;
		// Back in the queue (no other miner serves the model, so it waits there).
		Ok((said && j["status"] == "Queued" && j["worker"].is_null()).then_some(j))
	})
	.await;
	released.map_err(|e| logs(e, &miner))?;
	let log = miner.log();
	assert!(
		log.lines().any(|l| l.contains("job 0") && l.contains("refused the input")),
		"the miner says why:\n{log}"
	);
	assert!(
		log.lines().any(|l| l.contains("job 0") && l.contains("releasing it")),
		"and that it hands the job back:\n{log}"
	);
	assert!(miner.is_running(), "the miner is still running after the bad input");
	// Handing back costs nothing: the bond is whole and there is no missed deadline.
	let ledger = stake_ledger(&rpc, &Bob.to_account_id()).await?.expect("Bob is bonded");
	assert_eq!(ledger.active, 2_000 * INF, "no slash for a released job");
	assert_eq!(reputation(&rpc, &Bob.to_account_id()).await?.missed_deadlines, 0);

	// And it mines the next job as usual.
	let result = submit_job(&url, &["--key", "//Alice", "digits", "--image-index", "7"], JOB).await;
	let result = result.map_err(|e| logs(e, &miner))?;
	assert_eq!(result["status"], "Finalized", "{result}");
	assert_eq!(result["digit"], 7, "{result}");
	assert!(miner.is_running());
	Ok(())
}
