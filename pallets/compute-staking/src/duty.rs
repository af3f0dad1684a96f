//! Active duty: who is in the active sets, and the bookkeeping around the ledger.

use crate::*;
use frame_support::ensure;
use sp_runtime::DispatchResult;
use verinfer_primitives::RoleKind;

impl<T: Config> Pallet<T> {
	/// The current minimum stake of `role`.
	pub fn min_stake(role: RoleKind) -> BalanceOf<T> {
		match role {
			RoleKind::Worker => MinWorkerStake::<T>::get(),
			RoleKind::Auditor => MinAuditorStake::<T>::get(),
		}
	}

	/// Adds `who` to the active set(s) of its role. Fails, changing nothing that the
	/// enclosing call does not roll back, when the bond is below the minimum or a set is full.
	pub(crate) fn enter_duty(who: &T::AccountId, ledger: &mut StakeLedger<T>) -> DispatchResult {
		ensure!(
			ledger.active >= Self::min_stake(ledger.role.kind()),
			Error::<T>::BelowMinimumStake
		);
		match &ledger.role {
			Role::Worker(prefs) => {
				for model in prefs.models.iter() {
					ActiveWorkers::<T>::try_mutate(model, |set| {
						if !set.contains(who) {
							set.try_push(who.clone()).map_err(|_| Error::<T>::TooManyWorkers)?;
						}
						Ok::<_, Error<T>>(())
					})?;
				}
			},
			Role::Auditor => ActiveAuditors::<T>::try_mutate(|set| {
				if !set.contains(who) {
					set.try_push(who.clone()).map_err(|_| Error::<T>::TooManyAuditors)?;
				}
				Ok::<_, Error<T>>(())
			})?,
		}
		ledger.on_duty = true;
		Ok(())
	}

	/// Removes `who` from the active set(s) of its role. Never fails, so a slash can always
	/// take an account out of duty.
	pub(crate) fn leave_duty(who: &T::AccountId, ledger: &mut StakeLedger<T>) {
		match &ledger.role {
			Role::Worker(prefs) => {
				for model in prefs.models.iter() {
					ActiveWorkers::<T>::mutate_exists(model, |set| {
						if let Some(members) = set {
							members.retain(|m| m != who);
							if members.is_empty() {
								*set = None;
							}
						}
					});
				}
			},
			Role::Auditor => ActiveAuditors::<T>::mutate(|set| set.retain(|m| m != who)),
		}
		ledger.on_duty = false;
	}

	/// Takes an active account whose bond fell below its role's minimum out of duty.
	pub(crate) fn chill_if_below_minimum(who: &T::AccountId, ledger: &mut StakeLedger<T>) {
		if ledger.on_duty && ledger.active < Self::min_stake(ledger.role.kind()) {
			Self::leave_duty(who, ledger);
			Self::deposit_event(Event::Chilled { who: who.clone() });
		}
	}

	/// Stores `ledger`, or removes it when nothing is bonded any more.
	pub(crate) fn store_or_remove(who: &T::AccountId, mut ledger: StakeLedger<T>) {
		if ledger.is_empty() {
			if ledger.on_duty {
				Self::leave_duty(who, &mut ledger);
			}
			Ledgers::<T>::remove(who);
			Self::deposit_event(Event::LedgerRemoved { who: who.clone() });
		} else {
			Ledgers::<T>::insert(who, ledger);
		}
	}

	/// Checks the pallet's invariants: each ledger's hold equals its total, and the active
	/// sets hold exactly the accounts on duty. Iterates over all ledgers, so it is for tests
	/// and try-runtime only.
	#[cfg(any(test, feature = "try-runtime"))]
	pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
		use frame_support::traits::fungible::InspectHold;
		let mut on_duty_workers = 0usize;
		let mut on_duty_auditors = 0usize;
		for (who, ledger) in Ledgers::<T>::iter() {
			let held = T::Currency::balance_on_hold(&HoldReason::Bond.into(), &who);
			ensure!(held == ledger.total(), "hold differs from the ledger's total");
			ensure!(!ledger.is_empty(), "an empty ledger was kept");
			match &ledger.role {
				Role::Worker(prefs) => {
					for model in prefs.models.iter() {
						let listed = ActiveWorkers::<T>::get(model).contains(&who);
						ensure!(listed == ledger.on_duty, "worker set out of sync with its ledger");
						on_duty_workers = on_duty_workers.saturating_add(usize::from(listed));
					}
				},
				Role::Auditor => {
					let listed = ActiveAuditors::<T>::get().contains(&who);
					ensure!(listed == ledger.on_duty, "auditor set out of sync with its ledger");
					on_duty_auditors = on_duty_auditors.saturating_add(usize::from(listed));
				},
			}
		}
		let listed_workers: usize = ActiveWorkers::<T>::iter_values().map(|s| s.len()).sum();
		ensure!(listed_workers == on_duty_workers, "a worker set lists an account off duty");
		ensure!(
			ActiveAuditors::<T>::get().len() == on_duty_auditors,
			"the auditor set lists an account off duty"
		);
		Ok(())
	}
}
