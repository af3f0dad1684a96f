//! The Jobs pallet's storage invariants, checked by `try_state` (try-runtime) and after
//! every block of the mock tests.

use crate::{pallet::*, BalanceOf, HoldReason, JobStatus};
use alloc::{collections::BTreeMap, format};
use frame_support::traits::fungible::InspectHold;
use frame_system::pallet_prelude::BlockNumberFor;
use sp_runtime::{traits::Saturating, TryRuntimeError};

impl<T: Config> Pallet<T> {
	/// Checks, over the whole storage of the pallet:
	/// - every open job is due exactly once in the agenda, in the block its phase ends, and
	///   that block is still ahead; every agenda entry is such a job;
	/// - the queue holds exactly the queued jobs, once each;
	/// - each owner's `JobFee` hold is the sum of its open jobs' `max_fee`;
	/// - each worker's load counts exactly the jobs assigned to it and not yet committed.
	pub fn do_try_state() -> Result<(), TryRuntimeError> {
		let now = frame_system::Pallet::<T>::block_number();
		let mut due: BTreeMap<_, BTreeMap<BlockNumberFor<T>, u32>> = BTreeMap::new();
		for (block, jobs) in Agenda::<T>::iter() {
			for job in jobs {
				let times = due.entry(job).or_default().entry(block).or_default();
				*times = times.saturating_add(1);
			}
		}
		let mut queued_times: BTreeMap<_, usize> = BTreeMap::new();
		for job in Queue::<T>::get() {
			let times = queued_times.entry(job).or_default();
			*times = times.saturating_add(1);
		}
		let mut held: BTreeMap<T::AccountId, BalanceOf<T>> = BTreeMap::new();
		let mut load: BTreeMap<T::AccountId, u32> = BTreeMap::new();
		for (id, job) in Jobs::<T>::iter() {
			let filed = due.remove(&id).unwrap_or_default();
			let queued = queued_times.remove(&id).unwrap_or_default();
			if job.status.is_final() {
				ensure_that(filed.is_empty(), || format!("job {id} ended but is still due"))?;
				ensure_that(queued == 0, || format!("job {id} ended but is still queued"))?;
				continue;
			}
			let expected = BTreeMap::from([(job.phase_ends, 1u32)]);
			ensure_that(filed == expected, || {
				format!(
					"job {id} ({:?}) ends its phase in block {:?} but is due in {filed:?}",
					job.status, job.phase_ends
				)
			})?;
			ensure_that(job.phase_ends > now, || {
				format!("job {id} is due in block {:?}, which has passed", job.phase_ends)
			})?;
			let is_queued = job.status == JobStatus::Queued;
			ensure_that(queued == usize::from(is_queued), || {
				format!("job {id} ({:?}) is in the queue {queued} times", job.status)
			})?;
			let sum = held.entry(job.owner.clone()).or_default();
			*sum = sum.saturating_add(job.max_fee);
			if job.status == JobStatus::Assigned {
				if let Some(worker) = job.worker {
					let n = load.entry(worker).or_default();
					*n = n.saturating_add(1);
				}
			}
		}
		ensure_that(due.is_empty(), || {
			format!("the agenda lists jobs that do not exist: {:?}", due.keys())
		})?;
		ensure_that(queued_times.is_empty(), || {
			format!("the queue lists jobs that do not exist: {:?}", queued_times.keys())
		})?;
		for (owner, sum) in &held {
			let on_hold = T::Currency::balance_on_hold(&HoldReason::JobFee.into(), owner);
			ensure_that(on_hold == *sum, || {
				format!(
					"{owner:?} has {on_hold:?} on hold for jobs whose max_fee add up to {sum:?}"
				)
			})?;
		}
		for (worker, n) in WorkerLoad::<T>::iter() {
			let counted = load.remove(&worker).unwrap_or_default();
			ensure_that(n == counted, || {
				format!("{worker:?} has load {n} but {counted} assigned, uncommitted jobs")
			})?;
		}
		ensure_that(load.is_empty(), || {
			format!("workers hold assigned jobs without a load entry: {:?}", load.keys())
		})
	}
}

/// `Ok` if `holds`, else the error that `why` describes.
fn ensure_that(
	holds: bool,
	why: impl FnOnce() -> alloc::string::String,
) -> Result<(), TryRuntimeError> {
	if holds {
		Ok(())
	} else {
		let why = why();
		log::error!(target: "runtime::jobs", "try_state: {why}");
		#[cfg(test)]
		std::eprintln!("try_state: {why}");
		Err(TryRuntimeError::Other("pallet-jobs: a storage invariant does not hold (see the log)"))
	}
}
