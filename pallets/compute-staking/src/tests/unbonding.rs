//! `unbond` and `withdraw_unbonded`.

use super::*;
use crate::{ActiveWorkers, Error, Event, UnlockChunk};
use frame_support::{assert_noop, assert_ok};
use sp_runtime::DispatchError;

type Staking = Pallet<Test>;

fn unbond(who: u64, value: u64) -> sp_runtime::DispatchResult {
	Staking::unbond(RuntimeOrigin::signed(who), value)
}

fn withdraw(who: u64) -> sp_runtime::DispatchResult {
	Staking::withdraw_unbonded(RuntimeOrigin::signed(who))
}

#[test]
fn unbonded_funds_stay_on_hold_until_they_mature() {
	new_test_ext().execute_with(|| {
		worker(1, 300, &[0]);
		assert_ok!(unbond(1, 100));
		let ledger = Ledgers::<Test>::get(1).unwrap();
		assert_eq!(ledger.active, 200);
		assert_eq!(
			ledger.unlocking.into_inner(),
			vec![UnlockChunk { value: 100, unlock_at: 1 + DELAY }]
		);
		assert!(ledger.on_duty, "still above the minimum");
		assert_eq!(bonded(1), 300);
		assert_eq!(
			events().last(),
			Some(&Event::Unbonded { who: 1, amount: 100, unlock_at: 1 + DELAY })
		);
		// Not yet.
		System::set_block_number(DELAY);
		assert_noop!(withdraw(1), Error::<Test>::NothingToWithdraw);
		System::set_block_number(1 + DELAY);
		assert_ok!(withdraw(1));
		assert_eq!(bonded(1), 200);
		assert_eq!(Balances::free_balance(1), ENDOWMENT - 200);
		assert_eq!(events().last(), Some(&Event::Withdrawn { who: 1, amount: 100 }));
		assert!(Ledgers::<Test>::get(1).unwrap().unlocking.is_empty());
		assert_conserved();
	});
}

#[test]
fn unbonding_twice_in_a_block_uses_one_chunk() {
	new_test_ext().execute_with(|| {
		worker(1, 300, &[0]);
		assert_ok!(unbond(1, 10));
		assert_ok!(unbond(1, 15));
		let unlocking = Ledgers::<Test>::get(1).unwrap().unlocking;
		assert_eq!(unlocking.into_inner(), vec![UnlockChunk { value: 25, unlock_at: 1 + DELAY }]);
	});
}

#[test]
fn unbonding_below_the_minimum_leaves_duty() {
	new_test_ext().execute_with(|| {
		worker(1, 150, &[0, 1]);
		assert_ok!(unbond(1, 51));
		assert!(!Ledgers::<Test>::get(1).unwrap().on_duty);
		assert!(ActiveWorkers::<Test>::get(0).is_empty());
		assert!(!ActiveWorkers::<Test>::contains_key(1), "empty sets are removed");
		assert_eq!(events().last(), Some(&Event::Chilled { who: 1 }));
		assert_conserved();
	});
}

#[test]
fn unbond_checks_its_input() {
	new_test_ext().execute_with(|| {
		assert_noop!(Staking::unbond(RuntimeOrigin::root(), 1), DispatchError::BadOrigin);
		assert_noop!(unbond(1, 1), Error::<Test>::NotBonded);
		worker(1, 150, &[0]);
		assert_noop!(unbond(1, 0), Error::<Test>::ZeroAmount);
		assert_noop!(unbond(1, 151), Error::<Test>::InsufficientBond);
	});
}

#[test]
fn unlocking_chunks_are_bounded() {
	new_test_ext().execute_with(|| {
		worker(1, 300, &[0]);
		for block in 1..=3 {
			System::set_block_number(block);
			assert_ok!(unbond(1, 1));
		}
		System::set_block_number(4);
		assert_noop!(unbond(1, 1), Error::<Test>::TooManyUnlockingChunks);
		// Withdrawing the matured ones makes room.
		System::set_block_number(2 + DELAY);
		assert_ok!(withdraw(1));
		assert_eq!(Ledgers::<Test>::get(1).unwrap().unlocking.len(), 1);
		assert_ok!(unbond(1, 1));
		assert_conserved();
	});
}

#[test]
fn withdrawing_everything_removes_the_ledger() {
	new_test_ext().execute_with(|| {
		auditor(2, MIN_AUDITOR);
		assert_ok!(unbond(2, MIN_AUDITOR));
		System::set_block_number(1 + DELAY);
		assert_ok!(withdraw(2));
		assert!(Ledgers::<Test>::get(2).is_none());
		assert_eq!(bonded(2), 0);
		assert_eq!(Balances::free_balance(2), ENDOWMENT);
		assert_eq!(events().last(), Some(&Event::LedgerRemoved { who: 2 }));
		assert_noop!(withdraw(2), Error::<Test>::NotBonded);
		// And the account may bond again, for another role.
		worker(2, 150, &[0]);
		assert_conserved();
	});
}

#[test]
fn withdraw_needs_a_signed_origin() {
	new_test_ext().execute_with(|| {
		assert_noop!(Staking::withdraw_unbonded(RuntimeOrigin::root()), DispatchError::BadOrigin);
	});
}
