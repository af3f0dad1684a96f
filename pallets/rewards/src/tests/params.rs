//! The parameters: only `ParamsOrigin` sets them, within range, and they apply from the
//! next era close.

use super::*;
use crate::{EraStart, Error, Event, Params};
use frame_support::{assert_noop, assert_ok};
use sp_runtime::{DispatchError, Perbill};

#[test]
fn params_are_range_checked_and_only_governance_sets_them() {
	new_test_ext().execute_with(|| {
		let p = params();
		assert_noop!(
			Rewards::set_params(RuntimeOrigin::signed(WORKERS[0]), p.clone()),
			DispatchError::BadOrigin
		);
		let mut short = p.clone();
		short.era_length = 1;
		assert_noop!(Rewards::set_params(RuntimeOrigin::root(), short), Error::<Test>::EraTooShort);
		let mut rich = p.clone();
		rich.emission_per_era = 1_000_001;
		assert_noop!(
			Rewards::set_params(RuntimeOrigin::root(), rich),
			Error::<Test>::EmissionTooHigh
		);
		let mut greedy = p.clone();
		greedy.contributor_share = Perbill::from_percent(21);
		assert_noop!(
			Rewards::set_params(RuntimeOrigin::root(), greedy),
			Error::<Test>::SharesAbove100Percent
		);
		let mut all = p.clone();
		all.worker_share = Perbill::one();
		all.auditor_share = Perbill::one();
		all.contributor_share = Perbill::one();
		assert_noop!(
			Rewards::set_params(RuntimeOrigin::root(), all),
			Error::<Test>::SharesAbove100Percent
		);

		let mut fine = p;
		fine.era_length = 2;
		fine.emission_per_era = 1_000_000;
		fine.contributor_share = Perbill::zero();
		assert_ok!(Rewards::set_params(RuntimeOrigin::root(), fine.clone()));
		assert_eq!(Params::<Test>::get(), Some(fine.clone()));
		assert!(events().contains(&Event::ParamsSet { params: fine }));
	});
}

#[test]
fn shares_below_the_whole_mint_less() {
	new_test_ext().execute_with(|| {
		let genesis = Balances::total_issuance();
		let mut p = params();
		p.auditor_share = Perbill::zero();
		assert_ok!(Rewards::set_params(RuntimeOrigin::root(), p));
		delivered(WORKERS[0], WITH_CONTRIBUTORS, 10);
		audited(AUDITORS[0]);
		run_to(ERA);
		// 50 % to the workers, 20 % to the contributors, nothing to the auditors.
		assert_eq!(Balances::total_issuance(), genesis + 7_000);
		assert_eq!(Rewards::claimable(0, &AUDITORS[0]), 0);
	});
}

#[test]
fn the_first_parameters_start_the_first_era() {
	new_test_ext_with(None).execute_with(|| {
		run_to(25);
		assert_ok!(Rewards::set_params(RuntimeOrigin::root(), params()));
		assert_eq!(EraStart::<Test>::get(), 25);
		delivered(WORKERS[0], WITHOUT_CONTRIBUTORS, 1);
		run_to(25 + ERA - 1);
		assert_eq!(crate::CurrentEra::<Test>::get(), 0);
		run_to(25 + ERA);
		assert_eq!(crate::CurrentEra::<Test>::get(), 1);
		assert_eq!(Rewards::claimable(0, &WORKERS[0]), 5_000);
		// Setting them again does not restart the era.
		assert_ok!(Rewards::set_params(RuntimeOrigin::root(), params()));
		assert_eq!(EraStart::<Test>::get(), 25 + ERA);
	});
}

#[test]
fn a_new_era_length_counts_from_the_start_of_the_current_era() {
	new_test_ext().execute_with(|| {
		run_to(ERA + 3);
		let mut p = params();
		p.era_length = 5;
		assert_ok!(Rewards::set_params(RuntimeOrigin::root(), p));
		run_to(ERA + 4);
		assert_eq!(crate::CurrentEra::<Test>::get(), 1);
		run_to(ERA + 5);
		assert_eq!(crate::CurrentEra::<Test>::get(), 2);
	});
}
