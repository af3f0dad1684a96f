//! Benchmarks of every call and of the hooks' per-item work, at their worst case.

use super::*;
use crate::{pallet::*, types::*};
use alloc::{vec, vec::Vec};
use frame_benchmarking::v2::*;
use frame_support::{
	pallet_prelude::*,
	traits::{fungible::Mutate, Hooks},
	BoundedVec,
};
use frame_system::{pallet_prelude::BlockNumberFor, RawOrigin};
use sp_runtime::{traits::Bounded, Perbill};
use verinfer_primitives::{
	commitment, ComputeStakingInterface, ElementType, JobId, ModelRegistry, TensorSchema,
	VerificationClass,
};

fn funded<T: Config>(name: &'static str, index: u32) -> T::AccountId {
	let who: T::AccountId = account(name, index, 0);
	T::Currency::set_balance(&who, BalanceOf::<T>::max_value() / 1_000_000u32.into());
	who
}

/// Market parameters under which every job is audited by `k` auditors.
fn bench_params<T: Config>(k: u32) -> ParamsOf<T> {
	JobParams {
		min_fee: 1u32.into(),
		audit_probability: Perbill::one(),
		auditors_per_job: k,
		worker_slash: Perbill::from_percent(50),
		auditor_slash: Perbill::from_percent(20),
		miss_fee_multiple: 20,
		miss_slash_floor: 1u32.into(),
		chill_after_misses: 3,
		treasury_share: Perbill::from_percent(10),
		auditor_share: Perbill::from_percent(20),
		queue_timeout: 10u32.into(),
		commit_window: 10u32.into(),
		audit_window: 10u32.into(),
		reveal_window: 10u32.into(),
		dispute_window: 10u32.into(),
		retention: 10u32.into(),
		min_worker_score: 0,
	}
}

/// A text model as wide as the runtime allows, a bonded worker for it, and `k` auditors.
fn market<T: Config>(k: u32) -> (u32, T::AccountId, Vec<T::AccountId>) {
	let owner = funded::<T>("owner", 0);
	let input = TensorSchema {
		element: ElementType::Utf8,
		shape: Default::default(),
		max_bytes: T::MaxInputLen::get(),
	};
	let output_len = T::MaxOutputLen::get() / 4 * 4;
	let output = TensorSchema {
		element: ElementType::F32,
		shape: vec![output_len / 4].try_into().unwrap_or_default(),
		max_bytes: output_len,
	};
	let class =
		VerificationClass::Tolerance { max_abs: 1_000_000, min_cosine: Perbill::from_percent(99) };
	let model = T::Models::register_approved_for_benchmark(owner, input, output, class)
		.expect("the registry registers benchmark models");
	let worker = funded::<T>("worker", 0);
	assert!(T::Staking::bond_worker_for_benchmark(&worker, model));
	let auditors = (0..k)
		.map(|i| {
			let a = funded::<T>("auditor", i);
			assert!(T::Staking::bond_auditor_for_benchmark(&a));
			a
		})
		.collect();
	Params::<T>::put(bench_params::<T>(k.max(1)));
	(model, worker, auditors)
}

fn input<T: Config>(len: u32) -> BoundedVec<u8, T::MaxInputLen> {
	BoundedVec::truncate_from(vec![b'a'; len as usize])
}

fn output<T: Config>() -> BoundedVec<u8, T::MaxOutputLen> {
	let n = T::MaxOutputLen::get() / 4;
	BoundedVec::truncate_from(
		(0..n).flat_map(|i| (i as f32 / n as f32).to_le_bytes()).collect::<Vec<u8>>(),
	)
}

fn now<T: Config>() -> BlockNumberFor<T> {
	frame_system::Pallet::<T>::block_number()
}

fn next_block<T: Config>() {
	let n = now::<T>() + 1u32.into();
	frame_system::Pallet::<T>::set_block_number(n);
	Pallet::<T>::on_initialize(n);
}

/// Submits a job and assigns it to the worker.
fn assigned<T: Config>(model: u32, dapp: &T::AccountId) -> JobId {
	let id = NextJobId::<T>::get();
	Pallet::<T>::submit_job(
		RawOrigin::Signed(dapp.clone()).into(),
		model,
		input::<T>(T::MaxInputLen::get()),
		1_000_000u32.into(),
		None,
	)
	.expect("submits");
	next_block::<T>();
	assert_eq!(Jobs::<T>::get(id).map(|j| j.status), Some(JobStatus::Assigned));
	id
}

fn commitment_for<T: Config>(id: JobId, who: &T::AccountId, out: &[u8]) -> [u8; 32] {
	let job = Jobs::<T>::get(id).expect("job");
	let model_hash = T::Models::model(job.model).map(|m| m.spec.weights_hash).unwrap_or_default();
	commitment(id, who, &model_hash, &job.input_hash, out, &[1; 32])
}

/// Runs a job to its audit phase, with `k` auditors drawn.
fn auditing<T: Config>(k: u32) -> (JobId, T::AccountId, Vec<T::AccountId>) {
	let (model, worker, _) = market::<T>(k);
	let dapp = funded::<T>("dapp", 0);
	let id = assigned::<T>(model, &dapp);
	let out = output::<T>();
	let c = commitment_for::<T>(id, &worker, &out);
	Pallet::<T>::commit_result(RawOrigin::Signed(worker.clone()).into(), id, c).expect("commits");
	next_block::<T>();
	next_block::<T>();
	let job = Jobs::<T>::get(id).expect("job");
	assert_eq!(job.status, JobStatus::Auditing);
	let auditors = job.auditors.iter().map(|a| a.who.clone()).collect();
	(id, worker, auditors)
}

#[benchmarks]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn submit_job(l: Linear<1, { T::MaxInputLen::get() }>) {
		let (model, _, _) = market::<T>(1);
		let dapp = funded::<T>("dapp", 0);
		let data = input::<T>(l);
		#[extrinsic_call]
		_(RawOrigin::Signed(dapp), model, data, 1_000_000u32.into(), None);
		assert_eq!(Queue::<T>::get().len(), 1);
	}

	#[benchmark]
	fn cancel_job() {
		let (model, _, _) = market::<T>(1);
		let dapp = funded::<T>("dapp", 0);
		// A full queue: cancelling searches it.
		for _ in 0..T::MaxQueuedJobs::get() {
			Pallet::<T>::submit_job(
				RawOrigin::Signed(dapp.clone()).into(),
				model,
				input::<T>(1),
				1_000_000u32.into(),
				None,
			)
			.expect("submits");
		}
		let last = NextJobId::<T>::get() - 1;
		#[extrinsic_call]
		_(RawOrigin::Signed(dapp), last);
		assert_eq!(Jobs::<T>::get(last).map(|j| j.status), Some(JobStatus::Cancelled));
	}

	#[benchmark]
	fn commit_result() {
		let (model, worker, _) = market::<T>(1);
		let dapp = funded::<T>("dapp", 0);
		let id = assigned::<T>(model, &dapp);
		let c = commitment_for::<T>(id, &worker, &output::<T>());
		#[extrinsic_call]
		_(RawOrigin::Signed(worker), id, c);
		assert_eq!(Jobs::<T>::get(id).map(|j| j.status), Some(JobStatus::Committed));
	}

	#[benchmark]
	fn commit_audit() {
		let k = T::MaxAuditorsPerJob::get();
		let (id, _, auditors) = auditing::<T>(k);
		let out = output::<T>();
		let (last, others) = auditors.split_last().expect("auditors");
		for a in others {
			let c = commitment_for::<T>(id, a, &out);
			Pallet::<T>::commit_audit(RawOrigin::Signed(a.clone()).into(), id, c).expect("commits");
		}
		let c = commitment_for::<T>(id, last, &out);
		// The last commitment opens the reveal phase.
		#[extrinsic_call]
		_(RawOrigin::Signed(last.clone()), id, c);
		assert_eq!(Jobs::<T>::get(id).map(|j| j.status), Some(JobStatus::Revealing));
	}

	#[benchmark]
	fn reveal_result(l: Linear<4, { T::MaxOutputLen::get() }>) {
		let (model, worker, _) = market::<T>(1);
		// Unaudited: the reveal finalizes and pays out at once.
		let mut p = bench_params::<T>(1);
		p.audit_probability = Perbill::from_parts(1);
		Params::<T>::put(p);
		let dapp = funded::<T>("dapp", 0);
		let id = assigned::<T>(model, &dapp);
		let out = output::<T>();
		let c = commitment_for::<T>(id, &worker, &out);
		Pallet::<T>::commit_result(RawOrigin::Signed(worker.clone()).into(), id, c)
			.expect("commits");
		next_block::<T>();
		next_block::<T>();
		let _ = l;
		#[extrinsic_call]
		_(RawOrigin::Signed(worker), id, out, [1; 32]);
		assert!(Jobs::<T>::get(id)
			.is_some_and(|j| j.status.is_final() || j.status == JobStatus::Revealing));
	}

	#[benchmark]
	fn reveal_audit(l: Linear<4, { T::MaxOutputLen::get() }>) {
		let k = T::MaxAuditorsPerJob::get();
		let (id, worker, auditors) = auditing::<T>(k);
		let out = output::<T>();
		for a in &auditors {
			let c = commitment_for::<T>(id, a, &out);
			Pallet::<T>::commit_audit(RawOrigin::Signed(a.clone()).into(), id, c).expect("commits");
		}
		Pallet::<T>::reveal_result(RawOrigin::Signed(worker).into(), id, out.clone(), [1; 32])
			.expect("reveals");
		let (last, others) = auditors.split_last().expect("auditors");
		for a in others {
			Pallet::<T>::reveal_audit(
				RawOrigin::Signed(a.clone()).into(),
				id,
				out.clone(),
				[1; 32],
			)
			.expect("reveals");
		}
		let _ = l;
		// The last reveal judges and settles the job.
		#[extrinsic_call]
		_(RawOrigin::Signed(last.clone()), id, out, [1; 32]);
		assert_eq!(Jobs::<T>::get(id).map(|j| j.status), Some(JobStatus::Finalized));
	}

	/// The most auditors a dispute can have: an even first round split in half, escalated
	/// to as many more, split in half again; settling slashes or pays every one of them.
	#[benchmark]
	fn resolve_dispute() {
		let k = (T::MaxAuditorsPerJob::get() / 2 * 2).max(2).min(MAX_AUDITORS / 2);
		let (id, worker, first) = auditing::<T>(k);
		for i in 0..k {
			assert!(T::Staking::bond_auditor_for_benchmark(&funded::<T>("auditor", k + i)));
		}
		let out = output::<T>();
		// The same vector pointing the other way: far outside any tolerance.
		let n = T::MaxOutputLen::get() / 4;
		let wrong: BoundedVec<u8, T::MaxOutputLen> = BoundedVec::truncate_from(
			(0..n)
				.flat_map(|i| (-1.0 - i as f32 / n as f32).to_le_bytes())
				.collect::<Vec<u8>>(),
		);
		let split = |round: &[T::AccountId]| {
			for (i, a) in round.iter().enumerate() {
				let theirs = if i % 2 == 0 { &out } else { &wrong };
				let c = commitment_for::<T>(id, a, theirs);
				Pallet::<T>::commit_audit(RawOrigin::Signed(a.clone()).into(), id, c)
					.expect("commits");
			}
			if Jobs::<T>::get(id).is_some_and(|j| !j.revealed) {
				Pallet::<T>::reveal_result(
					RawOrigin::Signed(worker.clone()).into(),
					id,
					out.clone(),
					[1; 32],
				)
				.expect("reveals");
			}
			for (i, a) in round.iter().enumerate() {
				let theirs = if i % 2 == 0 { out.clone() } else { wrong.clone() };
				Pallet::<T>::reveal_audit(RawOrigin::Signed(a.clone()).into(), id, theirs, [1; 32])
					.expect("reveals");
			}
		};
		split(&first);
		// Tied: the escalation draws k more auditors two blocks on.
		next_block::<T>();
		next_block::<T>();
		let job = Jobs::<T>::get(id).expect("job");
		assert_eq!((job.status, job.auditors.len() as u32), (JobStatus::Auditing, 2 * k));
		let second: Vec<T::AccountId> = job.current_round().iter().map(|a| a.who.clone()).collect();
		split(&second);
		assert_eq!(Jobs::<T>::get(id).map(|j| j.status), Some(JobStatus::Disputed));
		#[extrinsic_call]
		_(RawOrigin::Root, id, true);
		assert_eq!(Jobs::<T>::get(id).map(|j| j.status), Some(JobStatus::Finalized));
	}

	/// `n` jobs assigned to one worker are released and requeued.
	#[benchmark]
	fn release_jobs(n: Linear<1, { T::MaxBatch::get() }>) {
		let (model, worker, _) = market::<T>(1);
		let dapp = funded::<T>("dapp", 0);
		let first = NextJobId::<T>::get();
		for _ in 0..n {
			Pallet::<T>::submit_job(
				RawOrigin::Signed(dapp.clone()).into(),
				model,
				input::<T>(T::MaxInputLen::get()),
				1_000_000u32.into(),
				None,
			)
			.expect("submits");
		}
		while Queue::<T>::get().len() > 0 {
			next_block::<T>();
		}
		let jobs: Vec<JobId> = (first..first + u64::from(n)).collect();
		for id in &jobs {
			assert_eq!(Jobs::<T>::get(id).and_then(|j| j.worker), Some(worker.clone()));
		}
		let batch: BoundedVec<JobId, T::MaxBatch> = BoundedVec::truncate_from(jobs.clone());
		#[extrinsic_call]
		_(RawOrigin::Signed(worker.clone()), batch);
		for id in &jobs {
			assert_eq!(Jobs::<T>::get(id).map(|j| j.status), Some(JobStatus::Queued));
		}
		assert_eq!(WorkerLoad::<T>::get(&worker), 0);
	}

	#[benchmark]
	fn set_params() -> Result<(), BenchmarkError> {
		let p = bench_params::<T>(1);
		let origin =
			T::ParamsOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, p.clone());
		assert_eq!(Params::<T>::get(), Some(p));
		Ok(())
	}

	/// `d` queued jobs time out in this block and `a` queued jobs are assigned.
	#[benchmark]
	fn on_initialize(
		d: Linear<0, { T::MaxJobsPerBlock::get() }>,
		a: Linear<0, { T::MaxAssignmentsPerBlock::get() }>,
	) {
		let (model, worker, _) = market::<T>(1);
		let dapp = funded::<T>("dapp", 0);
		// Jobs that time out: their worker left, so nobody can take them.
		let _ = T::Staking::slash(
			&worker,
			Perbill::one(),
			verinfer_primitives::SlashDestination::Treasury,
		);
		for _ in 0..d.min(T::MaxQueuedJobs::get()) {
			Pallet::<T>::submit_job(
				RawOrigin::Signed(dapp.clone()).into(),
				model,
				input::<T>(1),
				1_000_000u32.into(),
				None,
			)
			.expect("submits");
		}
		let timeout = now::<T>() + bench_params::<T>(1).queue_timeout;
		// Jobs to assign, for a fresh worker.
		let fresh = funded::<T>("worker", 1);
		assert!(T::Staking::bond_worker_for_benchmark(&fresh, model));
		let before = NextJobId::<T>::get();
		// Submitted a block later, so they are still queued when the others time out.
		frame_system::Pallet::<T>::set_block_number(now::<T>() + 1u32.into());
		for _ in 0..a {
			Pallet::<T>::submit_job(
				RawOrigin::Signed(dapp.clone()).into(),
				model,
				input::<T>(1),
				1_000_000u32.into(),
				None,
			)
			.expect("submits");
		}
		frame_system::Pallet::<T>::set_block_number(timeout);
		#[block]
		{
			Pallet::<T>::on_initialize(timeout);
		}
		for id in 0..before {
			assert_eq!(Jobs::<T>::get(id).map(|j| j.status), Some(JobStatus::Expired));
		}
		for id in before..NextJobId::<T>::get() {
			assert_eq!(Jobs::<T>::get(id).map(|j| j.status), Some(JobStatus::Assigned));
		}
	}

	#[benchmark]
	fn prune_job() {
		let (model, _, _) = market::<T>(1);
		let dapp = funded::<T>("dapp", 0);
		Pallet::<T>::submit_job(
			RawOrigin::Signed(dapp.clone()).into(),
			model,
			input::<T>(T::MaxInputLen::get()),
			1_000_000u32.into(),
			None,
		)
		.expect("submits");
		Pallet::<T>::cancel_job(RawOrigin::Signed(dapp).into(), 0).expect("cancels");
		let later = now::<T>() + 100u32.into();
		#[block]
		{
			Pallet::<T>::prune(later, Weight::MAX);
		}
		assert!(Jobs::<T>::get(0).is_none());
	}

	impl_benchmark_test_suite!(Pallet, crate::mock::new_test_ext(), crate::mock::Test);
}
