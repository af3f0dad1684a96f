//! Total issuance grows by exactly the emission: what the era closes mint, no more (no
//! reward is paid twice, dust and expired rewards go to the treasury) and no less.

use super::*;
use crate::{Event, PerGroup};
use frame_support::assert_ok;

/// Everything the reward stream minted so far, from the era-close events.
fn minted() -> u64 {
	events()
		.into_iter()
		.filter_map(|e| match e {
			Event::EraClosed { budgets, .. } => Some(budgets.total()),
			_ => None,
		})
		.sum()
}

/// What was claimed so far, from the events.
fn claimed() -> u64 {
	events()
		.into_iter()
		.filter_map(|e| match e {
			Event::RewardsClaimed { amount, .. } => Some(amount),
			_ => None,
		})
		.sum()
}

#[test]
fn issuance_grows_by_exactly_the_emission_across_eras() {
	new_test_ext().execute_with(|| {
		let genesis = Balances::total_issuance();
		// The reward account was endowed once, at genesis.
		assert_eq!(pot(), ED);
		// Six eras of uneven work; some accounts claim at once, some later, some never.
		for era in 0..6u64 {
			for (i, w) in WORKERS.iter().enumerate() {
				delivered(
					*w,
					if i % 2 == 0 { WITH_CONTRIBUTORS } else { WITHOUT_CONTRIBUTORS },
					7 * (i as u128 + 1) + era as u128,
				);
			}
			for a in AUDITORS.iter().take(1 + era as usize % 3) {
				audited(*a);
			}
			run_to(ERA * (era + 1));
			assert_eq!(Balances::total_issuance(), genesis + minted());
			// Workers 1 and 2 claim the era just closed, the auditors two eras late.
			for w in &WORKERS[..2] {
				assert_ok!(Rewards::claim_rewards(RuntimeOrigin::signed(*w), era as u32));
			}
			if era >= 2 {
				for a in AUDITORS {
					let _ = Rewards::claim_rewards(RuntimeOrigin::signed(a), era as u32 - 2);
				}
			}
			assert_eq!(
				Balances::total_issuance(),
				genesis + minted(),
				"claims move funds, they mint nothing"
			);
			assert!(claimed() <= minted());
		}
		// Every era earned in every group: all of each era's emission was minted.
		assert_eq!(minted(), 6 * EMISSION);
		// Once every era expired, the treasury holds what was not claimed, dust included,
		// and the reward account only its endowment.
		let treasury = Balances::balance(&TREASURY);
		run_to(ERA * (6 + HISTORY as u64));
		let expired: u64 = events()
			.into_iter()
			.filter_map(|e| match e {
				Event::EraExpired { unclaimed, .. } => Some(unclaimed),
				_ => None,
			})
			.sum();
		assert_eq!(claimed() + expired, minted());
		assert_eq!(pot(), ED);
		assert!(Balances::balance(&TREASURY) - treasury <= expired);
		assert_eq!(Balances::total_issuance(), genesis + minted());
	});
}

#[test]
fn rounding_dust_is_never_paid_and_goes_to_the_treasury() {
	new_test_ext().execute_with(|| {
		let genesis = Balances::total_issuance();
		// Three equal workers share 5000: 1666 each, 2 left over. Nobody audited and the
		// model has no contributors, so only the workers' budget is minted.
		for w in &WORKERS[..3] {
			delivered(*w, WITHOUT_CONTRIBUTORS, 1);
		}
		run_to(ERA);
		assert_eq!(Balances::total_issuance(), genesis + 5_000);
		for w in &WORKERS[..3] {
			assert_ok!(Rewards::claim_rewards(RuntimeOrigin::signed(*w), 0));
		}
		assert_eq!(claimed(), 4_998);
		assert_eq!(pot(), ED + 2);
		let treasury = Balances::balance(&TREASURY);
		run_to(ERA * (1 + HISTORY as u64));
		assert!(events().contains(&Event::EraExpired { era: 0, unclaimed: 2 }));
		assert_eq!(Balances::balance(&TREASURY) - treasury, 2);
		assert_eq!(Balances::total_issuance(), genesis + 5_000);
	});
}

#[test]
fn a_group_without_points_gets_no_budget_and_nothing_is_minted_for_it() {
	new_test_ext().execute_with(|| {
		let genesis = Balances::total_issuance();
		audited(AUDITORS[0]);
		run_to(ERA);
		assert!(events().contains(&Event::EraClosed {
			era: 0,
			budgets: PerGroup { workers: 0, auditors: 3_000, contributors: 0 },
			points: PerGroup { workers: 0, auditors: 1, contributors: 0 },
		}));
		assert_eq!(Balances::total_issuance(), genesis + 3_000);
		// An era without any work mints nothing at all.
		run_to(2 * ERA);
		assert_eq!(Balances::total_issuance(), genesis + 3_000);
	});
}

#[test]
fn a_zero_rate_mints_nothing_and_claims_pay_nothing() {
	new_test_ext().execute_with(|| {
		let genesis = Balances::total_issuance();
		let mut p = params();
		p.emission_per_era = 0;
		assert_ok!(Rewards::set_params(RuntimeOrigin::root(), p));
		delivered(WORKERS[0], WITH_CONTRIBUTORS, 100);
		audited(AUDITORS[0]);
		run_to(ERA);
		assert_eq!(Balances::total_issuance(), genesis);
		let before = Balances::balance(&WORKERS[0]);
		assert_ok!(Rewards::claim_rewards(RuntimeOrigin::signed(WORKERS[0]), 0));
		assert_eq!(Balances::balance(&WORKERS[0]), before);
		assert!(events().contains(&Event::RewardsClaimed { era: 0, who: WORKERS[0], amount: 0 }));
		assert!(!has_points(0, WORKERS[0]));
		run_to(10 * ERA);
		assert_eq!(Balances::total_issuance(), genesis);
	});
}
