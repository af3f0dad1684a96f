//! Governance on a running dev node, through JSON-RPC alone: token holders change the
//! audit probability by a `parameters` referendum and approve a newly registered model by a
//! `models` referendum (note the preimage, submit, place the decision deposit, vote with
//! conviction, and let the scheduler enact it).

use std::time::Duration;

use jsonrpsee::{core::client::ClientT, http_client::HttpClient, rpc_params};
use serde_json::Value;
use sp_keyring::Sr25519Keyring::{Alice, Bob};
use sp_runtime::Perbill;
use verinfer_e2e::*;
use verinfer_runtime::{
	governance::origins::pallet_custom_origins::Origin, OriginCaller, RuntimeCall, INF,
};

/// A dev referendum decides within about ten blocks of half a second each; leave room.
const REFERENDUM: Duration = Duration::from_secs(90);

/// Proposes `call` on `origin`'s track and votes it through with Alice's conviction vote.
async fn pass_referendum(
	rpc: &HttpClient,
	index: u32,
	origin: Origin,
	call: RuntimeCall,
) -> anyhow::Result<()> {
	propose_and_vote(rpc, index, OriginCaller::Origins(origin), call, &[Alice], 500_000 * INF).await
}

async fn audit_probability(rpc: &HttpClient) -> anyhow::Result<Perbill> {
	Ok(jobs_params(rpc).await?.audit_probability)
}

#[tokio::test]
async fn token_holders_change_a_parameter_and_approve_a_model_by_referendum() -> anyhow::Result<()>
{
	let dir = tempfile::tempdir()?;
	let node = Node::start("dev", &dir.path().join("dev"), &["--dev", "--dev-block-time", "500"])?;
	let rpc = node.rpc()?;
	wait_finalized(&rpc, 1, Duration::from_secs(60))
		.await
		.map_err(|e| e.context(node.log_tail(30)))?;

	// 1. The audit probability, by a `parameters` referendum.
	let before = audit_probability(&rpc).await?;
	let mut params = verinfer_runtime::genesis_config_presets::job_params(true);
	params.audit_probability = Perbill::from_percent(35);
	assert_ne!(before, params.audit_probability);
	pass_referendum(
		&rpc,
		0,
		Origin::ParametersAdmin,
		RuntimeCall::Jobs(pallet_jobs::Call::set_params { params }),
	)
	.await?;
	wait_for("the parameters referendum to be enacted", REFERENDUM, || async {
		Ok((audit_probability(&rpc).await? == Perbill::from_percent(35)).then_some(()))
	})
	.await
	.map_err(|e| e.context(node.log_tail(20)))?;

	// 2. A new model: Bob registers it (Proposed), a `models` referendum approves it.
	let mut spec = verinfer_runtime::genesis_config_presets::shipped_models(Bob.to_account_id())
		.swap_remove(0)
		.1;
	spec.name = b"digits-cnn-community".to_vec().try_into().unwrap();
	submit_and_include(
		&rpc,
		Bob,
		RuntimeCall::Models(pallet_models::Call::register_model { spec: Box::new(spec) }),
	)
	.await?;
	let status = |models: &Value| -> Option<String> {
		models.as_array()?.iter().find(|m| m["name"] == "digits-cnn-community")?["status"]
			.as_str()
			.map(str::to_owned)
	};
	let models: Value = rpc.request("models_list", rpc_params![]).await?;
	assert_eq!(status(&models).as_deref(), Some("Proposed"));
	let id = models
		.as_array()
		.unwrap()
		.iter()
		.find(|m| m["name"] == "digits-cnn-community")
		.unwrap()["id"]
		.as_u64()
		.unwrap() as u32;
	pass_referendum(
		&rpc,
		1,
		Origin::ModelsAdmin,
		RuntimeCall::Models(pallet_models::Call::approve_model { model: id }),
	)
	.await?;
	wait_for("the models referendum to approve the model", REFERENDUM, || async {
		let models: Value = rpc.request("models_list", rpc_params![]).await?;
		Ok((status(&models).as_deref() == Some("Approved")).then_some(()))
	})
	.await
	.map_err(|e| e.context(node.log_tail(20)))?;
	let estimate: Value = rpc.request("jobs_estimateFee", rpc_params![id, 784]).await?;
	assert!(estimate.is_object(), "the approved model takes jobs: {estimate}");
	Ok(())
}
