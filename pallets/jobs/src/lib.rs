//! # Jobs pallet
//!
//! The heart of verinfer: dApps pay for inference jobs, workers run them off-chain and
//! commit to their results, a random sample of results is re-executed blind by auditors,
//! and whoever is caught lying is slashed.
//!
//! ## Lifecycle
//!
//! 1. **Submit.** [`Pallet::submit_job`] names an approved model, an input that fits the
//!    model's input schema, and `max_fee`, which goes on hold (`HoldReason::JobFee`). The
//!    job waits in a bounded queue. [`Pallet::cancel_job`] refunds a job no worker took.
//! 2. **Assign.** `on_initialize` assigns a bounded number of queued jobs per block. Among
//!    the active workers that serve the model, ask at most `max_fee` and have a reputation
//!    score of at least `min_worker_score`, one is drawn with probability proportional to
//!    stake times reputation score: an account gains jobs only by bonding more stake and
//!    delivering, and cannot choose the draw.
//! 3. **Commit.** The worker sends [`Pallet::commit_result`] with
//!    `H(domain ‖ job ‖ worker ‖ model hash ‖ input hash ‖ output ‖ salt)` (see
//!    [`verinfer_primitives::commitment`]) before the commit deadline.
//! 4. **Audit draw.** Two blocks after the commit, the job is sampled for audit with the
//!    probability [`verinfer_primitives::audit_probability`] gives (at least the governed
//!    base `p`, more for valuable jobs against small stakes and for newcomers or workers
//!    caught before, so that cheating has a negative expected value), using randomness
//!    from a block authored after the commit (see *Randomness* below). A sampled job gets
//!    `k` auditors, drawn from the active auditors, never the worker itself.
//! 5. **Blind audit.** Each auditor re-runs the job and sends [`Pallet::commit_audit`].
//!    The reveal phase opens only when all auditors committed or the audit window closed,
//!    so no auditor can copy the worker's output; commitments name their sender, so no
//!    auditor can copy another's commitment either.
//! 6. **Reveal.** The worker sends [`Pallet::reveal_result`] and each auditor that
//!    committed [`Pallet::reveal_audit`], with output and salt; the chain checks them
//!    against the commitments and that the output fits the model's output schema.
//! 7. **Judge.** Outputs are compared by the model's verification class
//!    ([`verinfer_primitives::outputs_match`]): `Exact` on bytes, `Tolerance` element-wise
//!    in integer fixed point. If the majority of the revealed auditors disagree with the
//!    worker, the worker is slashed (`worker_slash`) and the owner refunded in full; the
//!    auditors on the losing side are slashed (`auditor_slash`). A tie, or an audit no
//!    auditor revealed, is **escalated** once: two blocks later (so that the last revealer
//!    cannot pick the randomness), `auditors_per_job` more auditors are drawn, never the
//!    worker, the owner or an auditor already drawn, and get a fresh audit window; the
//!    outputs revealed so far are kept and counted with theirs. The new auditors commit
//!    before they see each other's outputs, but the worker's output and the first
//!    auditors' are already public, so what deters a lazy tie-breaker from copying one
//!    side is the `auditor_slash` it risks if the final verdict goes the other way. A tie
//!    after the escalation (or an escalation that finds no more auditors) goes to the
//!    dispute origin ([`Pallet::resolve_dispute`]); if it does not decide within
//!    `dispute_window`, the owner is refunded and nobody is paid or slashed.
//! 8. **Finalize.** An accepted result's fee (the worker's price, at most `max_fee`) is
//!    split by [`verinfer_primitives::split_fee`] between the model's contributors, the
//!    treasury, the agreeing auditors and the worker; the rest of `max_fee` is released
//!    to the owner. The accepted job is reported to the reward stream (`Config::Rewards`):
//!    the worker's compute units (the fee paid), the model's usage (the same units) and
//!    each auditor on the side of the final verdict. A missed commit or reveal slashes the worker (`missed_deadline_slash`)
//!    and the job is reassigned once, then refunded; an auditor that misses its commit or
//!    reveal is slashed the same way. Finished jobs are pruned after `retention` blocks.
//!
//! ## Bounded work
//!
//! Every phase deadline is filed in the `Agenda` of the block it falls in (at most
//! `MaxJobsPerBlock` jobs per block; a full block files into the next one), and
//! `on_initialize` handles exactly that block's agenda and at most
//! `MaxAssignmentsPerBlock` queued jobs. Finished jobs are pruned in `on_idle`, as far as
//! the block's spare weight allows. Nothing iterates over all jobs, workers or accounts.
//!
//! ## Randomness
//!
//! Assignment and the audit draw use the runtime's `Randomness`, always with a subject
//! that names the job, and the audit draw only two blocks after the commit, so that the
//! worker cannot know at commit time whether it will be audited.
//!
//! verinfer's runtime plugs in BABE's VRF output of the parent block's author
//! (`pallet_babe::ParentBlockRandomness`). Why: the draw two blocks after a commit uses the
//! output of the block right after it, which nobody knows when the commit is made. A VRF
//! output is fixed by the author's key, the slot and the epoch's randomness, so its author
//! cannot grind it the way it could grind a block hash (by reordering extrinsics); its
//! only lever is to withhold its block, which forfeits the slot and yields another
//! author's equally unpredictable output. A commit–reveal beacon among validators or an
//! external beacon would add rounds or a dependency for little more: the worst a single
//! author can do here is one costly coin flip.
//!
//! ## Sampling seeds
//!
//! Each assignment of a job gets a 32-byte sampling seed, [`Pallet::sampling_seed`]: the
//! blake2-256 of the job id, the attempt number and the same `Randomness` the assignment
//! draw uses (subject `verinfer/seed`). It is fixed in the block that assigns the job,
//! after the owner submitted the input and before the worker could see the assignment, so
//! neither picks it; a reassigned job gets a new one. Generation models sample every
//! token with it (`verinfer_primitives::choose`), so an auditor replays the same choices,
//! and it is readable as `seed` in `jobs_getJob`.
//!
//! ## Parameters
//!
//! [`JobParams`] live in storage and only `ParamsOrigin` changes them, through
//! [`Pallet::set_params`], with range checks. Each job copies the parameters when it is
//! submitted, so a change never applies retroactively to jobs in flight.
#![cfg_attr(not(feature = "std"), no_std)]
// Tests and mocks may use plain arithmetic and indexing: a mistake there fails the test.
#![cfg_attr(test, allow(clippy::arithmetic_side_effects, clippy::indexing_slicing))]

extern crate alloc;

#[cfg(any(feature = "try-runtime", test))]
mod invariants;
mod lifecycle;
mod params;
pub mod runtime_api;
mod schedule;
mod steps;
pub use steps::MAX_ATTEMPTS;
pub mod types;
pub mod weights;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
#[cfg(test)]
mod mock;
#[cfg(test)]
mod tests;

pub use pallet::*;
pub use types::*;
pub use weights::WeightInfo;

use frame_support::traits::fungible::Inspect;

/// The balance type of the runtime's currency.
pub type BalanceOf<T> =
	<<T as Config>::Currency as Inspect<<T as frame_system::Config>::AccountId>>::Balance;

#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use frame_support::{
		pallet_prelude::*,
		traits::{
			fungible::{InspectHold, Mutate, MutateHold},
			tokens::Precision,
			Randomness,
		},
		PalletId,
	};
	use frame_system::pallet_prelude::*;
	use sp_runtime::traits::Saturating;
	use verinfer_primitives::{
		input_hash, ComputeStakingInterface, JobId, ModelRegistry, RewardsHook, Salt,
	};

	/// The in-code storage version.
	const STORAGE_VERSION: StorageVersion = StorageVersion::new(0);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	/// The pallet's configuration.
	#[pallet::config]
	pub trait Config: frame_system::Config<RuntimeEvent: From<Event<Self>>> {
		/// The overarching hold reason.
		type RuntimeHoldReason: From<HoldReason>;

		/// The native currency: job fees are held in it and paid out from the hold.
		type Currency: MutateHold<Self::AccountId, Reason = Self::RuntimeHoldReason>
			+ Mutate<Self::AccountId>
			+ InspectHold<Self::AccountId>;

		/// The model registry: which models take jobs, their schemas and royalties.
		type Models: ModelRegistry<Self::AccountId, BalanceOf<Self>>;

		/// The bonded workers and auditors.
		type Staking: ComputeStakingInterface<Self::AccountId, BalanceOf<Self>>;

		/// The reward stream: it is told about every accepted result and honest audit.
		type Rewards: RewardsHook<Self::AccountId>;

		/// The randomness for assignment and audit draws (see the crate docs).
		type Randomness: Randomness<Self::Hash, BlockNumberFor<Self>>;

		/// Who may change [`JobParams`].
		type ParamsOrigin: EnsureOrigin<Self::RuntimeOrigin>;

		/// Who settles disputed jobs.
		type DisputeOrigin: EnsureOrigin<Self::RuntimeOrigin>;

		/// The treasury account: it receives the treasury's share of fees and any payout
		/// that cannot be made to its recipient.
		#[pallet::constant]
		type TreasuryAccount: Get<Self::AccountId>;

		/// The pallet's id, from which the account that collects a caught worker's slash
		/// (to reward the auditors who caught it) is derived.
		#[pallet::constant]
		type PalletId: Get<PalletId>;

		/// The largest input, in bytes.
		#[pallet::constant]
		type MaxInputLen: Get<u32>;

		/// The largest output, in bytes.
		#[pallet::constant]
		type MaxOutputLen: Get<u32>;

		/// The most jobs waiting for a worker.
		#[pallet::constant]
		type MaxQueuedJobs: Get<u32>;

		/// The most jobs whose phase ends in one block.
		#[pallet::constant]
		type MaxJobsPerBlock: Get<u32>;

		/// The most queued jobs `on_initialize` tries to assign per block.
		#[pallet::constant]
		type MaxAssignmentsPerBlock: Get<u32>;

		/// The most auditors per job (at most [`MAX_AUDITORS`]).
		#[pallet::constant]
		type MaxAuditorsPerJob: Get<u32>;

		/// The most items in one batched call (`commit_results`, `reveal_results`,
		/// `commit_audits`, `reveal_audits`, `release_jobs`).
		#[pallet::constant]
		type MaxBatch: Get<u32>;

		/// How long a worker's or auditor's stake stays slashable after it stops backing
		/// new work: the staking pallet's dispute window, which its unbonding delay never
		/// undercuts. The runtime passes the very constant it gives the staking pallet.
		/// Parameters whose longest job timeline ([`Pallet::slashable_span`]) exceeds it are
		/// refused, so no stake can leave before the verdict that may slash it.
		#[pallet::constant]
		type StakeLockedFor: Get<BlockNumberFor<Self>>;

		/// Weights of this pallet's calls and hooks.
		type WeightInfo: WeightInfo;
	}

	/// Why the pallet holds funds.
	#[pallet::composite_enum]
	pub enum HoldReason {
		/// A job's `max_fee`, held from submission until the job ends.
		#[codec(index = 0)]
		JobFee,
	}

	/// The id the next job gets.
	#[pallet::storage]
	pub type NextJobId<T> = StorageValue<_, JobId, ValueQuery>;

	/// Every job not yet pruned.
	#[pallet::storage]
	pub type Jobs<T: Config> = StorageMap<_, Twox64Concat, JobId, Job<T>, OptionQuery>;

	/// Revealed outputs: the worker's and each auditor's, kept until the job is pruned.
	#[pallet::storage]
	pub type Outputs<T: Config> = StorageDoubleMap<
		_,
		Twox64Concat,
		JobId,
		Blake2_128Concat,
		T::AccountId,
		BoundedVec<u8, T::MaxOutputLen>,
		OptionQuery,
	>;

	/// The fingerprint a generation job's worker revealed (its draft is its entry in
	/// [`Outputs`], published with its commitment), kept until the job is pruned.
	#[pallet::storage]
	pub type Fingerprints<T: Config> =
		StorageMap<_, Twox64Concat, JobId, verinfer_primitives::Fingerprint, OptionQuery>;

	/// Jobs waiting for a worker, oldest first.
	#[pallet::storage]
	pub type Queue<T: Config> = StorageValue<_, BoundedVec<JobId, T::MaxQueuedJobs>, ValueQuery>;

	/// The jobs whose current phase ends in a block, handled by that block's
	/// `on_initialize`.
	#[pallet::storage]
	pub type Agenda<T: Config> = StorageMap<
		_,
		Twox64Concat,
		BlockNumberFor<T>,
		BoundedVec<JobId, T::MaxJobsPerBlock>,
		ValueQuery,
	>;

	/// Finished jobs to prune, in the order they finished, with the block from which on
	/// they may be pruned.
	#[pallet::storage]
	pub type PruneQueue<T: Config> =
		StorageMap<_, Twox64Concat, u64, (JobId, BlockNumberFor<T>), OptionQuery>;

	/// The first and one-past-last index of [`PruneQueue`].
	#[pallet::storage]
	pub type PruneBounds<T> = StorageValue<_, (u64, u64), ValueQuery>;

	/// The market parameters for new jobs.
	#[pallet::storage]
	pub type Params<T: Config> = StorageValue<_, ParamsOf<T>, OptionQuery>;

	/// How many jobs each worker holds assigned and not yet committed. Assignment never
	/// takes a worker above its declared capacity.
	#[pallet::storage]
	pub type WorkerLoad<T: Config> = StorageMap<_, Blake2_128Concat, T::AccountId, u32, ValueQuery>;

	/// How many blocks in a row each account missed deadlines in (several misses in one
	/// block count once), and the last such block; reset when it delivers a step.
	#[pallet::storage]
	pub type MissStreak<T: Config> =
		StorageMap<_, Blake2_128Concat, T::AccountId, (u32, BlockNumberFor<T>), OptionQuery>;

	/// Genesis: the initial market parameters.
	#[pallet::genesis_config]
	#[derive(frame_support::DefaultNoBound)]
	pub struct GenesisConfig<T: Config> {
		/// The parameters new jobs run under, until governance changes them.
		pub params: Option<ParamsOf<T>>,
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		fn build(&self) {
			if let Some(params) = &self.params {
				Pallet::<T>::validate_params(params)
					.expect("the genesis job parameters must be valid");
				Params::<T>::put(params);
			}
		}
	}

	/// What happened to jobs.
	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// A job was submitted and its `max_fee` put on hold.
		JobSubmitted {
			/// The new job.
			job: JobId,
			/// Who submitted it and pays for it.
			owner: T::AccountId,
			/// The model it runs.
			model: u32,
			/// The most the owner pays, held until the job ends.
			max_fee: BalanceOf<T>,
		},
		/// Its owner cancelled a queued job; the hold was released.
		JobCancelled {
			/// The cancelled job.
			job: JobId,
		},
		/// A worker was assigned a job, at its price.
		JobAssigned {
			/// The assigned job.
			job: JobId,
			/// The worker that runs it.
			worker: T::AccountId,
			/// The job's fee: the worker's price.
			fee: BalanceOf<T>,
			/// The last block in which the worker can commit to a result.
			commit_by: BlockNumberFor<T>,
		},
		/// The worker committed to a result.
		ResultCommitted {
			/// The job.
			job: JobId,
			/// The worker that committed.
			worker: T::AccountId,
		},
		/// The audit draw: whether the job is audited, and by whom.
		AuditDrawn {
			/// The job.
			job: JobId,
			/// Whether it is audited.
			audited: bool,
			/// The auditors drawn; empty when it is not audited.
			auditors: alloc::vec::Vec<T::AccountId>,
		},
		/// An auditor committed to its own result.
		AuditCommitted {
			/// The job.
			job: JobId,
			/// The auditor that committed.
			auditor: T::AccountId,
		},
		/// The reveal phase opened.
		RevealOpened {
			/// The job.
			job: JobId,
			/// The last block in which results can be revealed.
			reveal_by: BlockNumberFor<T>,
		},
		/// The worker revealed a result that matches its commitment.
		ResultRevealed {
			/// The job.
			job: JobId,
		},
		/// An auditor revealed a result that matches its commitment.
		AuditRevealed {
			/// The job.
			job: JobId,
			/// The auditor that revealed.
			auditor: T::AccountId,
			/// Whether its result matches the worker's revealed one.
			agrees: bool,
		},
		/// The job is final: its verdict, and the fee the owner paid (zero if rejected).
		JobFinalized {
			/// The job.
			job: JobId,
			/// How the result was judged.
			verdict: Verdict,
			/// The fee the owner paid.
			fee: BalanceOf<T>,
		},
		/// The audit was inconclusive; the dispute origin decides.
		JobDisputed {
			/// The disputed job.
			job: JobId,
		},
		/// The audit was a tie (or nobody revealed): more auditors were drawn, with a new
		/// audit window.
		AuditEscalated {
			/// The job.
			job: JobId,
			/// The auditors added.
			auditors: alloc::vec::Vec<T::AccountId>,
		},
		/// Someone missed a deadline of the job and was slashed `slashed`.
		DeadlineMissed {
			/// The job.
			job: JobId,
			/// The worker or auditor that missed the deadline.
			who: T::AccountId,
			/// The job's status when the deadline passed: which deadline was missed.
			status: JobStatus,
			/// What was taken from its stake.
			slashed: BalanceOf<T>,
		},
		/// An auditor's verdict went against the majority and it was slashed.
		AuditorSlashed {
			/// The job.
			job: JobId,
			/// The auditor slashed.
			auditor: T::AccountId,
			/// What was taken from its stake.
			slashed: BalanceOf<T>,
		},
		/// The worker's result was rejected and it was slashed.
		WorkerSlashed {
			/// The job.
			job: JobId,
			/// The worker slashed.
			worker: T::AccountId,
			/// What was taken from its stake.
			slashed: BalanceOf<T>,
		},
		/// The job went back to the queue after its worker failed or released it.
		JobRequeued {
			/// The requeued job.
			job: JobId,
			/// The worker that failed or released it; it is not assigned the job again.
			failed_worker: T::AccountId,
		},
		/// The assigned worker handed the job back before its commit deadline, unslashed.
		JobReleased {
			/// The released job.
			job: JobId,
			/// The worker that released it.
			worker: T::AccountId,
		},
		/// An account missed deadlines in `misses` blocks in a row and was taken off duty; it
		/// gets no new work until it activates again.
		ChilledForMisses {
			/// The job whose missed deadline took it off duty.
			job: JobId,
			/// The account taken off duty.
			who: T::AccountId,
			/// The blocks in a row in which it missed deadlines.
			misses: u32,
		},
		/// The job ended without a result; the owner was refunded.
		JobExpired {
			/// The expired job.
			job: JobId,
			/// The job's status when it expired.
			status: JobStatus,
		},
		/// A finished job's data was removed.
		JobPruned {
			/// The pruned job.
			job: JobId,
		},
		/// The market parameters for new jobs changed.
		ParamsSet {
			/// The new parameters.
			params: ParamsOf<T>,
		},
	}

	/// Why a call failed.
	#[pallet::error]
	pub enum Error<T> {
		/// No model with this id is registered.
		UnknownModel,
		/// The model is not approved (proposed or deprecated), so it takes no jobs.
		ModelNotApproved,
		/// The input is longer than the model's input schema (or the runtime) allows.
		InputTooLarge,
		/// The input does not fit the model's input schema (wrong length or not UTF-8).
		MalformedInput,
		/// `max_fee` is below the minimum job fee.
		FeeBelowMinimum,
		/// `max_fee` is below the model's price.
		FeeBelowModelPrice,
		/// The deadline leaves no time to assign, run, audit and reveal the job.
		DeadlineTooSoon,
		/// The queue of jobs waiting for a worker is full; try again later.
		QueueFull,
		/// No block within reach has room for another deadline; try again later.
		AgendaFull,
		/// The market parameters are not set: governance must set them first.
		NoParams,
		/// No job with this id (it may have been pruned).
		UnknownJob,
		/// Only the job's owner may do this.
		NotJobOwner,
		/// Only a job that no worker has taken can be cancelled.
		NotCancellable,
		/// The caller is not the job's assigned worker.
		NotAssignedWorker,
		/// The job is not waiting for a commitment.
		NotAwaitingCommit,
		/// The commit deadline passed.
		CommitDeadlinePassed,
		/// The caller is not one of the job's auditors.
		NotAnAuditor,
		/// The job has not reached its audit phase.
		NotAuditing,
		/// The audit commit window closed: this auditor can no longer commit.
		AuditWindowClosed,
		/// This auditor already committed.
		AlreadyCommitted,
		/// The reveal phase is not open.
		RevealNotOpen,
		/// The reveal deadline passed (or this auditor's audit round is over).
		RevealDeadlinePassed,
		/// The caller did not commit, so it has nothing to reveal.
		NothingToReveal,
		/// Already revealed.
		AlreadyRevealed,
		/// Output and salt do not match the commitment.
		CommitmentMismatch,
		/// The output does not fit the model's output schema.
		MalformedOutput,
		/// The job's model is audited by generation (`VerificationClass::Generation`): its
		/// worker commits with `commit_generation`, publishing its draft.
		DraftRequired,
		/// `commit_generation` is only for jobs of a model audited by generation.
		NotAGeneration,
		/// The draft is not a generation: no tokens, a text that is not UTF-8, or sampling
		/// terms the sampler refuses.
		MalformedDraft,
		/// The job is not disputed.
		NotDisputed,
		/// The audit probability must be above zero.
		AuditProbabilityZero,
		/// Auditors per job must be between one and the runtime's maximum.
		AuditorsPerJobOutOfRange,
		/// Every window and the retention must be at least one block.
		ZeroWindow,
		/// The treasury's and auditors' shares together exceed 100%.
		SharesAbove100Percent,
		/// The minimum worker score is at most 1000 (thousandths).
		ScoreOutOfRange,
		/// `chill_after_misses` must be at least one.
		ZeroChillThreshold,
		/// The longest job timeline under these parameters (assignment, commit, two audit
		/// rounds and a dispute) is longer than stake stays slashable
		/// ([`Config::StakeLockedFor`]): shorten the windows.
		TimelineOutlivesStake,
		/// A batch needs at least one item.
		EmptyBatch,
		/// Only a job assigned and not yet committed can be released.
		NotReleasable,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		fn on_initialize(now: BlockNumberFor<T>) -> Weight {
			let (handled, assigned) = Self::run_block(now);
			T::WeightInfo::on_initialize(handled, assigned)
		}

		fn on_idle(now: BlockNumberFor<T>, remaining: Weight) -> Weight {
			Self::prune(now, remaining)
		}

		#[cfg(feature = "try-runtime")]
		fn try_state(_: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}

		fn integrity_test() {
			assert!(T::MaxAuditorsPerJob::get() <= MAX_AUDITORS, "MaxAuditorsPerJob too high");
			assert!(T::MaxJobsPerBlock::get() > 0 && T::MaxAssignmentsPerBlock::get() > 0);
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Submits a job: runs `model` on `input`, paying at most `max_fee`, which goes on
		/// hold. With a `deadline`, the job is refunded if it has no final result by then.
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::submit_job(input.len() as u32))]
		pub fn submit_job(
			origin: OriginFor<T>,
			model: u32,
			input: BoundedVec<u8, T::MaxInputLen>,
			max_fee: BalanceOf<T>,
			deadline: Option<BlockNumberFor<T>>,
		) -> DispatchResult {
			let owner = ensure_signed(origin)?;
			let params = Params::<T>::get().ok_or(Error::<T>::NoParams)?;
			let registered = T::Models::model(model).ok_or(Error::<T>::UnknownModel)?;
			ensure!(registered.accepts_jobs(), Error::<T>::ModelNotApproved);
			let schema = &registered.spec.input;
			ensure!(input.len() as u32 <= schema.max_bytes, Error::<T>::InputTooLarge);
			schema.check(&input).map_err(|_| Error::<T>::MalformedInput)?;
			ensure!(max_fee >= params.min_fee, Error::<T>::FeeBelowMinimum);
			ensure!(max_fee >= registered.spec.base_price, Error::<T>::FeeBelowModelPrice);
			let now = frame_system::Pallet::<T>::block_number();
			if let Some(deadline) = deadline {
				ensure!(
					deadline >= now.saturating_add(Self::min_turnaround(&params)),
					Error::<T>::DeadlineTooSoon
				);
			}

			let job_id = NextJobId::<T>::get();
			// File the queue timeout first: it is the only step that can fail for lack of
			// room, and nothing is held yet.
			let queue_ends = now.saturating_add(params.queue_timeout);
			let queue_ends = Self::file(job_id, queue_ends)?;
			Queue::<T>::try_mutate(|q| q.try_push(job_id)).map_err(|_| {
				Self::unfile(job_id, queue_ends);
				Error::<T>::QueueFull
			})?;
			T::Currency::hold(&HoldReason::JobFee.into(), &owner, max_fee)?;

			NextJobId::<T>::put(job_id.saturating_add(1));
			Jobs::<T>::insert(
				job_id,
				Job {
					owner: owner.clone(),
					model,
					input_hash: input_hash(&input),
					input,
					max_fee,
					fee: Default::default(),
					submitted_at: now,
					deadline,
					status: JobStatus::Queued,
					phase_ends: queue_ends,
					worker: None,
					failed_worker: None,
					attempts: 0,
					seed: [0; 32],
					commitment: None,
					revealed: false,
					audited: None,
					auditors: Default::default(),
					escalation: None,
					verdict: None,
					terms: params,
				},
			);
			Self::deposit_event(Event::JobSubmitted { job: job_id, owner, model, max_fee });
			Ok(())
		}

		/// Cancels a job that no worker has taken yet, releasing its fee.
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::cancel_job())]
		pub fn cancel_job(origin: OriginFor<T>, job: JobId) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let mut entry = Jobs::<T>::get(job).ok_or(Error::<T>::UnknownJob)?;
			ensure!(entry.owner == who, Error::<T>::NotJobOwner);
			ensure!(entry.status == JobStatus::Queued, Error::<T>::NotCancellable);
			Queue::<T>::mutate(|q| q.retain(|j| *j != job));
			Self::unfile(job, entry.phase_ends);
			Self::refund(&entry);
			entry.status = JobStatus::Cancelled;
			Self::finish(job, entry);
			Self::deposit_event(Event::JobCancelled { job });
			Ok(())
		}

		/// The assigned worker commits to its result: `commitment` is
		/// [`verinfer_primitives::commitment`] of the output and a secret salt.
		#[pallet::call_index(2)]
		#[pallet::weight(T::WeightInfo::commit_result())]
		pub fn commit_result(
			origin: OriginFor<T>,
			job: JobId,
			commitment: verinfer_primitives::Commitment,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_commit_result(&who, job, commitment)
		}

		/// An auditor of the job commits to its own result, before any output is revealed.
		#[pallet::call_index(3)]
		#[pallet::weight(T::WeightInfo::commit_audit())]
		pub fn commit_audit(
			origin: OriginFor<T>,
			job: JobId,
			commitment: verinfer_primitives::Commitment,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_commit_audit(&who, job, commitment)
		}

		/// The worker reveals its output and salt. Unaudited jobs are final at once;
		/// audited ones when every auditor that committed has revealed too.
		#[pallet::call_index(4)]
		#[pallet::weight(T::WeightInfo::reveal_result(output.len() as u32))]
		pub fn reveal_result(
			origin: OriginFor<T>,
			job: JobId,
			output: BoundedVec<u8, T::MaxOutputLen>,
			salt: Salt,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_reveal_result(&who, job, output, salt)
		}

		/// An auditor reveals its output and salt.
		#[pallet::call_index(5)]
		#[pallet::weight(T::WeightInfo::reveal_audit(output.len() as u32))]
		pub fn reveal_audit(
			origin: OriginFor<T>,
			job: JobId,
			output: BoundedVec<u8, T::MaxOutputLen>,
			salt: Salt,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_reveal_audit(&who, job, output, salt)
		}

		/// The dispute origin settles a disputed job: `accept` keeps the worker's result
		/// (the auditors against it are slashed), otherwise the worker is slashed and the
		/// owner refunded.
		#[pallet::call_index(6)]
		#[pallet::weight(T::WeightInfo::resolve_dispute())]
		pub fn resolve_dispute(origin: OriginFor<T>, job: JobId, accept: bool) -> DispatchResult {
			T::DisputeOrigin::ensure_origin(origin)?;
			let entry = Jobs::<T>::get(job).ok_or(Error::<T>::UnknownJob)?;
			ensure!(entry.status == JobStatus::Disputed, Error::<T>::NotDisputed);
			Self::unfile(job, entry.phase_ends);
			let verdict =
				if accept { Verdict::AcceptedByGovernance } else { Verdict::RejectedByGovernance };
			let sides = Self::sides(job, &entry);
			Self::settle(job, entry, verdict, sides);
			Ok(())
		}

		/// Sets the market parameters for jobs submitted from now on.
		#[pallet::call_index(7)]
		#[pallet::weight(T::WeightInfo::set_params())]
		pub fn set_params(origin: OriginFor<T>, params: ParamsOf<T>) -> DispatchResult {
			T::ParamsOrigin::ensure_origin(origin)?;
			Self::validate_params(&params)?;
			Params::<T>::put(&params);
			Self::deposit_event(Event::ParamsSet { params });
			Ok(())
		}

		/// The assigned worker of a generation job (`VerificationClass::Generation`) commits:
		/// it publishes its `draft` (the tokens the auditors teacher-force, and the result the
		/// dApp reads once it is accepted) and a commitment to its fingerprint, which it
		/// reveals with `reveal_result` once every auditor has committed.
		///
		/// The weight is that of a commit and of storing an output of the draft's length
		/// (the storage write `reveal_result` was benchmarked with), an upper bound of what
		/// this call does.
		#[pallet::call_index(13)]
		#[pallet::weight(T::WeightInfo::commit_result().saturating_add(
			T::WeightInfo::reveal_result(draft.encoded_size() as u32)
		))]
		pub fn commit_generation(
			origin: OriginFor<T>,
			job: JobId,
			commitment: verinfer_primitives::Commitment,
			draft: verinfer_primitives::GenerationDraft,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_commit_generation(&who, job, commitment, draft)
		}

		/// [`Pallet::commit_result`] for every job in `items`, in one transaction: what a
		/// worker sends once per block for all the jobs it finished. All or nothing: if one
		/// item fails, the call fails with that item's error and changes nothing.
		#[pallet::call_index(8)]
		#[pallet::weight(T::WeightInfo::commit_result().saturating_mul(items.len() as u64))]
		pub fn commit_results(
			origin: OriginFor<T>,
			items: BoundedVec<(JobId, verinfer_primitives::Commitment), T::MaxBatch>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::each_item(items, |(job, commitment)| {
				Self::do_commit_result(&who, job, commitment)
			})
		}

		/// [`Pallet::reveal_result`] for every job in `items`, in one transaction; all or
		/// nothing.
		#[pallet::call_index(9)]
		#[pallet::weight(Pallet::<T>::reveals_weight(items, T::WeightInfo::reveal_result))]
		pub fn reveal_results(
			origin: OriginFor<T>,
			items: BoundedVec<RevealOf<T>, T::MaxBatch>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::each_item(items, |(job, output, salt)| {
				Self::do_reveal_result(&who, job, output, salt)
			})
		}

		/// [`Pallet::commit_audit`] for every job in `items`, in one transaction; all or
		/// nothing.
		#[pallet::call_index(10)]
		#[pallet::weight(T::WeightInfo::commit_audit().saturating_mul(items.len() as u64))]
		pub fn commit_audits(
			origin: OriginFor<T>,
			items: BoundedVec<(JobId, verinfer_primitives::Commitment), T::MaxBatch>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::each_item(items, |(job, commitment)| Self::do_commit_audit(&who, job, commitment))
		}

		/// [`Pallet::reveal_audit`] for every job in `items`, in one transaction; all or
		/// nothing.
		#[pallet::call_index(11)]
		#[pallet::weight(Pallet::<T>::reveals_weight(items, T::WeightInfo::reveal_audit))]
		pub fn reveal_audits(
			origin: OriginFor<T>,
			items: BoundedVec<RevealOf<T>, T::MaxBatch>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::each_item(items, |(job, output, salt)| {
				Self::do_reveal_audit(&who, job, output, salt)
			})
		}

		/// The assigned worker hands `jobs` back before their commit deadlines, because it
		/// cannot run them in time or its model cannot run their input. It is not slashed.
		/// Each job goes back to the queue for another worker (never the same one right
		/// away), or, after [`MAX_ATTEMPTS`] assignments or when its owner's deadline no
		/// longer leaves time, ends refunded (`JobExpired`). All or nothing.
		#[pallet::call_index(12)]
		#[pallet::weight(T::WeightInfo::release_jobs(jobs.len() as u32))]
		pub fn release_jobs(
			origin: OriginFor<T>,
			jobs: BoundedVec<JobId, T::MaxBatch>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::each_item(jobs, |job| Self::do_release(&who, job))
		}
	}

	impl<T: Config> Pallet<T> {
		/// Releases what is left of a job's hold back to its owner.
		pub(crate) fn release_rest(owner: &T::AccountId, amount: BalanceOf<T>) {
			let _ = T::Currency::release(
				&HoldReason::JobFee.into(),
				owner,
				amount,
				Precision::BestEffort,
			);
		}
	}
}
