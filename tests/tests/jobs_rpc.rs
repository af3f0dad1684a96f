//! A dApp follows a job from submission to its final result over JSON-RPC alone, on a
//! `--dev` node, while this test plays the worker: bond, commit, reveal.

use std::time::Duration;

use jsonrpsee::{core::client::ClientT, rpc_params};
use serde_json::Value;
use sp_core::crypto::Ss58Codec;
use sp_keyring::Sr25519Keyring;
use verinfer_e2e::*;
use verinfer_runtime::{RuntimeCall, INF};

const STEP: Duration = Duration::from_secs(30);

#[tokio::test]
async fn a_dapp_follows_a_job_to_its_result_over_json_rpc() -> anyhow::Result<()> {
	let dir = tempfile::tempdir()?;
	let (_node, rpc) = start_dev_node(dir.path()).await?;

	// The registry lists the two shipped models, approved.
	let models: Value = rpc.request("models_list", rpc_params![]).await?;
	let digits = &models.as_array().expect("a list")[0];
	assert_eq!(digits["name"], "digits-cnn");
	assert_eq!(digits["status"], "Approved");
	let weights_hash: [u8; 32] =
		hex::decode(digits["weightsSha256"].as_str().unwrap().trim_start_matches("0x"))?
			.try_into()
			.map_err(|_| anyhow::anyhow!("32 bytes"))?;

	// Bob bonds as a worker for the digits model.
	let bob = Sr25519Keyring::Bob;
	let price = INF / 100;
	submit_and_include(
		&rpc,
		bob,
		RuntimeCall::ComputeStaking(pallet_compute_staking::Call::bond_worker {
			value: 2_000 * INF,
			models: vec![0].try_into().unwrap(),
			price,
			endpoint: Default::default(),
			capacity: 8,
		}),
	)
	.await?;
	let workers: Value = rpc.request("workers_list", rpc_params![0]).await?;
	assert_eq!(workers[0]["who"], bob.to_account_id().to_ss58check());
	assert_eq!(workers[0]["price"], price.to_string());
	let estimate: Value = rpc.request("jobs_estimateFee", rpc_params![0, 784]).await?;
	assert_eq!(estimate["cheapestWorker"], price.to_string());

	// Alice, the dApp, submits a 28x28 image.
	let input: Vec<u8> = (0..784u32).map(|i| (i % 251) as u8).collect();
	submit_and_include(
		&rpc,
		Sr25519Keyring::Alice,
		RuntimeCall::Jobs(pallet_jobs::Call::submit_job {
			model: 0,
			input: input.clone().try_into().unwrap(),
			max_fee: INF,
			deadline: None,
		}),
	)
	.await?;
	let assigned = wait_job_status(&rpc, 0, "Assigned", STEP).await?;
	assert_eq!(assigned["worker"], bob.to_account_id().to_ss58check());
	assert_eq!(assigned["fee"], price.to_string());

	// Bob commits to ten int32 logits, then reveals once the reveal phase opens.
	let output: Vec<u8> = (0..10i32).flat_map(|l| (l * 7 - 20).to_le_bytes()).collect();
	let salt = [42u8; 32];
	let commitment = verinfer_primitives::commitment(
		0,
		&bob.to_account_id(),
		&weights_hash,
		&verinfer_primitives::input_hash(&input),
		&output,
		&salt,
	);
	submit_and_include(
		&rpc,
		bob,
		RuntimeCall::Jobs(pallet_jobs::Call::commit_result { job: 0, commitment }),
	)
	.await?;
	let revealing = wait_job_status(&rpc, 0, "Revealing", STEP).await?;
	assert_eq!(revealing["audited"], false, "no auditor is bonded on this chain");
	let before: Value = rpc.request("jobs_getResult", rpc_params![0]).await?;
	assert_eq!(before["output"], Value::Null, "no output before the reveal");
	submit_and_include(
		&rpc,
		bob,
		RuntimeCall::Jobs(pallet_jobs::Call::reveal_result {
			job: 0,
			output: output.clone().try_into().unwrap(),
			salt,
		}),
	)
	.await?;

	let result: Value = wait_for("the final result", STEP, || async {
		let r: Value = rpc.request("jobs_getResult", rpc_params![0]).await?;
		Ok((r["final"] == true).then_some(r))
	})
	.await?;
	assert_eq!(result["verdict"], "AcceptedUnaudited");
	assert_eq!(result["output"], format!("0x{}", hex::encode(&output)));

	let page: Value = rpc
		.request(
			"jobs_listJobs",
			rpc_params![
				serde_json::json!({"owner": Sr25519Keyring::Alice.to_account_id().to_ss58check()})
			],
		)
		.await?;
	assert_eq!(page["jobs"][0]["id"], 0);
	assert_eq!(page["jobs"][0]["status"], "Finalized");
	let workers: Value = rpc.request("workers_list", rpc_params![]).await?;
	assert_eq!(workers[0]["jobsCompleted"], 1);

	// Bad requests get clear errors.
	let bad = rpc
		.request::<Value, _>("jobs_listJobs", rpc_params![serde_json::json!({"status": "Nope"})])
		.await;
	assert!(bad.unwrap_err().to_string().contains("unknown status"));
	assert_eq!(rpc.request::<Value, _>("jobs_getJob", rpc_params![99]).await?, Value::Null);
	Ok(())
}
