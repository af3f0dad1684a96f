//! The market parameters: their ranges, and the timelines they imply.

use crate::{pallet::*, ParamsOf, DRAW_DELAY};
use frame_support::pallet_prelude::*;
use frame_system::pallet_prelude::BlockNumberFor;
use sp_runtime::{
	traits::{Saturating, Zero},
	Perbill,
};

impl<T: Config> Pallet<T> {
	/// Checks the ranges of market parameters.
	pub fn validate_params(p: &ParamsOf<T>) -> Result<(), Error<T>> {
		ensure!(!p.audit_probability.is_zero(), Error::<T>::AuditProbabilityZero);
		ensure!(
			p.auditors_per_job >= 1 && p.auditors_per_job <= T::MaxAuditorsPerJob::get(),
			Error::<T>::AuditorsPerJobOutOfRange
		);
		let zero = BlockNumberFor::<T>::zero();
		ensure!(
			[
				p.queue_timeout,
				p.commit_window,
				p.audit_window,
				p.reveal_window,
				p.dispute_window,
				p.retention
			]
			.iter()
			.all(|w| *w > zero),
			Error::<T>::ZeroWindow
		);
		ensure!(
			p.treasury_share.deconstruct().saturating_add(p.auditor_share.deconstruct())
				<= Perbill::one().deconstruct(),
			Error::<T>::SharesAbove100Percent
		);
		ensure!(p.min_worker_score <= 1000, Error::<T>::ScoreOutOfRange);
		ensure!(p.chill_after_misses >= 1, Error::<T>::ZeroChillThreshold);
		ensure!(
			Self::slashable_span(p) <= T::StakeLockedFor::get(),
			Error::<T>::TimelineOutlivesStake
		);
		Ok(())
	}

	/// The most blocks from a job's assignment to the last moment a verdict about it
	/// may slash: the commit window, two audit rounds (the first and an escalation, each
	/// a draw delay, an audit window and a reveal window; the worker reveals within the
	/// first) and the dispute window.
	pub fn slashable_span(p: &ParamsOf<T>) -> BlockNumberFor<T> {
		let round = BlockNumberFor::<T>::from(DRAW_DELAY)
			.saturating_add(p.audit_window)
			.saturating_add(p.reveal_window);
		p.commit_window
			.saturating_add(round)
			.saturating_add(round)
			.saturating_add(p.dispute_window)
	}

	/// The fewest blocks from submission to a final result: an owner's deadline must
	/// allow at least this.
	pub fn min_turnaround(p: &ParamsOf<T>) -> BlockNumberFor<T> {
		p.commit_window
			.saturating_add(DRAW_DELAY.into())
			.saturating_add(p.audit_window)
			.saturating_add(p.reveal_window)
	}
}
