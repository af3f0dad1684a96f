//! What dApps read about jobs, models and workers: the runtime API behind the node's
//! `jobs_*`, `models_list` and `workers_list` JSON-RPC methods.

use crate::{pallet::*, types::*, BalanceOf};
use alloc::vec::Vec;
use codec::{Codec, Decode, Encode};
use frame_support::traits::Get;
use frame_system::pallet_prelude::BlockNumberFor;
use scale_info::TypeInfo;
use verinfer_primitives::{ComputeStakingInterface, JobId, ModelId, ModelRegistry, Reputation};

/// A job as a dApp sees it.
#[derive(Encode, Decode, TypeInfo, Clone, PartialEq, Eq, Debug)]
pub struct JobInfo<AccountId, Balance, BlockNumber> {
	/// The job's id.
	pub id: JobId,
	/// Who submitted it.
	pub owner: AccountId,
	/// The model it runs.
	pub model: ModelId,
	/// Its phase.
	pub status: JobStatus,
	/// The assigned worker.
	pub worker: Option<AccountId>,
	/// The most the owner pays.
	pub max_fee: Balance,
	/// What it costs (the worker's price), once assigned.
	pub fee: Balance,
	/// The block it was submitted in.
	pub submitted_at: BlockNumber,
	/// When the current phase ends.
	pub phase_ends: BlockNumber,
	/// The owner's deadline, if any.
	pub deadline: Option<BlockNumber>,
	/// Whether it was sampled for audit (`None` before the draw).
	pub audited: Option<bool>,
	/// Its auditors.
	pub auditors: Vec<AccountId>,
	/// The verdict, once final.
	pub verdict: Option<Verdict>,
	/// blake2-256 of the input.
	pub input_hash: [u8; 32],
	/// The sampling seed of the current assignment (zeros until assigned).
	pub seed: [u8; 32],
}

/// A job's result: the worker's output, readable once the job is final.
#[derive(Encode, Decode, TypeInfo, Clone, PartialEq, Eq, Debug)]
pub struct JobResult<AccountId> {
	/// The job's id.
	pub id: JobId,
	/// Its phase.
	pub status: JobStatus,
	/// The verdict, once final.
	pub verdict: Option<Verdict>,
	/// Whether it was audited.
	pub audited: Option<bool>,
	/// The worker whose output this is.
	pub worker: Option<AccountId>,
	/// The output, only once the job is final and the result accepted.
	pub output: Option<Vec<u8>>,
}

/// Which jobs `list_jobs` returns.
#[derive(Encode, Decode, TypeInfo, Clone, PartialEq, Eq, Debug, Default)]
pub struct JobFilter<AccountId> {
	/// Only this owner's jobs.
	pub owner: Option<AccountId>,
	/// Only jobs in this phase.
	pub status: Option<JobStatus>,
	/// Only jobs of this model.
	pub model: Option<ModelId>,
}

/// One page of jobs, newest first.
#[derive(Encode, Decode, TypeInfo, Clone, PartialEq, Eq, Debug)]
pub struct JobPage<AccountId, Balance, BlockNumber> {
	/// The matching jobs.
	pub jobs: Vec<JobInfo<AccountId, Balance, BlockNumber>>,
	/// Pass this as `before` to get the next page; `None` at the end.
	pub next: Option<JobId>,
}

/// What a job of a model would cost.
#[derive(Encode, Decode, TypeInfo, Clone, PartialEq, Eq, Debug)]
pub struct FeeEstimate<Balance> {
	/// The market's minimum `max_fee`.
	pub min_fee: Balance,
	/// The model's suggested price.
	pub model_price: Balance,
	/// The lowest price among the workers that would take the job now.
	pub cheapest_worker: Option<Balance>,
	/// The highest price among them: a `max_fee` of this lets any of them take it.
	pub highest_worker: Option<Balance>,
	/// How many workers would take it.
	pub workers: u32,
}

/// An active worker.
#[derive(Encode, Decode, TypeInfo, Clone, PartialEq, Eq, Debug)]
pub struct WorkerInfo<AccountId, Balance> {
	/// The worker's account.
	pub who: AccountId,
	/// Its price per job.
	pub price: Balance,
	/// Its stake (bonded and unbonding).
	pub stake: Balance,
	/// Its track record.
	pub reputation: Reputation,
	/// Its reputation score in thousandths, as assignment weighs it.
	pub score: u32,
	/// The most jobs it takes at once.
	pub capacity: u32,
	/// The jobs assigned to it and not yet committed: it gets new ones only below
	/// `capacity`.
	pub in_flight: u32,
}

/// The most jobs `list_jobs` looks at for one page.
pub const MAX_SCAN: u32 = 10_000;
/// The most jobs on one page.
pub const MAX_PAGE: u32 = 100;

sp_api::decl_runtime_apis! {
	/// Reads for dApps; the node's `jobs_*`, `models_list` and `workers_list` JSON-RPC
	/// methods answer from this.
	pub trait VerinferApi<AccountId, Balance, BlockNumber, ModelEntry>
	where
		AccountId: Codec,
		Balance: Codec,
		BlockNumber: Codec,
		ModelEntry: Codec,
	{
		/// One job.
		fn job(id: JobId) -> Option<JobInfo<AccountId, Balance, BlockNumber>>;
		/// One job's result.
		fn job_result(id: JobId) -> Option<JobResult<AccountId>>;
		/// Jobs matching `filter`, newest first, starting below `before`.
		fn list_jobs(filter: JobFilter<AccountId>, before: Option<JobId>, limit: u32) -> JobPage<AccountId, Balance, BlockNumber>;
		/// What a job of `model` with an input of `input_len` bytes would cost; `None` if
		/// the model takes no jobs or the input cannot fit.
		fn estimate_fee(model: ModelId, input_len: u32) -> Option<FeeEstimate<Balance>>;
		/// Every registered model.
		fn models() -> Vec<(ModelId, ModelEntry)>;
		/// The active workers of `model`, or of every model.
		fn workers(model: Option<ModelId>) -> Vec<WorkerInfo<AccountId, Balance>>;
	}
}

impl<T: Config> Pallet<T> {
	fn info(id: JobId, j: Job<T>) -> JobInfo<T::AccountId, BalanceOf<T>, BlockNumberFor<T>> {
		JobInfo {
			id,
			owner: j.owner,
			model: j.model,
			status: j.status,
			worker: j.worker,
			max_fee: j.max_fee,
			fee: j.fee,
			submitted_at: j.submitted_at,
			phase_ends: j.phase_ends,
			deadline: j.deadline,
			audited: j.audited,
			auditors: j.auditors.into_iter().map(|a| a.who).collect(),
			verdict: j.verdict,
			input_hash: j.input_hash,
			seed: j.seed,
		}
	}

	/// One job, for the runtime API.
	pub fn job_info(id: JobId) -> Option<JobInfo<T::AccountId, BalanceOf<T>, BlockNumberFor<T>>> {
		Jobs::<T>::get(id).map(|j| Self::info(id, j))
	}

	/// One job's result, for the runtime API: the output only once accepted and final.
	pub fn job_result(id: JobId) -> Option<JobResult<T::AccountId>> {
		let j = Jobs::<T>::get(id)?;
		let accepted = j.status == JobStatus::Finalized && j.verdict.is_some_and(|v| v.accepted());
		let output = if accepted {
			j.worker.as_ref().and_then(|w| Outputs::<T>::get(id, w)).map(|o| o.into_inner())
		} else {
			None
		};
		Some(JobResult {
			id,
			status: j.status,
			verdict: j.verdict,
			audited: j.audited,
			worker: j.worker,
			output,
		})
	}

	/// A page of jobs matching `filter`, newest first, for the runtime API. Looks at no
	/// more than [`MAX_SCAN`] ids per page, so a sparse filter may return a short page
	/// with a `next` to continue from.
	pub fn list_jobs(
		filter: JobFilter<T::AccountId>,
		before: Option<JobId>,
		limit: u32,
	) -> JobPage<T::AccountId, BalanceOf<T>, BlockNumberFor<T>> {
		let limit = limit.clamp(1, MAX_PAGE) as usize;
		let mut cursor = before.unwrap_or_else(NextJobId::<T>::get).min(NextJobId::<T>::get());
		let floor = cursor.saturating_sub(u64::from(MAX_SCAN));
		let mut jobs = Vec::new();
		while cursor > floor && jobs.len() < limit {
			// `cursor > floor >= 0` here.
			cursor = cursor.saturating_sub(1);
			let Some(j) = Jobs::<T>::get(cursor) else { continue };
			let keep = filter.owner.as_ref().is_none_or(|o| *o == j.owner)
				&& filter.status.is_none_or(|s| s == j.status)
				&& filter.model.is_none_or(|m| m == j.model);
			if keep {
				jobs.push(Self::info(cursor, j));
			}
		}
		JobPage { jobs, next: (cursor > 0).then_some(cursor) }
	}

	/// The fee estimate, for the runtime API.
	pub fn estimate_fee(model: ModelId, input_len: u32) -> Option<FeeEstimate<BalanceOf<T>>> {
		let params = Params::<T>::get()?;
		let registered = T::Models::model(model)?;
		if !registered.accepts_jobs()
			|| input_len > registered.spec.input.max_bytes
			|| input_len > T::MaxInputLen::get()
		{
			return None;
		}
		let prices: Vec<BalanceOf<T>> = Self::workers(model)
			.into_iter()
			.filter(|w| w.score >= params.min_worker_score)
			.map(|w| w.price)
			.collect();
		Some(FeeEstimate {
			min_fee: params.min_fee,
			model_price: registered.spec.base_price,
			cheapest_worker: prices.iter().min().copied(),
			highest_worker: prices.iter().max().copied(),
			workers: prices.len() as u32,
		})
	}

	/// The active workers of `model`, for the runtime API.
	pub fn workers(model: ModelId) -> Vec<WorkerInfo<T::AccountId, BalanceOf<T>>> {
		T::Staking::active_workers(model)
			.into_iter()
			.filter_map(|who| {
				let terms = T::Staking::worker_terms(&who)?;
				let reputation = T::Staking::reputation(&who);
				Some(WorkerInfo {
					stake: T::Staking::stake(&who),
					score: verinfer_primitives::reputation_score(&reputation),
					reputation,
					price: terms.price,
					capacity: terms.capacity,
					in_flight: crate::WorkerLoad::<T>::get(&who),
					who,
				})
			})
			.collect()
	}
}
