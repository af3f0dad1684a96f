//! The job state machine's transitions that hooks and calls share: assignment, the audit
//! draw, judging, settling, payouts, refunds and missed deadlines.

use crate::{pallet::*, types::*, BalanceOf};
use alloc::vec::Vec;
use codec::Encode;
use frame_support::{
	pallet_prelude::*,
	traits::{
		fungible::{Mutate, MutateHold},
		tokens::{Fortitude, Precision, Preservation, Restriction},
		Randomness,
	},
};
use frame_system::pallet_prelude::BlockNumberFor;
use sp_runtime::{
	traits::{AccountIdConversion, Saturating, UniqueSaturatedInto, Zero},
	Perbill,
};
use verinfer_primitives::{
	audit_probability, missed_deadline_slash, reputation_score, split_equally, split_fee,
	ComputeStakingInterface, JobId, ModelRegistry, RewardsHook, SlashDestination,
};

impl<T: Config> Pallet<T> {
	/// `on_initialize`: ends the phases due in block `now`, then assigns queued jobs.
	/// Returns how many agenda entries and queued jobs it handled.
	pub(crate) fn run_block(now: BlockNumberFor<T>) -> (u32, u32) {
		let due = Agenda::<T>::take(now);
		let handled = due.len() as u32;
		for job in due {
			Self::phase_ended(job, now);
		}

		let queue = Queue::<T>::get();
		let tried = queue.len().min(T::MaxAssignmentsPerBlock::get() as usize);
		let mut waiting = Vec::new();
		for job in queue.iter().take(tried) {
			if !Self::try_assign(*job, now) {
				waiting.push(*job);
			}
		}
		// Jobs nobody could take go to the back, so one job without a worker never blocks
		// the others.
		let rest = queue.iter().skip(tried).copied().chain(waiting);
		Queue::<T>::put(BoundedVec::truncate_from(rest.collect::<Vec<_>>()));
		(handled, tried as u32)
	}

	/// A job's phase deadline came.
	fn phase_ended(job: JobId, now: BlockNumberFor<T>) {
		let Some(mut entry) = Jobs::<T>::get(job) else { return };
		if entry.phase_ends != now {
			return;
		}
		match entry.status {
			JobStatus::Queued => {
				Queue::<T>::mutate(|q| q.retain(|j| *j != job));
				Self::expire(job, entry);
			},
			JobStatus::Assigned => Self::worker_failed(job, entry, now),
			JobStatus::Committed => Self::draw_audit(job, entry, now),
			JobStatus::Auditing if entry.escalation_pending() => {
				Self::draw_escalation(job, entry, now)
			},
			JobStatus::Auditing => {
				for slot in entry.current_round().iter().filter(|a| a.commitment.is_none()) {
					Self::missed_deadline(
						job,
						&slot.who,
						JobStatus::Auditing,
						&entry,
						Self::auditor_miss_slash(&entry),
					);
				}
				if Self::open_reveal(job, &mut entry, now, None).is_ok() {
					Jobs::<T>::insert(job, entry);
				} else {
					Self::expire(job, entry);
				}
			},
			JobStatus::Revealing => {
				for slot in
					entry.current_round().iter().filter(|a| a.commitment.is_some() && !a.revealed)
				{
					Self::missed_deadline(
						job,
						&slot.who,
						JobStatus::Revealing,
						&entry,
						Self::auditor_miss_slash(&entry),
					);
				}
				if entry.revealed {
					Self::judge(job, entry, now);
				} else {
					Self::worker_failed(job, entry, now);
				}
			},
			JobStatus::Disputed => Self::expire(job, entry),
			JobStatus::Finalized | JobStatus::Cancelled | JobStatus::Expired => {},
		}
	}

	/// Draws a worker for a queued job; returns whether one was assigned. Only workers below
	/// their declared capacity are candidates, so a burst of jobs waits in the queue (and
	/// times out refunded) instead of piling onto a worker that cannot run it in time.
	pub(crate) fn try_assign(job: JobId, now: BlockNumberFor<T>) -> bool {
		let Some(mut entry) = Jobs::<T>::get(job) else { return true };
		if entry.status != JobStatus::Queued {
			return true;
		}
		let candidates: Vec<(T::AccountId, BalanceOf<T>, u128)> =
			T::Staking::active_workers(entry.model)
				.into_iter()
				.filter(|w| *w != entry.owner && Some(w) != entry.failed_worker.as_ref())
				.filter_map(|w| {
					let terms = T::Staking::worker_terms(&w)?;
					let price = terms.price;
					if WorkerLoad::<T>::get(&w) >= terms.capacity {
						return None;
					}
					let score = reputation_score(&T::Staking::reputation(&w));
					if price > entry.max_fee || score < entry.terms.min_worker_score {
						return None;
					}
					let stake: u128 = T::Staking::stake(&w).unique_saturated_into();
					Some((w, price, stake.saturating_mul(u128::from(score))))
				})
				.collect();
		let total = candidates.iter().fold(0u128, |acc, c| acc.saturating_add(c.2));
		if total == 0 {
			return false;
		}
		// `total` is not zero (checked above), so the remainder is defined.
		#[allow(clippy::arithmetic_side_effects)]
		let mut ticket = Self::random_u128(b"verinfer/assign", job) % total;
		let Some((worker, price, _)) = candidates.into_iter().find(|c| {
			if ticket < c.2 {
				true
			} else {
				// `ticket >= c.2` in this branch.
				ticket = ticket.saturating_sub(c.2);
				false
			}
		}) else {
			return false;
		};
		let Ok(commit_by) =
			Self::refile(job, entry.phase_ends, now.saturating_add(entry.terms.commit_window))
		else {
			return false;
		};
		entry.status = JobStatus::Assigned;
		entry.phase_ends = commit_by;
		entry.worker = Some(worker.clone());
		entry.fee = price;
		entry.attempts = entry.attempts.saturating_add(1);
		entry.seed = Self::sampling_seed(job, entry.attempts);
		Jobs::<T>::insert(job, entry);
		WorkerLoad::<T>::mutate(&worker, |load| *load = load.saturating_add(1));
		Self::deposit_event(Event::JobAssigned { job, worker, fee: price, commit_by });
		true
	}

	/// The audit draw, two blocks after the commit.
	fn draw_audit(job: JobId, mut entry: Job<T>, now: BlockNumberFor<T>) {
		let Some(worker) = entry.worker.clone() else { return Self::expire(job, entry) };
		let p = audit_probability(
			entry.terms.audit_probability,
			entry.fee,
			T::Staking::stake(&worker),
			entry.terms.worker_slash,
			Self::miss_slash(&entry),
			&T::Staking::reputation(&worker),
		);
		let roll = (Self::random_u128(b"verinfer/audit", job) % 1_000_000_000) as u32;
		let mut auditors = Vec::new();
		if roll < p.deconstruct() {
			let wanted = entry.terms.auditors_per_job.min(T::MaxAuditorsPerJob::get());
			auditors = Self::draw_auditors(
				b"verinfer/auditors",
				job,
				&[worker, entry.owner.clone()],
				wanted,
			);
		}
		let audited = !auditors.is_empty();
		entry.audited = Some(audited);
		entry.auditors = BoundedVec::truncate_from(
			auditors
				.iter()
				.map(|who| AuditorSlot { who: who.clone(), commitment: None, revealed: false })
				.collect(),
		);
		Self::deposit_event(Event::AuditDrawn { job, audited, auditors });
		let next = if audited {
			Self::file(job, now.saturating_add(entry.terms.audit_window)).map(|at| {
				entry.status = JobStatus::Auditing;
				entry.phase_ends = at;
			})
		} else {
			Self::open_reveal(job, &mut entry, now, None)
		};
		match next {
			Ok(()) => Jobs::<T>::insert(job, entry),
			Err(_) => Self::expire(job, entry),
		}
	}

	/// Draws up to `wanted` distinct active auditors, none of them in `excluded` (the
	/// worker, the job's owner and, on escalation, the auditors already drawn).
	fn draw_auditors(
		purpose: &[u8],
		job: JobId,
		excluded: &[T::AccountId],
		wanted: u32,
	) -> Vec<T::AccountId> {
		let mut pool: Vec<T::AccountId> = T::Staking::active_auditors()
			.into_iter()
			.filter(|a| !excluded.contains(a))
			.collect();
		let mut chosen = Vec::new();
		let mut seed = Self::random_u128(purpose, job);
		while (chosen.len() as u32) < wanted && !pool.is_empty() {
			// `pool` is not empty (the loop's condition), so the remainder is defined.
			#[allow(clippy::arithmetic_side_effects)]
			let index = (seed % pool.len() as u128) as usize;
			chosen.push(pool.swap_remove(index));
			seed = u128::from_le_bytes(blake2_128(&seed.to_le_bytes()));
		}
		chosen
	}

	/// Opens the reveal phase, moving the job's deadline from `previous` (if filed).
	pub(crate) fn open_reveal(
		job: JobId,
		entry: &mut Job<T>,
		now: BlockNumberFor<T>,
		previous: Option<BlockNumberFor<T>>,
	) -> Result<(), Error<T>> {
		let wanted = now.saturating_add(entry.terms.reveal_window);
		let at = match previous {
			Some(old) => Self::refile(job, old, wanted)?,
			None => Self::file(job, wanted)?,
		};
		entry.status = JobStatus::Revealing;
		entry.phase_ends = at;
		Self::deposit_event(Event::RevealOpened { job, reveal_by: at });
		Ok(())
	}

	/// After a reveal: an unaudited job is final; an audited one is judged once everyone
	/// who committed has revealed.
	pub(crate) fn after_reveal(job: JobId, entry: Job<T>) {
		let everyone = entry.revealed
			&& entry.current_round().iter().all(|a| a.commitment.is_none() || a.revealed);
		if entry.audited != Some(true) && entry.revealed {
			Self::unfile(job, entry.phase_ends);
			Self::settle(job, entry, Verdict::AcceptedUnaudited, Default::default());
		} else if everyone {
			Self::unfile(job, entry.phase_ends);
			Self::judge(job, entry, frame_system::Pallet::<T>::block_number());
		} else {
			Jobs::<T>::insert(job, entry);
		}
	}

	/// Judges an audited job by the majority of the auditors that revealed.
	fn judge(job: JobId, mut entry: Job<T>, now: BlockNumberFor<T>) {
		let sides = Self::sides(job, &entry);
		let (agree, disagree) = (sides.0.len(), sides.1.len());
		if agree > disagree {
			Self::settle(job, entry, Verdict::AcceptedByAudit, sides);
		} else if disagree > agree {
			Self::settle(job, entry, Verdict::RejectedByAudit, sides);
		} else if entry.escalation.is_none() && entry.auditors.len() < crate::MAX_AUDITORS as usize
		{
			// A tie, or nobody revealed: more auditors, drawn two blocks on with randomness
			// that whoever revealed last could not see.
			match Self::file(job, now.saturating_add(crate::DRAW_DELAY.into())) {
				Ok(at) => {
					entry.escalation = Some(entry.auditors.len() as u8);
					entry.status = JobStatus::Auditing;
					entry.phase_ends = at;
					Jobs::<T>::insert(job, entry);
				},
				Err(_) => Self::dispute(job, entry, now),
			}
		} else {
			// Still a tie after the escalation: governance decides.
			Self::dispute(job, entry, now)
		}
	}

	/// The escalation's draw: up to `auditors_per_job` more auditors, with a new audit
	/// window. If none can be drawn, governance decides.
	fn draw_escalation(job: JobId, mut entry: Job<T>, now: BlockNumberFor<T>) {
		let Some(worker) = entry.worker.clone() else { return Self::expire(job, entry) };
		let room = crate::MAX_AUDITORS.saturating_sub(entry.auditors.len() as u32);
		let wanted = entry.terms.auditors_per_job.min(T::MaxAuditorsPerJob::get()).min(room);
		let excluded: Vec<T::AccountId> = entry
			.auditors
			.iter()
			.map(|a| a.who.clone())
			.chain([worker, entry.owner.clone()])
			.collect();
		let extra = Self::draw_auditors(b"verinfer/escalate", job, &excluded, wanted);
		for who in &extra {
			// Cannot fail: `wanted` fits the room left.
			let _ = entry.auditors.try_push(AuditorSlot {
				who: who.clone(),
				commitment: None,
				revealed: false,
			});
		}
		if entry.escalation_pending() {
			return Self::dispute(job, entry, now);
		}
		Self::deposit_event(Event::AuditEscalated { job, auditors: extra });
		match Self::file(job, now.saturating_add(entry.terms.audit_window)) {
			Ok(at) => {
				entry.phase_ends = at;
				Jobs::<T>::insert(job, entry);
			},
			Err(_) => Self::expire(job, entry),
		}
	}

	/// Hands the job to the dispute origin, until `dispute_window` ends.
	fn dispute(job: JobId, mut entry: Job<T>, now: BlockNumberFor<T>) {
		match Self::file(job, now.saturating_add(entry.terms.dispute_window)) {
			Ok(at) => {
				entry.status = JobStatus::Disputed;
				entry.phase_ends = at;
				Jobs::<T>::insert(job, entry);
				Self::deposit_event(Event::JobDisputed { job });
			},
			Err(_) => Self::expire(job, entry),
		}
	}

	/// The auditors that revealed, split into those whose output matches the worker's and
	/// those whose output does not (or all of them, if the worker revealed nothing). Each
	/// output is compared once: the comparison is the costly part of judging.
	pub(crate) fn sides(job: JobId, entry: &Job<T>) -> (Vec<T::AccountId>, Vec<T::AccountId>) {
		let worker_output = entry.worker.as_ref().and_then(|w| Outputs::<T>::get(job, w));
		// One read of the registry for all the comparisons; a model gone from it matches
		// nothing.
		let class = T::Models::model(entry.model).map(|m| m.spec.verification);
		let (mut with_worker, mut against_worker) = (Vec::new(), Vec::new());
		for slot in entry.auditors.iter().filter(|a| a.revealed) {
			let agrees = match (&worker_output, Outputs::<T>::get(job, &slot.who), &class) {
				(Some(w), Some(t), Some(class)) => Self::supports(job, entry, class, w, &t),
				_ => false,
			};
			if agrees {
				with_worker.push(slot.who.clone())
			} else {
				against_worker.push(slot.who.clone())
			}
		}
		(with_worker, against_worker)
	}

	/// Applies a verdict, given the auditors' [`Self::sides`]: slashes the losing side, pays
	/// or refunds, and finishes the job.
	pub(crate) fn settle(
		job: JobId,
		mut entry: Job<T>,
		verdict: Verdict,
		(with_worker, against_worker): (Vec<T::AccountId>, Vec<T::AccountId>),
	) {
		let Some(worker) = entry.worker.clone() else { return Self::expire(job, entry) };
		let (winners, losers) = if verdict.accepted() {
			(with_worker, against_worker)
		} else {
			(against_worker, with_worker)
		};
		for auditor in &losers {
			let slashed =
				T::Staking::slash(auditor, entry.terms.auditor_slash, SlashDestination::Treasury);
			T::Staking::note_audit_failed(auditor);
			Self::deposit_event(Event::AuditorSlashed { job, auditor: auditor.clone(), slashed });
		}
		for auditor in &winners {
			T::Staking::note_audit_passed(auditor);
			T::Rewards::auditor_honest(auditor);
		}

		let fee = if verdict.accepted() {
			Self::pay(&entry, &worker, &winners);
			T::Staking::note_job_completed(&worker);
			// Compute units: the fee paid for the result, so that farming the reward stream
			// with one's own jobs costs the treasury's and the contributors' cut of each fee.
			let units: u128 = entry.fee.unique_saturated_into();
			T::Rewards::worker_delivered(&worker, units);
			T::Rewards::model_used(entry.model, units);
			if entry.audited == Some(true) {
				T::Staking::note_audit_passed(&worker);
			}
			entry.fee
		} else {
			let pot = Self::pot();
			let slashed = T::Staking::slash(
				&worker,
				entry.terms.worker_slash,
				SlashDestination::Account(pot.clone()),
			);
			T::Staking::note_audit_failed(&worker);
			Self::deposit_event(Event::WorkerSlashed { job, worker: worker.clone(), slashed });
			// The auditors who caught it are paid from the slash, up to the audit share of
			// the fee; the rest of the slash goes to the treasury.
			let reward = entry.terms.auditor_share.mul_floor(entry.fee).min(slashed);
			let parts = split_equally(reward, winners.len() as u32);
			for (auditor, part) in winners.iter().zip(parts) {
				Self::pay_from_pot(&pot, auditor, part);
			}
			Self::pay_from_pot(&pot, &T::TreasuryAccount::get(), slashed.saturating_sub(reward));
			Self::refund(&entry);
			Zero::zero()
		};
		entry.status = JobStatus::Finalized;
		entry.verdict = Some(verdict);
		Self::deposit_event(Event::JobFinalized { job, verdict, fee });
		Self::finish(job, entry);
	}

	/// Pays an accepted job's fee out of the owner's hold and releases the rest.
	fn pay(entry: &Job<T>, worker: &T::AccountId, auditors: &[T::AccountId]) {
		let contributors =
			T::Models::model(entry.model).map(|m| m.spec.contributors).unwrap_or_default();
		let shares: Vec<Perbill> = contributors.iter().map(|c| c.share).collect();
		let split = split_fee(
			entry.fee,
			&shares,
			entry.terms.treasury_share,
			entry.terms.auditor_share,
			!auditors.is_empty(),
		);
		let mut paid = BalanceOf::<T>::zero();
		for (contributor, amount) in contributors.iter().zip(split.royalties) {
			paid =
				paid.saturating_add(Self::pay_from_hold(&entry.owner, &contributor.payee, amount));
		}
		paid = paid.saturating_add(Self::pay_from_hold(
			&entry.owner,
			&T::TreasuryAccount::get(),
			split.treasury,
		));
		for (auditor, amount) in
			auditors.iter().zip(split_equally(split.auditors, auditors.len() as u32))
		{
			paid = paid.saturating_add(Self::pay_from_hold(&entry.owner, auditor, amount));
		}
		paid = paid.saturating_add(Self::pay_from_hold(&entry.owner, worker, split.worker));
		Self::release_rest(&entry.owner, entry.max_fee.saturating_sub(paid));
	}

	/// Moves `amount` of `owner`'s job-fee hold to `to`; if `to` cannot receive it (a new
	/// account below the existential deposit), to the treasury. Returns what moved; what
	/// did not stays on hold and is released to the owner with the rest.
	fn pay_from_hold(
		owner: &T::AccountId,
		to: &T::AccountId,
		amount: BalanceOf<T>,
	) -> BalanceOf<T> {
		if amount.is_zero() {
			return amount;
		}
		let reason = HoldReason::JobFee.into();
		let moved = |dest: &T::AccountId| {
			T::Currency::transfer_on_hold(
				&reason,
				owner,
				dest,
				amount,
				Precision::Exact,
				Restriction::Free,
				Fortitude::Polite,
			)
		};
		moved(to).or_else(|_| moved(&T::TreasuryAccount::get())).unwrap_or_default()
	}

	/// Pays from the slash pot, falling back to the treasury; what cannot move stays in
	/// the pot (never lost).
	fn pay_from_pot(pot: &T::AccountId, to: &T::AccountId, amount: BalanceOf<T>) {
		if amount.is_zero() {
			return;
		}
		if T::Currency::transfer(pot, to, amount, Preservation::Expendable).is_err() {
			let _ = T::Currency::transfer(
				pot,
				&T::TreasuryAccount::get(),
				amount,
				Preservation::Expendable,
			);
		}
	}

	/// The account that briefly holds a caught worker's slash while it is shared out.
	pub fn pot() -> T::AccountId {
		T::PalletId::get().into_account_truncating()
	}

	/// Releases a job's whole `max_fee` back to its owner.
	pub(crate) fn refund(entry: &Job<T>) {
		Self::release_rest(&entry.owner, entry.max_fee);
	}

	/// The worker missed its commit or reveal: it is slashed, and the job is requeued once
	/// (to another worker) or refunded.
	fn worker_failed(job: JobId, mut entry: Job<T>, now: BlockNumberFor<T>) {
		let status = entry.status;
		let Some(worker) = entry.worker.take() else { return Self::expire(job, entry) };
		if status == JobStatus::Assigned {
			Self::free_slot(&worker);
		}
		Self::missed_deadline(job, &worker, status, &entry, Self::miss_slash(&entry));
		Self::requeue_or_expire(job, entry, worker, now, 2);
	}

	/// Puts a job whose worker failed or released it (`worker`, already taken off the job)
	/// back in the queue, unless it has been assigned `max_attempts` times, its owner's
	/// deadline no longer leaves time, or the queue is full: then it is refunded.
	pub(crate) fn requeue_or_expire(
		job: JobId,
		mut entry: Job<T>,
		worker: T::AccountId,
		now: BlockNumberFor<T>,
		max_attempts: u8,
	) {
		let _ = Outputs::<T>::clear_prefix(job, crate::MAX_AUDITORS.saturating_add(1), None);
		Fingerprints::<T>::remove(job);
		let fits_deadline = entry
			.deadline
			.is_none_or(|d| now.saturating_add(Self::min_turnaround(&entry.terms)) <= d);
		if entry.attempts < max_attempts && fits_deadline {
			if let Ok(at) = Self::file(job, now.saturating_add(entry.terms.queue_timeout)) {
				if Queue::<T>::mutate(|q| q.try_push(job)).is_ok() {
					entry.status = JobStatus::Queued;
					entry.phase_ends = at;
					entry.failed_worker = Some(worker.clone());
					entry.fee = Zero::zero();
					entry.commitment = None;
					entry.revealed = false;
					entry.audited = None;
					entry.auditors = Default::default();
					entry.escalation = None;
					Jobs::<T>::insert(job, entry);
					Self::deposit_event(Event::JobRequeued { job, failed_worker: worker });
					return;
				}
				Self::unfile(job, at);
			}
		}
		Self::expire(job, entry);
	}

	/// The worker's slash for missing a deadline of `entry`: a governed multiple of the
	/// job's fee, with a floor ([`missed_deadline_slash`]).
	pub(crate) fn miss_slash(entry: &Job<T>) -> BalanceOf<T> {
		missed_deadline_slash(
			entry.fee,
			entry.terms.miss_fee_multiple,
			entry.terms.miss_slash_floor,
		)
	}

	/// An auditor's slash for missing a deadline of `entry`: the same multiple of what one
	/// auditor would have been paid (its part of the auditors' share), with the same floor.
	fn auditor_miss_slash(entry: &Job<T>) -> BalanceOf<T> {
		let pot = entry.terms.auditor_share.mul_floor(entry.fee);
		// The divisor is at least 1.
		#[allow(clippy::arithmetic_side_effects)]
		let part = pot / BalanceOf::<T>::from(entry.terms.auditors_per_job.max(1));
		missed_deadline_slash(part, entry.terms.miss_fee_multiple, entry.terms.miss_slash_floor)
	}

	/// Slashes `who` by `amount` for a missed deadline of `job`, and takes it off duty once
	/// it has missed deadlines in `chill_after_misses` blocks in a row without delivering.
	fn missed_deadline(
		job: JobId,
		who: &T::AccountId,
		status: JobStatus,
		entry: &Job<T>,
		amount: BalanceOf<T>,
	) {
		let slashed = T::Staking::slash_exact(who, amount, SlashDestination::Treasury);
		T::Staking::note_missed_deadline(who);
		Self::deposit_event(Event::DeadlineMissed { job, who: who.clone(), status, slashed });
		// Misses in one block (an outage, not a habit) count once.
		let now = frame_system::Pallet::<T>::block_number();
		let misses = MissStreak::<T>::mutate(who, |streak| {
			let (count, last) = streak.unwrap_or_default();
			let count =
				if streak.is_some() && last == now { count } else { count.saturating_add(1) };
			*streak = Some((count, now));
			count
		});
		if misses >= entry.terms.chill_after_misses {
			MissStreak::<T>::remove(who);
			if T::Staking::take_off_duty(who) {
				Self::deposit_event(Event::ChilledForMisses { job, who: who.clone(), misses });
			}
		}
	}

	/// Ends a job without a result: refunds the owner.
	pub(crate) fn expire(job: JobId, mut entry: Job<T>) {
		let status = entry.status;
		Self::refund(&entry);
		entry.status = JobStatus::Expired;
		Self::deposit_event(Event::JobExpired { job, status });
		Self::finish(job, entry);
	}

	/// Stores a job that reached its end and queues it for pruning.
	pub(crate) fn finish(job: JobId, entry: Job<T>) {
		let now = frame_system::Pallet::<T>::block_number();
		let prune_from = now.saturating_add(entry.terms.retention);
		Jobs::<T>::insert(job, entry);
		Self::queue_prune(job, prune_from);
	}

	/// The sampling seed of the `attempt`-th assignment of `job`, drawn in the block that
	/// assigns it: blake2-256 of the runtime randomness for subject `("verinfer/seed", job,
	/// attempt)`, the job id and the attempt (see the crate docs).
	pub fn sampling_seed(job: JobId, attempt: u8) -> [u8; 32] {
		let subject = (b"verinfer/seed", job, attempt).encode();
		let (randomness, _) = T::Randomness::random(&subject);
		sp_crypto_hashing::blake2_256(&(randomness, job, attempt).encode())
	}

	/// 128 random bits for `job` and `purpose`.
	fn random_u128(purpose: &[u8], job: JobId) -> u128 {
		let (seed, _) = T::Randomness::random(&(purpose, job).encode());
		u128::from_le_bytes(blake2_128(&seed.encode()))
	}
}

/// blake2-128 of `data`: spreads any randomness output over 128 bits.
fn blake2_128(data: &[u8]) -> [u8; 16] {
	sp_crypto_hashing::blake2_128(data)
}
