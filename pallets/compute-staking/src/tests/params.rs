//! `set_min_stake` and `set_unbonding_delay`: governance's parameters.

use super::*;
use crate::{Error, Event, MinAuditorStake, MinWorkerStake, UnbondingDelay};
use frame_support::{assert_noop, assert_ok};
use sp_runtime::DispatchError;
use verinfer_primitives::RoleKind;

type Staking = Pallet<Test>;

#[test]
fn defaults_come_from_the_config() {
	new_test_ext().execute_with(|| {
		assert_eq!(MinWorkerStake::<Test>::get(), MIN_WORKER);
		assert_eq!(MinAuditorStake::<Test>::get(), MIN_AUDITOR);
		assert_eq!(UnbondingDelay::<Test>::get(), DELAY);
	});
}

#[test]
fn governance_sets_minimum_stakes_within_range() {
	new_test_ext().execute_with(|| {
		assert_ok!(Staking::set_min_stake(RuntimeOrigin::root(), RoleKind::Worker, 50));
		assert_ok!(Staking::set_min_stake(RuntimeOrigin::root(), RoleKind::Auditor, 5_000));
		assert_eq!(MinWorkerStake::<Test>::get(), 50);
		assert_eq!(MinAuditorStake::<Test>::get(), 5_000);
		assert_eq!(
			events().last(),
			Some(&Event::MinStakeSet { role: RoleKind::Auditor, amount: 5_000 })
		);
		assert_noop!(
			Staking::set_min_stake(RuntimeOrigin::root(), RoleKind::Worker, 49),
			Error::<Test>::MinStakeOutOfRange
		);
		assert_noop!(
			Staking::set_min_stake(RuntimeOrigin::root(), RoleKind::Worker, 5_001),
			Error::<Test>::MinStakeOutOfRange
		);
		assert_noop!(
			Staking::set_min_stake(RuntimeOrigin::signed(1), RoleKind::Worker, 60),
			DispatchError::BadOrigin
		);
	});
}

#[test]
fn the_unbonding_delay_never_undercuts_the_dispute_window() {
	new_test_ext().execute_with(|| {
		assert_ok!(Staking::set_unbonding_delay(RuntimeOrigin::root(), DISPUTE_WINDOW));
		assert_eq!(UnbondingDelay::<Test>::get(), DISPUTE_WINDOW);
		assert_eq!(events().last(), Some(&Event::UnbondingDelaySet { delay: DISPUTE_WINDOW }));
		assert_noop!(
			Staking::set_unbonding_delay(RuntimeOrigin::root(), DISPUTE_WINDOW - 1),
			Error::<Test>::UnbondingDelayBelowDisputeWindow
		);
		assert_noop!(
			Staking::set_unbonding_delay(RuntimeOrigin::signed(1), 100),
			DispatchError::BadOrigin
		);
	});
}

#[test]
fn a_new_delay_applies_to_later_unbonding() {
	new_test_ext().execute_with(|| {
		worker(1, 300, &[0]);
		assert_ok!(Staking::set_unbonding_delay(RuntimeOrigin::root(), 50));
		assert_ok!(Staking::unbond(RuntimeOrigin::signed(1), 10));
		let chunk = Ledgers::<Test>::get(1).unwrap().unlocking[0].clone();
		assert_eq!(chunk.unlock_at, 51);
	});
}

#[test]
fn the_config_passes_its_integrity_test() {
	use frame_support::traits::Hooks;
	<Staking as Hooks<u64>>::integrity_test();
}
