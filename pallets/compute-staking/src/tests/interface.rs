//! What other pallets use: slashing, reputation and the active-set queries.

use super::*;
use crate::{Event, UnlockChunk};
use frame_support::assert_ok;
use sp_runtime::Perbill;
use verinfer_primitives::{ComputeStakingInterface, Reputation, SlashDestination};

type Staking = Pallet<Test>;

#[test]
fn a_slash_takes_a_fraction_of_active_and_unbonding_funds() {
	new_test_ext().execute_with(|| {
		worker(1, 400, &[0]);
		assert_ok!(Staking::unbond(RuntimeOrigin::signed(1), 300));
		// 10 % of 400 bonded in total (100 active, 300 unbonding) is 40.
		let slashed = Staking::slash(&1, Perbill::from_percent(10), SlashDestination::Treasury);
		assert_eq!(slashed, 40);
		let ledger = Ledgers::<Test>::get(1).unwrap();
		assert_eq!(ledger.active, 60);
		assert_eq!(ledger.unlocking[0], UnlockChunk { value: 300, unlock_at: 1 + DELAY });
		assert_eq!(bonded(1), 360);
		assert_eq!(Balances::total_balance(&POT), ED + 40);
		assert!(events().contains(&Event::Slashed {
			who: 1,
			amount: 40,
			destination: SlashDestination::Treasury
		}));
		assert_conserved();
	});
}

#[test]
fn unbonding_does_not_escape_a_slash() {
	new_test_ext().execute_with(|| {
		worker(1, 400, &[0]);
		assert_ok!(Staking::unbond(RuntimeOrigin::signed(1), 400));
		let slashed = Staking::slash(&1, Perbill::from_percent(50), SlashDestination::Treasury);
		assert_eq!(slashed, 200);
		assert_eq!(Ledgers::<Test>::get(1).unwrap().unlocking[0].value, 200);
		assert_conserved();
	});
}

#[test]
fn a_slash_can_reward_a_reporter() {
	new_test_ext().execute_with(|| {
		auditor(2, 1_000);
		let slashed = Staking::slash(&2, Perbill::from_percent(5), SlashDestination::Account(3));
		assert_eq!(slashed, 50);
		assert_eq!(Balances::free_balance(3), ENDOWMENT + 50);
		assert!(Staking::is_active_auditor(&2), "still above the minimum");
		assert_conserved();
	});
}

#[test]
fn a_slash_too_small_for_a_new_account_goes_to_the_treasury() {
	new_test_ext().execute_with(|| {
		auditor(2, 1_000);
		// Account 50 does not exist and 5 is below the existential deposit.
		let slashed =
			Staking::slash(&2, Perbill::from_rational(5u32, 1000), SlashDestination::Account(50));
		assert_eq!(slashed, 5);
		assert_eq!(Balances::total_balance(&50), 0);
		assert_eq!(Balances::total_balance(&POT), ED + 5);
		assert!(events().contains(&Event::Slashed {
			who: 2,
			amount: 5,
			destination: SlashDestination::Treasury
		}));
		assert_conserved();
	});
}

#[test]
fn a_slash_below_the_minimum_takes_the_account_off_duty() {
	new_test_ext().execute_with(|| {
		worker(1, 150, &[0, 1]);
		assert_eq!(Staking::slash(&1, Perbill::from_percent(50), SlashDestination::Treasury), 75);
		assert!(!Staking::is_active_worker(&1, 0));
		assert_eq!(Staking::active_workers(1).len(), 0);
		assert_eq!(events().last(), Some(&Event::Chilled { who: 1 }));
		assert_conserved();
	});
}

#[test]
fn a_full_slash_removes_the_ledger() {
	new_test_ext().execute_with(|| {
		worker(1, 150, &[0]);
		assert_eq!(Staking::slash(&1, Perbill::one(), SlashDestination::Treasury), 150);
		assert!(Ledgers::<Test>::get(1).is_none());
		assert_eq!(Staking::stake(&1), 0);
		assert_eq!(events().last(), Some(&Event::LedgerRemoved { who: 1 }));
		assert_conserved();
	});
}

#[test]
fn slashing_nothing_does_nothing() {
	new_test_ext().execute_with(|| {
		assert_eq!(Staking::slash(&1, Perbill::one(), SlashDestination::Treasury), 0);
		worker(1, 150, &[0]);
		assert_eq!(Staking::slash(&1, Perbill::zero(), SlashDestination::Treasury), 0);
		assert_eq!(Staking::stake(&1), 150);
		assert_conserved();
	});
}

#[test]
fn reputation_counters_count_and_survive_unbonding() {
	new_test_ext().execute_with(|| {
		worker(1, 150, &[0]);
		Staking::note_job_completed(&1);
		Staking::note_job_completed(&1);
		Staking::note_audit_passed(&1);
		Staking::note_audit_failed(&1);
		Staking::note_missed_deadline(&1);
		let expected = Reputation {
			jobs_completed: 2,
			audits_passed: 1,
			audits_failed: 1,
			missed_deadlines: 1,
		};
		assert_eq!(Staking::reputation(&1), expected);
		assert_eq!(Staking::reputation(&2), Reputation::default());
		assert_eq!(Staking::slash(&1, Perbill::one(), SlashDestination::Treasury), 150);
		assert_eq!(Staking::reputation(&1), expected);
	});
}

#[test]
fn active_sets_answer_index_queries() {
	new_test_ext().execute_with(|| {
		worker(1, 150, &[0]);
		worker(2, 150, &[0]);
		auditor(3, MIN_AUDITOR);
		assert_eq!(Staking::active_workers(0).len(), 2);
		assert_eq!(Staking::active_workers(0).get(1).copied(), Some(2));
		assert_eq!(Staking::active_workers(0).get(2).copied(), None);
		assert_eq!(Staking::active_workers(7).len(), 0);
		assert_eq!(Staking::active_workers(7).first().copied(), None);
		assert_eq!(Staking::active_auditors().len(), 1);
		assert_eq!(Staking::active_auditors().first().copied(), Some(3));
		assert_eq!(Staking::active_auditors().get(1).copied(), None);
	});
}

#[test]
fn an_exact_slash_takes_the_amount_capped_at_the_bond() {
	new_test_ext().execute_with(|| {
		worker(1, 400, &[0]);
		assert_ok!(Staking::unbond(RuntimeOrigin::signed(1), 300));
		// Active funds first, then the unbonding chunk.
		assert_eq!(Staking::slash_exact(&1, 130, SlashDestination::Treasury), 130);
		let ledger = Ledgers::<Test>::get(1).unwrap();
		assert_eq!((ledger.active, ledger.unlocking[0].value), (0, 270));
		assert_eq!(Balances::total_balance(&POT), ED + 130);
		// More than is bonded takes what is there, no more.
		assert_eq!(Staking::slash_exact(&1, 10_000, SlashDestination::Treasury), 270);
		assert!(Ledgers::<Test>::get(1).is_none(), "nothing left bonded");
		assert_eq!(Staking::slash_exact(&1, 5, SlashDestination::Treasury), 0);
		assert_eq!(Balances::total_balance(&POT), ED + 400);
		assert_conserved();
	});
}

#[test]
fn another_pallet_can_take_an_account_off_duty() {
	new_test_ext().execute_with(|| {
		worker(1, 150, &[0]);
		auditor(2, MIN_AUDITOR);
		assert!(Staking::take_off_duty(&1));
		assert!(!Staking::is_active_worker(&1, 0));
		assert!(!Staking::take_off_duty(&1), "already off duty");
		assert!(Staking::take_off_duty(&2));
		assert!(!Staking::is_active_auditor(&2));
		assert!(!Staking::take_off_duty(&3), "not bonded");
		assert!(events().contains(&Event::Chilled { who: 1 }));
		// Activating again works as after a chill.
		assert_ok!(Staking::activate(RuntimeOrigin::signed(1)));
		assert!(Staking::is_active_worker(&1, 0));
		assert_eq!(bonded(1), 150);
		assert_conserved();
	});
}
