//! Tests of the Jobs pallet on the mock runtime, by topic.

mod escalation;
mod fuzz;
mod generation;
mod invariants;
mod lifecycle;
mod load;
mod rewards;
mod simulation;
mod submit;

use crate::{mock::*, Event, HoldReason, JobStatus, Jobs as JobsStorage, Verdict};
use frame_support::{
	assert_ok,
	traits::fungible::{Inspect, InspectHold},
	BoundedVec,
};
use verinfer_primitives::{commitment, JobId, ModelId, ModelRegistry, Salt};

/// Total issuance at genesis: what every path must keep.
pub fn genesis_issuance() -> u64 {
	Balances::total_issuance()
}

/// Checks that no job fee is still on hold for any dApp once every job has ended, and that
/// issuance did not move.
pub fn assert_settled(issuance: u64) {
	assert_eq!(Balances::total_issuance(), issuance, "total issuance changed");
	for who in 1..=9u64 {
		assert_eq!(
			Balances::balance_on_hold(&HoldReason::JobFee.into(), &who),
			0,
			"fee still held for {who}"
		);
	}
}

pub fn submit(owner: u64, model: ModelId, input: &[u8], max_fee: u64) -> JobId {
	let id = crate::NextJobId::<Test>::get();
	assert_ok!(Jobs::submit_job(
		RuntimeOrigin::signed(owner),
		model,
		BoundedVec::truncate_from(input.to_vec()),
		max_fee,
		None
	));
	id
}

pub fn job(id: JobId) -> crate::Job<Test> {
	JobsStorage::<Test>::get(id).expect("job exists")
}

/// The correct output of each test model.
pub fn honest_output(model: ModelId) -> Vec<u8> {
	match model {
		EXACT => vec![3, 0xfd],
		_ => [0.6f32, -0.8f32].iter().flat_map(|f| f.to_le_bytes()).collect(),
	}
}

/// A wrong output of each test model.
pub fn wrong_output(model: ModelId) -> Vec<u8> {
	match model {
		EXACT => vec![4, 0xfd],
		_ => [-0.6f32, 0.8f32].iter().flat_map(|f| f.to_le_bytes()).collect(),
	}
}

pub fn salt_of(who: u64) -> Salt {
	[who as u8; 32]
}

pub fn commitment_of(id: JobId, who: u64, output: &[u8]) -> [u8; 32] {
	let j = job(id);
	let model_hash = <Models as ModelRegistry<u64, u64>>::model(j.model).unwrap().spec.weights_hash;
	commitment(id, &who, &model_hash, &j.input_hash, output, &salt_of(who))
}

pub fn commit(id: JobId, who: u64, output: &[u8]) {
	assert_ok!(Jobs::commit_result(RuntimeOrigin::signed(who), id, commitment_of(id, who, output)));
}

pub fn commit_audit(id: JobId, who: u64, output: &[u8]) {
	assert_ok!(Jobs::commit_audit(RuntimeOrigin::signed(who), id, commitment_of(id, who, output)));
}

pub fn reveal(id: JobId, who: u64, output: &[u8]) {
	assert_ok!(Jobs::reveal_result(
		RuntimeOrigin::signed(who),
		id,
		BoundedVec::truncate_from(output.to_vec()),
		salt_of(who)
	));
}

pub fn reveal_audit(id: JobId, who: u64, output: &[u8]) {
	assert_ok!(Jobs::reveal_audit(
		RuntimeOrigin::signed(who),
		id,
		BoundedVec::truncate_from(output.to_vec()),
		salt_of(who)
	));
}

/// Bonds `WORKER_2` as a second worker of `EXACT`, at `PRICE`, taking `capacity` jobs at once.
pub fn bond_second_worker(capacity: u32) {
	assert_ok!(ComputeStaking::bond_worker(
		RuntimeOrigin::signed(WORKER_2),
		WORKER_STAKE,
		vec![EXACT].try_into().unwrap(),
		PRICE,
		Default::default(),
		capacity
	));
}

/// Submits an `EXACT` job and runs until it is assigned to `WORKER`.
pub fn assigned_job() -> JobId {
	let id = submit(DAPP, EXACT, &[1, 2, 3, 4], 5_000);
	run_until(id, JobStatus::Assigned);
	assert_eq!(job(id).worker, Some(WORKER));
	id
}

/// Submits an `EXACT` job, has `WORKER` commit to `worker_output`, and runs until the job is
/// sampled for audit. Returns the job and its auditors, none of which has committed yet.
pub fn audited_job(worker_output: &[u8]) -> (JobId, Vec<u64>) {
	let id = assigned_job();
	commit(id, WORKER, worker_output);
	run_until(id, JobStatus::Auditing);
	let auditors: Vec<u64> = job(id).auditors.iter().map(|a| a.who).collect();
	assert!(!auditors.is_empty() && !auditors.contains(&WORKER));
	(id, auditors)
}

/// Runs blocks until `id` reaches `status`, for at most 30 blocks.
pub fn run_until(id: JobId, status: JobStatus) {
	for _ in 0..30 {
		if job(id).status == status {
			return;
		}
		run_to(System::block_number() + 1);
	}
	panic!("job {id} never reached {status:?}; it is {:?}", job(id).status);
}

/// Makes audits rare (the deterrence floor still applies: about 1 % at the mock's stakes).
pub fn rarely_audit() {
	let mut p = params();
	p.audit_probability = sp_runtime::Perbill::from_parts(1);
	assert_ok!(Jobs::set_params(RuntimeOrigin::root(), p));
}

pub fn last_verdict(id: JobId) -> Option<Verdict> {
	events().into_iter().rev().find_map(|e| match e {
		Event::JobFinalized { job, verdict, .. } if job == id => Some(verdict),
		_ => None,
	})
}
