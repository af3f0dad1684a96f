//! The pallet as other pallets see it: [`ComputeStakingInterface`], and slashing.

use crate::{slashing, *};
use alloc::vec::Vec;
use frame_support::traits::{
	fungible::{BalancedHold, MutateHold},
	tokens::{Fortitude, Precision, Restriction},
	Imbalance, OnUnbalanced,
};
use sp_runtime::{traits::Zero, Perbill};
use verinfer_primitives::{
	ComputeStakingInterface, ModelId, Reputation, SlashDestination, WorkerTerms,
};

impl<T: Config> Pallet<T> {
	/// Slashes `fraction` of everything `who` has bonded (see [`slashing`]) and sends it to
	/// `destination`. Returns the amount taken.
	pub fn do_slash(
		who: &T::AccountId,
		fraction: Perbill,
		destination: SlashDestination<T::AccountId>,
	) -> BalanceOf<T> {
		let Some(ledger) = Ledgers::<T>::get(who) else { return Zero::zero() };
		let amount = slashing::slash_amount(
			fraction,
			ledger.active,
			ledger.unlocking.iter().map(|c| c.value),
		);
		Self::slash_by(who, ledger, amount, destination)
	}

	/// Slashes `amount`, at most everything `who` has bonded, and sends it to
	/// `destination`. Returns the amount taken.
	pub fn do_slash_exact(
		who: &T::AccountId,
		amount: BalanceOf<T>,
		destination: SlashDestination<T::AccountId>,
	) -> BalanceOf<T> {
		let Some(ledger) = Ledgers::<T>::get(who) else { return Zero::zero() };
		let amount = amount.min(ledger.total());
		Self::slash_by(who, ledger, amount, destination)
	}

	/// Takes `amount` (at most the ledger's total) from `who`'s bond.
	fn slash_by(
		who: &T::AccountId,
		mut ledger: StakeLedger<T>,
		amount: BalanceOf<T>,
		destination: SlashDestination<T::AccountId>,
	) -> BalanceOf<T> {
		if amount.is_zero() {
			return amount;
		}
		let reason: T::RuntimeHoldReason = HoldReason::Bond.into();
		let to_treasury = |amount| {
			let (credit, _missing) = T::Currency::slash(&reason, who, amount);
			let taken = credit.peek();
			T::Slash::on_unbalanced(credit);
			taken
		};
		let (taken, destination) = match destination {
			SlashDestination::Account(to) => match T::Currency::transfer_on_hold(
				&reason,
				who,
				&to,
				amount,
				Precision::BestEffort,
				Restriction::Free,
				Fortitude::Force,
			) {
				Ok(taken) => (taken, SlashDestination::Account(to)),
				// The account cannot receive it (it would stay below the existential
				// deposit): the treasury gets it instead, so nothing is lost.
				Err(_) => (to_treasury(amount), SlashDestination::Treasury),
			},
			SlashDestination::Treasury => (to_treasury(amount), SlashDestination::Treasury),
		};
		// `taken` equals `amount` while the hold matches the ledger; the ledger follows what
		// was really taken either way.
		let _ = slashing::apply_slash(
			&mut ledger.active,
			ledger.unlocking.iter_mut().rev().map(|c| &mut c.value),
			taken,
		);
		ledger.unlocking.retain(|c| !c.value.is_zero());
		Self::deposit_event(Event::Slashed { who: who.clone(), amount: taken, destination });
		Self::chill_if_below_minimum(who, &mut ledger);
		Self::store_or_remove(who, ledger);
		taken
	}

	fn note(who: &T::AccountId, bump: impl FnOnce(&mut Reputation)) {
		Reputations::<T>::mutate(who, bump);
	}
}

impl<T: Config> ComputeStakingInterface<T::AccountId, BalanceOf<T>> for Pallet<T> {
	fn is_active_worker(who: &T::AccountId, model: ModelId) -> bool {
		Ledgers::<T>::get(who).is_some_and(|l| {
			l.on_duty && matches!(&l.role, Role::Worker(p) if p.models.contains(&model))
		})
	}

	fn is_active_auditor(who: &T::AccountId) -> bool {
		Ledgers::<T>::get(who).is_some_and(|l| l.on_duty && matches!(l.role, Role::Auditor))
	}

	fn worker_terms(who: &T::AccountId) -> Option<WorkerTerms<BalanceOf<T>>> {
		match Ledgers::<T>::get(who)?.role {
			Role::Worker(prefs) => {
				Some(WorkerTerms { price: prefs.price, capacity: prefs.capacity })
			},
			Role::Auditor => None,
		}
	}

	fn stake(who: &T::AccountId) -> BalanceOf<T> {
		Ledgers::<T>::get(who).map(|l| l.total()).unwrap_or_default()
	}

	fn reputation(who: &T::AccountId) -> Reputation {
		Reputations::<T>::get(who)
	}

	fn note_job_completed(who: &T::AccountId) {
		Self::note(who, |r| r.jobs_completed = r.jobs_completed.saturating_add(1));
	}

	fn note_audit_passed(who: &T::AccountId) {
		Self::note(who, |r| r.audits_passed = r.audits_passed.saturating_add(1));
	}

	fn note_audit_failed(who: &T::AccountId) {
		Self::note(who, |r| r.audits_failed = r.audits_failed.saturating_add(1));
	}

	fn note_missed_deadline(who: &T::AccountId) {
		Self::note(who, |r| r.missed_deadlines = r.missed_deadlines.saturating_add(1));
	}

	fn active_workers(model: ModelId) -> Vec<T::AccountId> {
		ActiveWorkers::<T>::get(model).into_inner()
	}

	fn active_auditors() -> Vec<T::AccountId> {
		ActiveAuditors::<T>::get().into_inner()
	}

	fn slash(
		who: &T::AccountId,
		fraction: Perbill,
		destination: SlashDestination<T::AccountId>,
	) -> BalanceOf<T> {
		Self::do_slash(who, fraction, destination)
	}

	fn slash_exact(
		who: &T::AccountId,
		amount: BalanceOf<T>,
		destination: SlashDestination<T::AccountId>,
	) -> BalanceOf<T> {
		Self::do_slash_exact(who, amount, destination)
	}

	fn take_off_duty(who: &T::AccountId) -> bool {
		let Some(mut ledger) = Ledgers::<T>::get(who) else { return false };
		if !ledger.on_duty {
			return false;
		}
		Self::leave_duty(who, &mut ledger);
		Ledgers::<T>::insert(who, ledger);
		Self::deposit_event(Event::Chilled { who: who.clone() });
		true
	}

	#[cfg(feature = "runtime-benchmarks")]
	fn bond_worker_for_benchmark(who: &T::AccountId, model: ModelId) -> bool {
		let Ok(models) = alloc::vec![model].try_into() else { return false };
		let value = Self::min_stake(verinfer_primitives::RoleKind::Worker);
		crate::benchmarking::fund::<T>(who, value);
		Self::bond_worker(
			frame_system::RawOrigin::Signed(who.clone()).into(),
			value,
			models,
			Zero::zero(),
			Default::default(),
			<T::MaxWorkerCapacity as frame_support::traits::Get<u32>>::get(),
		)
		.is_ok()
	}

	#[cfg(feature = "runtime-benchmarks")]
	fn bond_auditor_for_benchmark(who: &T::AccountId) -> bool {
		let value = Self::min_stake(verinfer_primitives::RoleKind::Auditor);
		crate::benchmarking::fund::<T>(who, value);
		Self::bond_auditor(frame_system::RawOrigin::Signed(who.clone()).into(), value).is_ok()
	}
}
