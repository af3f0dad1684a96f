//! The protocol steps that the single calls (`commit_result`, ...) and their batched forms
//! (`commit_results`, ...) share, and the release of an assigned job.

use crate::{pallet::*, types::*};
use frame_support::{pallet_prelude::*, weights::Weight};
use sp_runtime::traits::Saturating;
use verinfer_primitives::{
	commitment, generation_agrees, outputs_match, Commitment, Fingerprint, GenerationDraft,
	GenerationReport, JobId, ModelRegistry, Salt, VerificationClass,
};

/// The most workers a job is assigned to, releases included, before it is refunded: a job
/// nobody can run in time does not circle through the queue forever.
pub const MAX_ATTEMPTS: u8 = 4;

impl<T: Config> Pallet<T> {
	/// Runs `step` on every item of a batched call, in order, and fails at the first item
	/// that fails, with its error; the call's storage layer then undoes the items before
	/// it, so a batch is all or nothing. An empty batch is refused.
	pub(crate) fn each_item<I, S: Get<u32>>(
		items: BoundedVec<I, S>,
		step: impl FnMut(I) -> DispatchResult,
	) -> DispatchResult {
		ensure!(!items.is_empty(), Error::<T>::EmptyBatch);
		items.into_iter().try_for_each(step)
	}

	/// Checks a reveal against its commitment and the model's output schema, with one read
	/// of the registry; returns how the model's outputs are compared, for the caller's
	/// matching. A generation job's worker reveals a [`Fingerprint`] and its auditors a
	/// [`GenerationReport`] (`by_auditor`), each decoded within its bounds.
	#[allow(clippy::too_many_arguments)]
	pub(crate) fn check_reveal(
		job: JobId,
		entry: &Job<T>,
		who: &T::AccountId,
		commitment_made: Option<verinfer_primitives::Commitment>,
		already: bool,
		output: &[u8],
		salt: &Salt,
		by_auditor: bool,
	) -> Result<VerificationClass, DispatchError> {
		ensure!(!already, Error::<T>::AlreadyRevealed);
		match entry.status {
			JobStatus::Revealing => {},
			JobStatus::Queued
			| JobStatus::Assigned
			| JobStatus::Committed
			| JobStatus::Auditing => return Err(Error::<T>::RevealNotOpen.into()),
			_ => return Err(Error::<T>::RevealDeadlinePassed.into()),
		}
		let now = frame_system::Pallet::<T>::block_number();
		ensure!(now <= entry.phase_ends, Error::<T>::RevealDeadlinePassed);
		let committed = commitment_made.ok_or(Error::<T>::NothingToReveal)?;
		let model = T::Models::model(entry.model).ok_or(Error::<T>::UnknownModel)?;
		let expected =
			commitment(job, who, &model.spec.weights_hash, &entry.input_hash, output, salt);
		ensure!(expected == committed, Error::<T>::CommitmentMismatch);
		let well_formed = match (&model.spec.verification, by_auditor) {
			(VerificationClass::Generation(_), false) => {
				decode_all::<Fingerprint>(output).is_some()
			},
			(VerificationClass::Generation(_), true) => {
				decode_all::<GenerationReport>(output).is_some()
			},
			_ => model.spec.output.check(output).is_ok(),
		};
		ensure!(well_formed, Error::<T>::MalformedOutput);
		Ok(model.spec.verification)
	}

	/// Whether an auditor's revealed `output` supports the worker's result under `class`:
	/// equal or within tolerance of the worker's output, or for a generation a report that
	/// agrees with the worker's draft and fingerprint ([`generation_agrees`]).
	pub(crate) fn supports(
		job: JobId,
		entry: &Job<T>,
		class: &VerificationClass,
		worker_output: &[u8],
		output: &[u8],
	) -> bool {
		match class {
			VerificationClass::Generation(tolerance) => {
				let (Some(draft), Some(fingerprint), Some(report)) = (
					decode_all::<GenerationDraft>(worker_output),
					Fingerprints::<T>::get(job),
					decode_all::<GenerationReport>(output),
				) else {
					return false;
				};
				generation_agrees(tolerance, &entry.seed, &draft, &fingerprint, &report)
			},
			_ => outputs_match(class, worker_output, output),
		}
	}

	/// The worker of a generation job publishes its draft and commits to its fingerprint.
	pub(crate) fn do_commit_generation(
		who: &T::AccountId,
		job: JobId,
		commitment: Commitment,
		draft: GenerationDraft,
	) -> DispatchResult {
		let entry = Jobs::<T>::get(job).ok_or(Error::<T>::UnknownJob)?;
		ensure!(entry.worker.as_ref() == Some(who), Error::<T>::NotAssignedWorker);
		let model = T::Models::model(entry.model).ok_or(Error::<T>::UnknownModel)?;
		ensure!(
			matches!(model.spec.verification, VerificationClass::Generation(_)),
			Error::<T>::NotAGeneration
		);
		ensure!(
			!draft.ids.is_empty()
				&& core::str::from_utf8(&draft.text).is_ok()
				&& draft.sampling.params().is_valid(),
			Error::<T>::MalformedDraft
		);
		let bytes: BoundedVec<u8, T::MaxOutputLen> =
			draft.encode().try_into().map_err(|_| Error::<T>::MalformedDraft)?;
		Self::commit(who, job, entry, commitment)?;
		Outputs::<T>::insert(job, who, bytes);
		Ok(())
	}

	/// The assigned worker commits to its result. A generation job's worker commits with
	/// its draft instead ([`Self::do_commit_generation`]).
	pub(crate) fn do_commit_result(
		who: &T::AccountId,
		job: JobId,
		commitment: Commitment,
	) -> DispatchResult {
		let entry = Jobs::<T>::get(job).ok_or(Error::<T>::UnknownJob)?;
		ensure!(entry.worker.as_ref() == Some(who), Error::<T>::NotAssignedWorker);
		let generation = T::Models::model(entry.model)
			.is_some_and(|m| matches!(m.spec.verification, VerificationClass::Generation(_)));
		ensure!(!generation, Error::<T>::DraftRequired);
		Self::commit(who, job, entry, commitment)
	}

	/// The commit both kinds of results share.
	fn commit(
		who: &T::AccountId,
		job: JobId,
		mut entry: Job<T>,
		commitment: Commitment,
	) -> DispatchResult {
		ensure!(entry.status == JobStatus::Assigned, Error::<T>::NotAwaitingCommit);
		let now = frame_system::Pallet::<T>::block_number();
		ensure!(now <= entry.phase_ends, Error::<T>::CommitDeadlinePassed);
		// The draw uses randomness from a block authored after this one.
		let draw_at = now.saturating_add(DRAW_DELAY.into());
		let draw_at = Self::refile(job, entry.phase_ends, draw_at)?;
		entry.commitment = Some(commitment);
		entry.status = JobStatus::Committed;
		entry.phase_ends = draw_at;
		Jobs::<T>::insert(job, entry);
		Self::free_slot(who);
		Self::delivered(who);
		Self::deposit_event(Event::ResultCommitted { job, worker: who.clone() });
		Ok(())
	}

	/// An auditor of the job commits to its own result, before any output is revealed.
	pub(crate) fn do_commit_audit(
		who: &T::AccountId,
		job: JobId,
		commitment: Commitment,
	) -> DispatchResult {
		let mut entry = Jobs::<T>::get(job).ok_or(Error::<T>::UnknownJob)?;
		let slot = entry
			.auditors
			.iter()
			.position(|a| &a.who == who)
			.ok_or(Error::<T>::NotAnAuditor)?;
		let auditor = entry.auditors.get_mut(slot).ok_or(Error::<T>::NotAnAuditor)?;
		ensure!(auditor.commitment.is_none(), Error::<T>::AlreadyCommitted);
		match entry.status {
			JobStatus::Auditing => {},
			JobStatus::Queued | JobStatus::Assigned | JobStatus::Committed => {
				return Err(Error::<T>::NotAuditing.into())
			},
			_ => return Err(Error::<T>::AuditWindowClosed.into()),
		}
		let now = frame_system::Pallet::<T>::block_number();
		// An auditor of an escalated job's first round had its window already.
		ensure!(
			now <= entry.phase_ends && entry.in_current_round(slot),
			Error::<T>::AuditWindowClosed
		);
		if let Some(auditor) = entry.auditors.get_mut(slot) {
			auditor.commitment = Some(commitment);
		}
		Self::deposit_event(Event::AuditCommitted { job, auditor: who.clone() });
		if entry.current_round().iter().all(|a| a.commitment.is_some()) {
			let previous = entry.phase_ends;
			Self::open_reveal(job, &mut entry, now, Some(previous))?;
		}
		Jobs::<T>::insert(job, entry);
		Self::delivered(who);
		Ok(())
	}

	/// The worker reveals its output and salt. Unaudited jobs are final at once; audited
	/// ones when every auditor that committed has revealed too.
	pub(crate) fn do_reveal_result(
		who: &T::AccountId,
		job: JobId,
		output: BoundedVec<u8, T::MaxOutputLen>,
		salt: Salt,
	) -> DispatchResult {
		let mut entry = Jobs::<T>::get(job).ok_or(Error::<T>::UnknownJob)?;
		ensure!(entry.worker.as_ref() == Some(who), Error::<T>::NotAssignedWorker);
		let class = Self::check_reveal(
			job,
			&entry,
			who,
			entry.commitment,
			entry.revealed,
			&output,
			&salt,
			false,
		)?;
		entry.revealed = true;
		match class {
			// The draft stays the job's output; the fingerprint is kept beside it.
			VerificationClass::Generation(_) => match decode_all::<Fingerprint>(&output) {
				Some(fingerprint) => Fingerprints::<T>::insert(job, fingerprint),
				None => return Err(Error::<T>::MalformedOutput.into()),
			},
			_ => Outputs::<T>::insert(job, who, output),
		}
		Self::delivered(who);
		Self::deposit_event(Event::ResultRevealed { job });
		Self::after_reveal(job, entry);
		Ok(())
	}

	/// An auditor reveals its output and salt.
	pub(crate) fn do_reveal_audit(
		who: &T::AccountId,
		job: JobId,
		output: BoundedVec<u8, T::MaxOutputLen>,
		salt: Salt,
	) -> DispatchResult {
		let mut entry = Jobs::<T>::get(job).ok_or(Error::<T>::UnknownJob)?;
		let slot = entry
			.auditors
			.iter()
			.position(|a| &a.who == who)
			.ok_or(Error::<T>::NotAnAuditor)?;
		let (commitment, revealed) = entry
			.auditors
			.get(slot)
			.map(|a| (a.commitment, a.revealed))
			.ok_or(Error::<T>::NotAnAuditor)?;
		ensure!(revealed || entry.in_current_round(slot), Error::<T>::RevealDeadlinePassed);
		let class =
			Self::check_reveal(job, &entry, who, commitment, revealed, &output, &salt, true)?;
		if let Some(a) = entry.auditors.get_mut(slot) {
			a.revealed = true;
		}
		let agrees = entry
			.worker
			.as_ref()
			.and_then(|w| Outputs::<T>::get(job, w))
			.map(|worker_output| Self::supports(job, &entry, &class, &worker_output, &output));
		Outputs::<T>::insert(job, who, output);
		Self::delivered(who);
		Self::deposit_event(Event::AuditRevealed {
			job,
			auditor: who.clone(),
			agrees: agrees.unwrap_or(false),
		});
		Self::after_reveal(job, entry);
		Ok(())
	}

	/// The assigned worker hands back a job it has not committed to, before the deadline.
	pub(crate) fn do_release(who: &T::AccountId, job: JobId) -> DispatchResult {
		let mut entry = Jobs::<T>::get(job).ok_or(Error::<T>::UnknownJob)?;
		ensure!(entry.worker.as_ref() == Some(who), Error::<T>::NotAssignedWorker);
		ensure!(entry.status == JobStatus::Assigned, Error::<T>::NotReleasable);
		let now = frame_system::Pallet::<T>::block_number();
		ensure!(now <= entry.phase_ends, Error::<T>::CommitDeadlinePassed);
		Self::unfile(job, entry.phase_ends);
		Self::free_slot(who);
		entry.worker = None;
		Self::deposit_event(Event::JobReleased { job, worker: who.clone() });
		Self::requeue_or_expire(job, entry, who.clone(), now, MAX_ATTEMPTS);
		Ok(())
	}

	/// The weight of a batch of reveals: each item weighs what its single call weighs.
	pub fn reveals_weight(items: &[RevealOf<T>], per_item: fn(u32) -> Weight) -> Weight {
		items.iter().fold(Weight::zero(), |total, (_, output, _)| {
			total.saturating_add(per_item(output.len() as u32))
		})
	}

	/// One fewer job held by `worker` (it committed, released or missed the job).
	pub(crate) fn free_slot(worker: &T::AccountId) {
		WorkerLoad::<T>::mutate_exists(worker, |load| {
			let left = load.unwrap_or_default().saturating_sub(1);
			*load = (left > 0).then_some(left);
		});
	}

	/// `who` delivered a step in time: its run of missed deadlines is over.
	fn delivered(who: &T::AccountId) {
		MissStreak::<T>::remove(who);
	}
}

/// `bytes` decoded as one whole `V`, within `V`'s bounds; `None` if they are not exactly
/// that.
pub(crate) fn decode_all<V: Decode>(bytes: &[u8]) -> Option<V> {
	let mut input = bytes;
	let value = V::decode(&mut input).ok()?;
	input.is_empty().then_some(value)
}
