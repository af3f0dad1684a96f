//! Bonded workers and auditors: reputation, slashing and the trait other pallets use.

use crate::ModelId;
use alloc::vec::Vec;
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;
use serde::{Deserialize, Serialize};
use sp_runtime::Perbill;

/// A bonded account's track record. The counters saturate; they never wrap.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Clone,
	Copy,
	Default,
	PartialEq,
	Eq,
	Debug,
	Serialize,
	Deserialize,
)]
pub struct Reputation {
	/// Jobs the account delivered as a worker and that were finalized.
	pub jobs_completed: u32,
	/// Audits the account took part in and judged the same as the final verdict.
	pub audits_passed: u32,
	/// Audits that went against the account, as worker or as auditor.
	pub audits_failed: u32,
	/// Jobs or audits it took and did not deliver in time.
	pub missed_deadlines: u32,
}

/// A worker's reputation score in thousandths: the share of its record that is good, with
/// failed audits weighing five times and missed deadlines twice as much as a delivered job.
pub fn reputation_score(r: &Reputation) -> u32 {
	// `good` is at least 1, so the division is defined; the quotient is at most 1000.
	let good = u64::from(r.jobs_completed).saturating_add(1);
	let bad = u64::from(r.audits_failed)
		.saturating_mul(5)
		.saturating_add(u64::from(r.missed_deadlines).saturating_mul(2));
	#[allow(clippy::arithmetic_side_effects)] // The divisor is at least `good`, so at least 1.
	let score = good.saturating_mul(1000) / good.saturating_add(bad);
	score as u32
}

/// Where slashed stake goes.
#[derive(
	Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Clone, PartialEq, Eq, Debug,
)]
pub enum SlashDestination<AccountId> {
	/// The runtime's slash handler, the treasury.
	Treasury,
	/// An account, such as the reporter of a fault. If it cannot receive the amount (it
	/// does not exist and the amount is below the existential deposit), the slash goes to
	/// the treasury instead, so no funds are lost.
	Account(AccountId),
}

/// What a worker offers the market.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct WorkerTerms<Balance> {
	/// What it asks per job.
	pub price: Balance,
	/// The most jobs it takes at once: jobs assigned to it and not yet committed. The chain
	/// never assigns it more.
	pub capacity: u32,
}

/// The role an account bonded for.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	Serialize,
	Deserialize,
)]
pub enum RoleKind {
	/// Runs jobs for the models it serves.
	Worker,
	/// Re-executes sampled jobs and reports the verdict.
	Auditor,
}

/// Access to the bonded workers and auditors, for pallets that assign and judge work.
///
/// Implemented by the `ComputeStaking` pallet; other pallets' tests use it or a mock. "Active" means bonded at or above the role's minimum stake and not chilled: only
/// active accounts should be given new work. Slashing applies to any bonded account,
/// active or not.
pub trait ComputeStakingInterface<AccountId, Balance> {
	/// Whether `who` is an active worker that serves `model`.
	fn is_active_worker(who: &AccountId, model: ModelId) -> bool;

	/// Whether `who` is an active auditor.
	fn is_active_auditor(who: &AccountId) -> bool;

	/// What worker `who` offers (its price per job and how many jobs it takes at once),
	/// `None` if it is not a worker.
	fn worker_terms(who: &AccountId) -> Option<WorkerTerms<Balance>>;

	/// The stake `who` has at risk: its active bond plus the funds still unbonding.
	fn stake(who: &AccountId) -> Balance;

	/// The track record of `who`.
	fn reputation(who: &AccountId) -> Reputation;

	/// Records that worker `who` delivered a job.
	fn note_job_completed(who: &AccountId);

	/// Records that `who` was on the winning side of an audit.
	fn note_audit_passed(who: &AccountId);

	/// Records that `who` was on the losing side of an audit.
	fn note_audit_failed(who: &AccountId);

	/// Records that `who` missed a deadline.
	fn note_missed_deadline(who: &AccountId);

	/// The active workers serving `model`, at most the runtime's bound.
	fn active_workers(model: ModelId) -> Vec<AccountId>;

	/// The active auditors, at most the runtime's bound.
	fn active_auditors() -> Vec<AccountId>;

	/// Slashes `fraction` of everything `who` has bonded, unbonding funds included, sends it
	/// to `destination` and returns the amount slashed. An account left below its role's
	/// minimum stake stops being active.
	fn slash(
		who: &AccountId,
		fraction: Perbill,
		destination: SlashDestination<AccountId>,
	) -> Balance;

	/// Slashes `amount` (at most everything `who` has bonded, unbonding funds included),
	/// sends it to `destination` and returns the amount slashed. An account left below its
	/// role's minimum stake stops being active.
	fn slash_exact(
		who: &AccountId,
		amount: Balance,
		destination: SlashDestination<AccountId>,
	) -> Balance;

	/// Takes `who` off duty: it gets no new work until it activates again. Returns whether
	/// it was on duty.
	fn take_off_duty(who: &AccountId) -> bool;

	/// Bonds `who` as an active worker for `model` (funding it as needed), for another
	/// pallet's benchmarks. Returns whether it worked; the default cannot.
	#[cfg(feature = "runtime-benchmarks")]
	fn bond_worker_for_benchmark(_who: &AccountId, _model: ModelId) -> bool {
		false
	}

	/// Bonds `who` as an active auditor (funding it as needed), for another pallet's
	/// benchmarks. Returns whether it worked; the default cannot.
	#[cfg(feature = "runtime-benchmarks")]
	fn bond_auditor_for_benchmark(_who: &AccountId) -> bool {
		false
	}
}
