//! The dApp-facing JSON-RPC methods: `jobs_getJob`, `jobs_getResult`, `jobs_listJobs`,
//! `jobs_estimateFee`, `models_list` and `workers_list`.
//!
//! They answer from the runtime's `VerinferApi` at the best block (or at the block `at`)
//! in plain JSON: bytes as `0x` hex, balances as decimal strings (they exceed what a
//! JavaScript number holds), accounts as SS58 addresses.

use std::sync::Arc;

use jsonrpsee::{
	core::RpcResult,
	proc_macros::rpc,
	types::{ErrorObject, ErrorObjectOwned},
};
use pallet_jobs::runtime_api::{JobFilter, JobInfo, VerinferApi};
use serde_json::{json, Value};
use sp_api::ProvideRuntimeApi;
use sp_blockchain::HeaderBackend;
use sp_core::crypto::{Ss58AddressFormat, Ss58Codec};
use verinfer_runtime::{opaque::Block, AccountId, Balance, BlockNumber, Hash, SS58_PREFIX};

/// The model registry entry type the runtime API returns.
pub type ModelEntry = pallet_models::ModelInfo<AccountId, Balance, BlockNumber>;

/// A filter for `jobs_listJobs`: any of `owner` (SS58), `status` (e.g. "Finalized") and
/// `model` (id).
#[derive(serde::Deserialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ListFilter {
	/// Only this owner's jobs.
	pub owner: Option<String>,
	/// Only jobs in this phase.
	pub status: Option<String>,
	/// Only this model's jobs.
	pub model: Option<u32>,
}

/// The methods.
#[rpc(server)]
pub trait MarketApi {
	/// A job: status, model, worker, fees, deadlines, whether it was audited.
	#[method(name = "jobs_getJob")]
	fn get_job(&self, id: u64, at: Option<Hash>) -> RpcResult<Option<Value>>;

	/// A job's result: the output (hex) once final and accepted, and the verdict.
	#[method(name = "jobs_getResult")]
	fn get_result(&self, id: u64, at: Option<Hash>) -> RpcResult<Option<Value>>;

	/// Jobs matching a filter, newest first; pass the returned `next` as `before` for the
	/// next page.
	#[method(name = "jobs_listJobs")]
	fn list_jobs(
		&self,
		filter: Option<ListFilter>,
		before: Option<u64>,
		limit: Option<u32>,
		at: Option<Hash>,
	) -> RpcResult<Value>;

	/// What a job of `model` with `input_len` bytes of input would cost.
	#[method(name = "jobs_estimateFee")]
	fn estimate_fee(
		&self,
		model: u32,
		input_len: u32,
		at: Option<Hash>,
	) -> RpcResult<Option<Value>>;

	/// Every registered model.
	#[method(name = "models_list")]
	fn models(&self, at: Option<Hash>) -> RpcResult<Value>;

	/// The active workers of `model`, or of all models.
	#[method(name = "workers_list")]
	fn workers(&self, model: Option<u32>, at: Option<Hash>) -> RpcResult<Value>;
}

/// Serves [`MarketApiServer`] from a client.
pub struct Market<C> {
	client: Arc<C>,
}

impl<C> Market<C> {
	/// A server over `client`.
	pub fn new(client: Arc<C>) -> Self {
		Self { client }
	}
}

fn invalid(message: impl Into<String>) -> ErrorObjectOwned {
	ErrorObject::owned(jsonrpsee::types::error::INVALID_PARAMS_CODE, message.into(), None::<()>)
}

fn internal(e: impl std::fmt::Display) -> ErrorObjectOwned {
	ErrorObject::owned(
		jsonrpsee::types::error::INTERNAL_ERROR_CODE,
		format!("runtime API call failed: {e}"),
		None::<()>,
	)
}

fn hex(bytes: &[u8]) -> String {
	format!("0x{}", ::hex::encode(bytes))
}

fn address(who: &AccountId) -> String {
	who.to_ss58check_with_version(Ss58AddressFormat::custom(SS58_PREFIX))
}

fn job_json(j: &JobInfo<AccountId, Balance, BlockNumber>) -> Value {
	json!({
		"id": j.id,
		"owner": address(&j.owner),
		"model": j.model,
		"status": format!("{:?}", j.status),
		"worker": j.worker.as_ref().map(address),
		"maxFee": j.max_fee.to_string(),
		"fee": j.fee.to_string(),
		"submittedAt": j.submitted_at,
		"phaseEnds": j.phase_ends,
		"deadline": j.deadline,
		"audited": j.audited,
		"auditors": j.auditors.iter().map(address).collect::<Vec<_>>(),
		"verdict": j.verdict.map(|v| format!("{v:?}")),
		"inputHash": hex(&j.input_hash),
		"seed": hex(&j.seed),
	})
}

fn parse_status(s: &str) -> Option<pallet_jobs::JobStatus> {
	use pallet_jobs::JobStatus::*;
	[Queued, Assigned, Committed, Auditing, Revealing, Disputed, Finalized, Cancelled, Expired]
		.into_iter()
		.find(|v| format!("{v:?}").eq_ignore_ascii_case(s))
}

impl<C> MarketApiServer for Market<C>
where
	C: ProvideRuntimeApi<Block> + HeaderBackend<Block> + Send + Sync + 'static,
	C::Api: VerinferApi<Block, AccountId, Balance, BlockNumber, ModelEntry>,
{
	fn get_job(&self, id: u64, at: Option<Hash>) -> RpcResult<Option<Value>> {
		let at = at.unwrap_or_else(|| self.client.info().best_hash);
		let job = self.client.runtime_api().job(at, id).map_err(internal)?;
		Ok(job.as_ref().map(job_json))
	}

	fn get_result(&self, id: u64, at: Option<Hash>) -> RpcResult<Option<Value>> {
		let at = at.unwrap_or_else(|| self.client.info().best_hash);
		let result = self.client.runtime_api().job_result(at, id).map_err(internal)?;
		Ok(result.map(|r| {
			json!({
				"id": r.id,
				"status": format!("{:?}", r.status),
				"final": r.status.is_final(),
				"verdict": r.verdict.map(|v| format!("{v:?}")),
				"accepted": r.verdict.map(|v| v.accepted()),
				"audited": r.audited,
				"worker": r.worker.as_ref().map(address),
				"output": r.output.as_deref().map(hex),
			})
		}))
	}

	fn list_jobs(
		&self,
		filter: Option<ListFilter>,
		before: Option<u64>,
		limit: Option<u32>,
		at: Option<Hash>,
	) -> RpcResult<Value> {
		let at = at.unwrap_or_else(|| self.client.info().best_hash);
		let f = filter.unwrap_or_default();
		let owner = f
			.owner
			.map(|o| {
				AccountId::from_ss58check(&o)
					.map_err(|e| invalid(format!("owner {o:?} is not an SS58 address: {e:?}")))
			})
			.transpose()?;
		let status = f
			.status
			.map(|s| parse_status(&s).ok_or_else(|| invalid(format!("unknown status {s:?}: use Queued, Assigned, Committed, Auditing, Revealing, Disputed, Finalized, Cancelled or Expired"))))
			.transpose()?;
		let filter = JobFilter { owner, status, model: f.model };
		let page = self
			.client
			.runtime_api()
			.list_jobs(at, filter, before, limit.unwrap_or(20))
			.map_err(internal)?;
		Ok(json!({ "jobs": page.jobs.iter().map(job_json).collect::<Vec<_>>(), "next": page.next }))
	}

	fn estimate_fee(
		&self,
		model: u32,
		input_len: u32,
		at: Option<Hash>,
	) -> RpcResult<Option<Value>> {
		let at = at.unwrap_or_else(|| self.client.info().best_hash);
		let estimate =
			self.client.runtime_api().estimate_fee(at, model, input_len).map_err(internal)?;
		Ok(estimate.map(|e| {
			json!({
				"minFee": e.min_fee.to_string(),
				"modelPrice": e.model_price.to_string(),
				"cheapestWorker": e.cheapest_worker.map(|b| b.to_string()),
				"suggestedMaxFee": e.highest_worker.map(|h| h.max(e.min_fee).max(e.model_price).to_string()),
				"workers": e.workers,
			})
		}))
	}

	fn models(&self, at: Option<Hash>) -> RpcResult<Value> {
		let at = at.unwrap_or_else(|| self.client.info().best_hash);
		let mut models = self.client.runtime_api().models(at).map_err(internal)?;
		models.sort_by_key(|(id, _)| *id);
		Ok(Value::Array(
			models
				.into_iter()
				.map(|(id, m)| {
					let spec = &m.spec;
					json!({
						"id": id,
						"name": String::from_utf8_lossy(&spec.name),
						"version": String::from_utf8_lossy(&spec.version),
						"status": format!("{:?}", m.status),
						"owner": address(&m.owner),
						"weightsSha256": hex(&spec.weights_hash),
						"weightsFormat": format!("{:?}", spec.weights_format),
						"family": format!("{:?}", spec.family),
						"weightsLocation": String::from_utf8_lossy(&spec.weights_location),
						"input": serde_json::to_value(&spec.input).unwrap_or(Value::Null),
						"output": serde_json::to_value(&spec.output).unwrap_or(Value::Null),
						"verification": serde_json::to_value(spec.verification).unwrap_or(Value::Null),
						"basePrice": spec.base_price.to_string(),
						"contributors": spec.contributors.iter().map(|c| json!({
							"who": address(&c.who),
							"payee": address(&c.payee),
							"sharePerBillion": c.share.deconstruct(),
						})).collect::<Vec<_>>(),
					})
				})
				.collect(),
		))
	}

	fn workers(&self, model: Option<u32>, at: Option<Hash>) -> RpcResult<Value> {
		let at = at.unwrap_or_else(|| self.client.info().best_hash);
		let workers = self.client.runtime_api().workers(at, model).map_err(internal)?;
		Ok(Value::Array(
			workers
				.into_iter()
				.map(|w| {
					json!({
						"who": address(&w.who),
						"price": w.price.to_string(),
						"stake": w.stake.to_string(),
						"score": w.score,
						"capacity": w.capacity,
						"inFlight": w.in_flight,
						"jobsCompleted": w.reputation.jobs_completed,
						"auditsPassed": w.reputation.audits_passed,
						"auditsFailed": w.reputation.audits_failed,
						"missedDeadlines": w.reputation.missed_deadlines,
					})
				})
				.collect(),
		))
	}
}
