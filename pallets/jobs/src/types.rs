//! The Jobs pallet's data: jobs, their phases, the market parameters and verdicts.

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use frame_support::{
	pallet_prelude::ConstU32, BoundedVec, CloneNoBound, DebugNoBound, EqNoBound, PartialEqNoBound,
};
use frame_system::pallet_prelude::BlockNumberFor;
use scale_info::TypeInfo;
use serde::{Deserialize, Serialize};
use sp_runtime::Perbill;
use verinfer_primitives::{Commitment, JobId, ModelId, Salt};

use crate::{BalanceOf, Config};

/// The most auditors one job can have; the runtime's `MaxAuditorsPerJob` may be lower.
pub const MAX_AUDITORS: u32 = 16;

/// Blocks between a commit (or a tied audit) and the draw it leads to, so that the draw
/// uses randomness from a block authored after the last step anyone could choose.
pub const DRAW_DELAY: u32 = 2;

/// Where a job is in its lifecycle.
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
pub enum JobStatus {
	/// Submitted and paid for (the fee is on hold); waiting for a worker.
	Queued,
	/// A worker was assigned; waiting for its commitment until the phase deadline.
	Assigned,
	/// The worker committed; the audit draw happens at the phase deadline, with randomness
	/// from a block the worker could not see when it committed.
	Committed,
	/// Sampled for audit: the chosen auditors re-run the job and commit, blind, before the
	/// worker's output is revealed.
	Auditing,
	/// The reveal phase: the worker, and the auditors that committed, reveal output and salt.
	Revealing,
	/// The auditors were split evenly, or none revealed: the dispute origin decides.
	Disputed,
	/// Final: the result was accepted and paid, or rejected and refunded (see the verdict).
	Finalized,
	/// Cancelled by its owner before a worker took it; refunded.
	Cancelled,
	/// Nobody delivered in time (or a dispute was never settled); refunded.
	Expired,
}

impl JobStatus {
	/// Whether the job has reached an end and only waits to be pruned.
	pub fn is_final(self) -> bool {
		matches!(self, Self::Finalized | Self::Cancelled | Self::Expired)
	}
}

/// How a job's result was judged.
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
pub enum Verdict {
	/// Not sampled for audit; the revealed result matched the worker's commitment.
	AcceptedUnaudited,
	/// Audited, and the majority of the auditors that revealed agreed with the worker.
	AcceptedByAudit,
	/// Audited, and the majority disagreed: the worker was slashed and the owner refunded.
	RejectedByAudit,
	/// The dispute origin accepted the result.
	AcceptedByGovernance,
	/// The dispute origin rejected the result.
	RejectedByGovernance,
}

impl Verdict {
	/// Whether the result stands (and was paid for).
	pub fn accepted(self) -> bool {
		matches!(self, Self::AcceptedUnaudited | Self::AcceptedByAudit | Self::AcceptedByGovernance)
	}
}

/// The market parameters: only the parameters origin changes them, and every job keeps the
/// [`JobTerms`] that held when it was submitted.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Clone,
	PartialEq,
	Eq,
	Debug,
	Serialize,
	Deserialize,
)]
pub struct JobParams<Balance, BlockNumber> {
	/// The smallest `max_fee` a job may offer.
	pub min_fee: Balance,
	/// The base probability that a result is audited (see `audit_probability`).
	pub audit_probability: Perbill,
	/// How many auditors re-run an audited job.
	pub auditors_per_job: u32,
	/// The share of a worker's stake slashed for a result the audit rejects.
	pub worker_slash: Perbill,
	/// The share of an auditor's stake slashed for a verdict against the majority.
	pub auditor_slash: Perbill,
	/// A missed commit or reveal (or audit commit or reveal) slashes this many times the
	/// job's fee (see `verinfer_primitives::missed_deadline_slash`) ...
	pub miss_fee_multiple: u32,
	/// ... and at least this much.
	pub miss_slash_floor: Balance,
	/// After this many missed deadlines in a row, an account is taken off duty (chilled)
	/// until it activates again, so a worker that went silent is not drained.
	pub chill_after_misses: u32,
	/// The treasury's share of each fee.
	pub treasury_share: Perbill,
	/// The auditors' share of each audited job's fee.
	pub auditor_share: Perbill,
	/// How long a job may wait for a worker before it is refunded.
	pub queue_timeout: BlockNumber,
	/// How long an assigned worker has to commit.
	pub commit_window: BlockNumber,
	/// How long the auditors have to commit their own results.
	pub audit_window: BlockNumber,
	/// How long the reveal phase lasts.
	pub reveal_window: BlockNumber,
	/// How long the dispute origin has to settle a dispute before the job is refunded.
	pub dispute_window: BlockNumber,
	/// How long a finished job stays readable before it is pruned.
	pub retention: BlockNumber,
	/// The lowest reputation score, in thousandths, at which a worker still gets jobs.
	pub min_worker_score: u32,
}

/// One auditor of a job and how far it got.
#[derive(
	Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Clone, PartialEq, Eq, Debug,
)]
pub struct AuditorSlot<AccountId> {
	/// The auditor.
	pub who: AccountId,
	/// Its commitment, once made.
	pub commitment: Option<Commitment>,
	/// Whether it revealed an output matching its commitment.
	pub revealed: bool,
}

/// The parameters of the runtime `T`.
pub type ParamsOf<T> = JobParams<BalanceOf<T>, BlockNumberFor<T>>;

/// One item of a batch of reveals: the job, the output, and the salt of its commitment.
pub type RevealOf<T> = (JobId, BoundedVec<u8, <T as Config>::MaxOutputLen>, Salt);

/// An inference job.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	CloneNoBound,
	PartialEqNoBound,
	EqNoBound,
	DebugNoBound,
)]
#[scale_info(skip_type_params(T))]
#[codec(mel_bound(T: Config))]
pub struct Job<T: Config> {
	/// Who submitted and pays for the job.
	pub owner: T::AccountId,
	/// The model to run.
	pub model: ModelId,
	/// The input, in the model's canonical input encoding.
	pub input: BoundedVec<u8, T::MaxInputLen>,
	/// blake2-256 of the input, as committed to.
	pub input_hash: [u8; 32],
	/// The most the owner pays; held from submission until the end.
	pub max_fee: BalanceOf<T>,
	/// What the job costs: the assigned worker's price (zero until assigned).
	pub fee: BalanceOf<T>,
	/// The block the job was submitted in.
	pub submitted_at: BlockNumberFor<T>,
	/// The owner's latest acceptable block for a final result, if any.
	pub deadline: Option<BlockNumberFor<T>>,
	/// The lifecycle phase.
	pub status: JobStatus,
	/// When the current phase ends (its deadline, or the audit draw for `Committed`).
	pub phase_ends: BlockNumberFor<T>,
	/// The assigned worker.
	pub worker: Option<T::AccountId>,
	/// The worker that failed this job before, who is not assigned it again.
	pub failed_worker: Option<T::AccountId>,
	/// How many workers have been assigned this job.
	pub attempts: u8,
	/// The sampling seed of the current assignment, zeros until the job is assigned (see
	/// [`crate::Pallet::sampling_seed`]). Generation models sample with it, so neither the
	/// owner nor the worker chooses the text's randomness.
	pub seed: [u8; 32],
	/// The worker's commitment.
	pub commitment: Option<Commitment>,
	/// Whether the worker revealed.
	pub revealed: bool,
	/// Whether the job was sampled for audit (`None` until the draw).
	pub audited: Option<bool>,
	/// The auditors, if audited: the first round's, then those drawn by the escalation.
	pub auditors: BoundedVec<AuditorSlot<T::AccountId>, ConstU32<MAX_AUDITORS>>,
	/// Once the audit was escalated, the index in `auditors` of the first auditor of the
	/// escalation round (equal to their number while the round's draw is pending).
	pub escalation: Option<u8>,
	/// The verdict, once final.
	pub verdict: Option<Verdict>,
	/// The parameters the job runs under.
	pub terms: ParamsOf<T>,
}

impl<T: Config> Job<T> {
	/// The auditors of the audit round under way: all of them, or only those drawn by the
	/// escalation.
	pub fn current_round(&self) -> &[AuditorSlot<T::AccountId>] {
		let from = self.escalation.map_or(0, usize::from);
		self.auditors.get(from..).unwrap_or(&[])
	}

	/// Whether the auditor in slot `slot` belongs to the audit round under way.
	pub fn in_current_round(&self, slot: usize) -> bool {
		slot >= self.escalation.map_or(0, usize::from)
	}

	/// Whether the audit was escalated and the extra auditors are not drawn yet.
	pub fn escalation_pending(&self) -> bool {
		self.escalation.is_some_and(|from| usize::from(from) >= self.auditors.len())
	}
}
