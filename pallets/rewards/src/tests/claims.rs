//! Claiming: each account's share of each group's budget, paid once, lazily, until the era
//! expires.

use super::*;
use crate::{CleanedUpTo, EraReward, Eras, Error, Event, PerGroup};
use frame_support::{assert_noop, assert_ok, traits::fungible::Mutate};

#[test]
fn each_group_shares_its_budget_by_points() {
	new_test_ext().execute_with(|| {
		delivered(WORKERS[0], WITH_CONTRIBUTORS, 300);
		delivered(WORKERS[1], WITH_CONTRIBUTORS, 100);
		audited(AUDITORS[0]);
		audited(AUDITORS[0]);
		audited(AUDITORS[1]);
		// Not claimable while the era is open.
		assert_noop!(
			Rewards::claim_rewards(RuntimeOrigin::signed(WORKERS[0]), 0),
			Error::<Test>::EraNotClosed
		);
		run_to(ERA);
		assert_eq!(crate::CurrentEra::<Test>::get(), 1);
		let budgets = PerGroup { workers: 5_000, auditors: 3_000, contributors: 2_000 };
		// Model 0's 400 units are split 30 : 10 between its contributors' payees.
		let points = PerGroup { workers: 400, auditors: 3, contributors: 400 };
		assert!(events().contains(&Event::EraClosed { era: 0, budgets, points }));
		assert_eq!(Eras::<Test>::get(0), Some(EraReward { budgets, points, claimed: 0 }));

		let expected = [
			(WORKERS[0], 3_750),
			(WORKERS[1], 1_250),
			(AUDITORS[0], 2_000),
			(AUDITORS[1], 1_000),
			(PAYEES[0], 1_500),
			(PAYEES[1], 500),
		];
		for (who, amount) in expected {
			let before = Balances::balance(&who);
			assert_eq!(Rewards::claimable(0, &who), amount);
			assert_ok!(Rewards::claim_rewards(RuntimeOrigin::signed(who), 0));
			assert_eq!(Balances::balance(&who) - before, amount, "reward of {who}");
			assert!(events().contains(&Event::RewardsClaimed { era: 0, who, amount }));
			// Paid once: the points are gone.
			assert!(!has_points(0, who));
			assert_noop!(
				Rewards::claim_rewards(RuntimeOrigin::signed(who), 0),
				Error::<Test>::NothingToClaim
			);
		}
		assert_eq!(Eras::<Test>::get(0).unwrap().claimed, 10_000);
		// Only the existential deposit is left in the reward account.
		assert_eq!(pot(), ED);
	});
}

#[test]
fn a_worker_who_is_also_a_contributor_is_paid_for_both() {
	new_test_ext().execute_with(|| {
		// Payee 31 delivers a job of model 1 too.
		delivered(PAYEES[0], WITHOUT_CONTRIBUTORS, 100);
		delivered(WORKERS[0], WITH_CONTRIBUTORS, 100);
		run_to(ERA);
		// Workers: 5000 split 100 : 100; contributors: 2000 split 75 : 25.
		assert_eq!(Rewards::claimable(0, &PAYEES[0]), 2_500 + 1_500);
		assert_ok!(Rewards::claim_rewards(RuntimeOrigin::signed(PAYEES[0]), 0));
		assert_eq!(Balances::balance(&PAYEES[0]), 4_000);
	});
}

#[test]
fn claims_are_lazy_across_eras_until_they_expire() {
	new_test_ext().execute_with(|| {
		// Worker 1 earns in eras 0, 1 and 2, alone in 0 and 2 and with worker 2 in 1.
		for era in 0..3u64 {
			delivered(WORKERS[0], WITHOUT_CONTRIBUTORS, 10);
			if era == 1 {
				delivered(WORKERS[1], WITHOUT_CONTRIBUTORS, 30);
			}
			run_to(ERA * (era + 1));
		}
		assert_eq!(crate::CurrentEra::<Test>::get(), 3);
		let before = Balances::balance(&WORKERS[0]);
		for era in [2, 0, 1] {
			assert_ok!(Rewards::claim_rewards(RuntimeOrigin::signed(WORKERS[0]), era));
		}
		assert_eq!(Balances::balance(&WORKERS[0]) - before, 5_000 + 1_250 + 5_000);
		for era in 0..3 {
			assert_noop!(
				Rewards::claim_rewards(RuntimeOrigin::signed(WORKERS[0]), era),
				Error::<Test>::NothingToClaim
			);
		}
		assert_noop!(
			Rewards::claim_rewards(RuntimeOrigin::signed(WORKERS[0]), 3),
			Error::<Test>::EraNotClosed
		);
		assert_noop!(
			Rewards::claim_rewards(RuntimeOrigin::signed(WORKERS[0]), 7),
			Error::<Test>::EraNotClosed
		);

		// Era 1 stays claimable until era 1 + HISTORY closes; then worker 2's unclaimed
		// 3750 goes to the treasury.
		let treasury = Balances::balance(&TREASURY);
		run_to(ERA * (1 + HISTORY as u64 + 1) - 1);
		assert_eq!(Rewards::claimable(1, &WORKERS[1]), 3_750);
		run_to(ERA * (1 + HISTORY as u64 + 1));
		assert!(events().contains(&Event::EraExpired { era: 1, unclaimed: 3_750 }));
		assert_eq!(Balances::balance(&TREASURY) - treasury, 3_750);
		assert_noop!(
			Rewards::claim_rewards(RuntimeOrigin::signed(WORKERS[1]), 1),
			Error::<Test>::EraExpired
		);
		assert_eq!(Eras::<Test>::iter().count() as u32, HISTORY);
	});
}

#[test]
fn expired_points_are_cleaned_up_a_few_per_block() {
	let mut ext = new_test_ext();
	ext.execute_with(|| {
		for w in WORKERS {
			delivered(w, WITHOUT_CONTRIBUTORS, 1);
		}
		run_to(ERA * (HISTORY as u64 + 1) - 1);
	});
	// The limit applies to entries already in the database, as on a real chain, where they
	// were written in earlier blocks.
	ext.commit_all().unwrap();
	ext.execute_with(|| {
		run_to(ERA * (HISTORY as u64 + 1));
		assert!(Eras::<Test>::get(0).is_none());
		// Two entries per block (the mock's `MaxCleanupPerBlock`).
		let left = WORKERS.iter().filter(|w| has_points(0, **w)).count();
		assert_eq!(left, 2);
	});
	// Each block's deletions are committed before the next block, as on a real chain.
	for _ in 0..2 {
		ext.commit_all().unwrap();
		ext.execute_with(|| run_to(System::block_number() + 1));
	}
	ext.execute_with(|| {
		assert!(WORKERS.iter().all(|w| !has_points(0, *w)));
		assert!(CleanedUpTo::<Test>::get() >= 1);
		// Live eras are never touched.
		delivered(WORKERS[0], WITHOUT_CONTRIBUTORS, 1);
		let era = crate::CurrentEra::<Test>::get();
		run_to(System::block_number() + 5);
		assert!(has_points(era, WORKERS[0]));
		assert!(CleanedUpTo::<Test>::get() <= era);
	});
}

#[test]
fn a_payout_that_cannot_be_made_fails_and_keeps_the_points() {
	new_test_ext().execute_with(|| {
		delivered(WORKERS[0], WITHOUT_CONTRIBUTORS, 1);
		run_to(ERA);
		// Someone drained the reward account (it cannot happen through the pallet).
		<Balances as Mutate<u64>>::set_balance(&Rewards::account_id(), ED);
		assert_noop!(
			Rewards::claim_rewards(RuntimeOrigin::signed(WORKERS[0]), 0),
			Error::<Test>::PayoutFailed
		);
		assert!(has_points(0, WORKERS[0]));
	});
}

#[test]
fn without_parameters_no_points_are_recorded_and_nothing_is_minted() {
	new_test_ext_with(None).execute_with(|| {
		let issuance = Balances::total_issuance();
		delivered(WORKERS[0], WITH_CONTRIBUTORS, 100);
		audited(AUDITORS[0]);
		assert!(AccountPoints::<Test>::iter().next().is_none());
		run_to(5 * ERA);
		assert_eq!(crate::CurrentEra::<Test>::get(), 0);
		assert_eq!(Balances::total_issuance(), issuance);
		assert_noop!(
			Rewards::claim_rewards(RuntimeOrigin::signed(WORKERS[0]), 0),
			Error::<Test>::EraNotClosed
		);
	});
}

#[test]
fn contributors_of_unknown_models_or_models_without_contributors_earn_nothing() {
	new_test_ext().execute_with(|| {
		delivered(WORKERS[0], WITHOUT_CONTRIBUTORS, 100);
		delivered(WORKERS[0], 77, 100);
		delivered(WORKERS[0], WITH_CONTRIBUTORS, 0);
		assert_eq!(
			crate::CurrentPoints::<Test>::get(),
			PerGroup { workers: 200, auditors: 0, contributors: 0 }
		);
		assert!(PAYEES.iter().all(|p| !has_points(0, *p)));
	});
}
