//! `chill`, `activate`, `chill_other` and `update_worker`.

use super::*;
use crate::{ActiveAuditors, ActiveWorkers, Error, Event, MinWorkerStake, Role};
use frame_support::{assert_noop, assert_ok};
use sp_runtime::DispatchError;
use verinfer_primitives::ComputeStakingInterface;

type Staking = Pallet<Test>;

#[test]
fn chill_and_activate_move_an_account_out_of_and_into_duty() {
	new_test_ext().execute_with(|| {
		worker(1, 150, &[0, 1]);
		auditor(2, MIN_AUDITOR);
		assert_ok!(Staking::chill(RuntimeOrigin::signed(1)));
		assert_ok!(Staking::chill(RuntimeOrigin::signed(2)));
		assert!(!Staking::is_active_worker(&1, 0));
		assert!(!Staking::is_active_auditor(&2));
		assert_eq!(Staking::active_workers(0).len(), 0);
		assert!(ActiveAuditors::<Test>::get().is_empty());
		assert_eq!(events().last(), Some(&Event::Chilled { who: 2 }));
		// Still bonded, still slashable.
		assert_eq!(Staking::stake(&1), 150);
		assert_conserved();

		assert_ok!(Staking::activate(RuntimeOrigin::signed(1)));
		assert_ok!(Staking::activate(RuntimeOrigin::signed(2)));
		assert_eq!(Staking::active_workers(1), vec![1]);
		assert_eq!(Staking::active_auditors(), vec![2]);
		assert_eq!(events().last(), Some(&Event::Activated { who: 2 }));
		assert_conserved();
	});
}

#[test]
fn chill_and_activate_check_state() {
	new_test_ext().execute_with(|| {
		assert_noop!(Staking::chill(RuntimeOrigin::root()), DispatchError::BadOrigin);
		assert_noop!(Staking::activate(RuntimeOrigin::root()), DispatchError::BadOrigin);
		assert_noop!(Staking::chill(RuntimeOrigin::signed(1)), Error::<Test>::NotBonded);
		assert_noop!(Staking::activate(RuntimeOrigin::signed(1)), Error::<Test>::NotBonded);
		worker(1, 150, &[0]);
		assert_noop!(Staking::activate(RuntimeOrigin::signed(1)), Error::<Test>::AlreadyActive);
		assert_ok!(Staking::chill(RuntimeOrigin::signed(1)));
		assert_noop!(Staking::chill(RuntimeOrigin::signed(1)), Error::<Test>::AlreadyChilled);
	});
}

#[test]
fn activation_needs_the_minimum_and_room() {
	new_test_ext().execute_with(|| {
		worker(1, 150, &[0]);
		assert_ok!(Staking::chill(RuntimeOrigin::signed(1)));
		MinWorkerStake::<Test>::put(151);
		assert_noop!(Staking::activate(RuntimeOrigin::signed(1)), Error::<Test>::BelowMinimumStake);
		MinWorkerStake::<Test>::put(MIN_WORKER);
		for who in 2..=4 {
			worker(who, 150, &[0]);
		}
		assert_noop!(Staking::activate(RuntimeOrigin::signed(1)), Error::<Test>::TooManyWorkers);
	});
}

#[test]
fn anyone_chills_an_account_below_a_raised_minimum() {
	new_test_ext().execute_with(|| {
		worker(1, 150, &[0]);
		assert_noop!(
			Staking::chill_other(RuntimeOrigin::signed(9), 1),
			Error::<Test>::CannotChillOther
		);
		MinWorkerStake::<Test>::put(200);
		assert_noop!(Staking::chill_other(RuntimeOrigin::root(), 1), DispatchError::BadOrigin);
		assert_noop!(Staking::chill_other(RuntimeOrigin::signed(9), 2), Error::<Test>::NotBonded);
		assert_ok!(Staking::chill_other(RuntimeOrigin::signed(9), 1));
		assert!(!Staking::is_active_worker(&1, 0));
		assert_eq!(events().last(), Some(&Event::Chilled { who: 1 }));
		assert_noop!(
			Staking::chill_other(RuntimeOrigin::signed(9), 1),
			Error::<Test>::AlreadyChilled
		);
		assert_conserved();
	});
}

#[test]
fn an_active_worker_moves_to_its_new_models() {
	new_test_ext().execute_with(|| {
		worker(1, 150, &[0, 1]);
		assert_ok!(Staking::update_worker(
			RuntimeOrigin::signed(1),
			models(&[1, 2]),
			9,
			b"gpu=H100".to_vec().try_into().unwrap(),
			8
		));
		assert!(!ActiveWorkers::<Test>::contains_key(0));
		assert_eq!(Staking::active_workers(1), vec![1]);
		assert_eq!(Staking::active_workers(2), vec![1]);
		assert_eq!(Staking::worker_terms(&1).map(|t| t.price), Some(9));
		let ledger = Ledgers::<Test>::get(1).unwrap();
		assert!(
			matches!(&ledger.role, Role::Worker(p) if p.endpoint.to_vec() == b"gpu=H100".to_vec())
		);
		assert_eq!(
			events().last(),
			Some(&Event::WorkerUpdated { who: 1, models: models(&[1, 2]), price: 9, capacity: 8 })
		);
		assert_conserved();
	});
}

#[test]
fn a_chilled_worker_updates_without_joining_sets() {
	new_test_ext().execute_with(|| {
		worker(1, 150, &[0]);
		assert_ok!(Staking::chill(RuntimeOrigin::signed(1)));
		assert_ok!(Staking::update_worker(
			RuntimeOrigin::signed(1),
			models(&[3]),
			1,
			Default::default(),
			8
		));
		assert_eq!(Staking::active_workers(3).len(), 0);
		assert_conserved();
	});
}

#[test]
fn update_worker_checks_its_input() {
	new_test_ext().execute_with(|| {
		let update = |who: u64, ids: &[u32]| {
			Staking::update_worker(
				RuntimeOrigin::signed(who),
				models(ids),
				1,
				Default::default(),
				8,
			)
		};
		assert_noop!(
			Staking::update_worker(RuntimeOrigin::root(), models(&[0]), 1, Default::default(), 8),
			DispatchError::BadOrigin
		);
		assert_noop!(update(1, &[0]), Error::<Test>::NotBonded);
		auditor(2, MIN_AUDITOR);
		assert_noop!(update(2, &[0]), Error::<Test>::NotWorker);
		worker(1, 150, &[0]);
		assert_noop!(update(1, &[]), Error::<Test>::NoModels);
		assert_noop!(update(1, &[4, 4]), Error::<Test>::DuplicateModel);
		assert_noop!(update(1, &[PROPOSED_MODEL]), Error::<Test>::ModelNotApproved);
		for who in 3..=5 {
			worker(who, 150, &[5]);
		}
		assert_noop!(update(1, &[5]), Error::<Test>::TooManyWorkers);
	});
}
