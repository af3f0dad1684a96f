//! Bookkeeping that keeps every block's work bounded: the agenda of phase deadlines and
//! the queue of finished jobs to prune.

use crate::{pallet::*, WeightInfo};
use frame_support::{pallet_prelude::*, weights::Weight};
use frame_system::pallet_prelude::BlockNumberFor;
use sp_runtime::traits::{One, Saturating};
use verinfer_primitives::JobId;

/// How many blocks past the wanted one a deadline may slide when blocks are full.
pub const MAX_SPREAD: u32 = 64;

impl<T: Config> Pallet<T> {
	/// Files `job` in the agenda of block `at`, or of the first of the next
	/// [`MAX_SPREAD`] blocks with room, and returns that block.
	pub(crate) fn file(job: JobId, at: BlockNumberFor<T>) -> Result<BlockNumberFor<T>, Error<T>> {
		let mut block = at;
		for _ in 0..=MAX_SPREAD {
			let filed = Agenda::<T>::mutate(block, |due| due.try_push(job).is_ok());
			if filed {
				return Ok(block);
			}
			block = block.saturating_add(One::one());
		}
		Err(Error::<T>::AgendaFull)
	}

	/// Removes one entry of `job` from the agenda of block `at`, if it is there. One, not
	/// all: [`Self::refile`] onto the same block briefly holds two.
	pub(crate) fn unfile(job: JobId, at: BlockNumberFor<T>) {
		Agenda::<T>::mutate_exists(at, |due| {
			if let Some(list) = due {
				if let Some(i) = list.iter().position(|j| *j == job) {
					list.remove(i);
				}
				if list.is_empty() {
					*due = None;
				}
			}
		});
	}

	/// Moves `job` from the agenda of `old` to that of `new` (or later, if full). `new` may be
	/// `old` itself: the job is filed there a second time and one entry is removed, so it
	/// stays due exactly once.
	pub(crate) fn refile(
		job: JobId,
		old: BlockNumberFor<T>,
		new: BlockNumberFor<T>,
	) -> Result<BlockNumberFor<T>, Error<T>> {
		let filed = Self::file(job, new)?;
		Self::unfile(job, old);
		Ok(filed)
	}

	/// Queues a finished job for pruning once `retention` blocks have passed.
	pub(crate) fn queue_prune(job: JobId, from: BlockNumberFor<T>) {
		PruneBounds::<T>::mutate(|(_, tail)| {
			PruneQueue::<T>::insert(*tail, (job, from));
			*tail = tail.saturating_add(1);
		});
	}

	/// Prunes finished jobs whose retention is over, as far as `remaining` weight allows.
	pub(crate) fn prune(now: BlockNumberFor<T>, remaining: Weight) -> Weight {
		let per_job = T::WeightInfo::prune_job();
		let mut used = T::DbWeight::get().reads(1);
		let (mut head, tail) = PruneBounds::<T>::get();
		let start = head;
		while head < tail {
			if !remaining.all_gte(used.saturating_add(per_job)) {
				break;
			}
			let Some((job, from)) = PruneQueue::<T>::get(head) else {
				head = head.saturating_add(1);
				continue;
			};
			if from > now {
				break;
			}
			PruneQueue::<T>::remove(head);
			Jobs::<T>::remove(job);
			// At most the worker and its auditors revealed.
			let _ = Outputs::<T>::clear_prefix(job, crate::MAX_AUDITORS.saturating_add(1), None);
			Fingerprints::<T>::remove(job);
			Self::deposit_event(Event::JobPruned { job });
			used = used.saturating_add(per_job);
			head = head.saturating_add(1);
		}
		if head != start {
			PruneBounds::<T>::put((head, tail));
			used = used.saturating_add(T::DbWeight::get().writes(1));
		}
		used
	}
}
