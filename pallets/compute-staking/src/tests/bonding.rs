//! `bond_worker`, `bond_auditor` and `bond_extra`.

use super::*;
use crate::{ActiveAuditors, ActiveWorkers, Error, Event, Role};
use frame_support::{assert_noop, assert_ok};
use sp_runtime::DispatchError;
use verinfer_primitives::ComputeStakingInterface;

type Staking = Pallet<Test>;

#[test]
fn a_worker_bonds_and_joins_its_models_sets() {
	new_test_ext().execute_with(|| {
		worker(1, 150, &[0, 1]);
		let ledger = Ledgers::<Test>::get(1).unwrap();
		assert_eq!((ledger.active, ledger.on_duty), (150, true));
		assert!(matches!(&ledger.role, Role::Worker(p) if p.price == 7));
		assert_eq!(ActiveWorkers::<Test>::get(0).into_inner(), vec![1]);
		assert_eq!(ActiveWorkers::<Test>::get(1).into_inner(), vec![1]);
		assert!(Staking::is_active_worker(&1, 0));
		assert!(!Staking::is_active_worker(&1, 2));
		assert_eq!(Staking::worker_terms(&1).map(|t| t.price), Some(7));
		assert_eq!(bonded(1), 150);
		assert_eq!(
			events(),
			vec![Event::WorkerBonded { who: 1, amount: 150, models: models(&[0, 1]), capacity: 8 }]
		);
		assert_conserved();
	});
}

#[test]
fn an_auditor_bonds_and_joins_the_auditor_set() {
	new_test_ext().execute_with(|| {
		auditor(2, MIN_AUDITOR);
		assert_eq!(ActiveAuditors::<Test>::get().into_inner(), vec![2]);
		assert!(Staking::is_active_auditor(&2));
		assert_eq!(Staking::worker_terms(&2).map(|t| t.price), None);
		assert_eq!(Staking::stake(&2), MIN_AUDITOR);
		assert_eq!(events(), vec![Event::AuditorBonded { who: 2, amount: MIN_AUDITOR }]);
		assert_conserved();
	});
}

#[test]
fn bonding_needs_a_signed_origin() {
	new_test_ext().execute_with(|| {
		assert_noop!(Staking::bond_auditor(RuntimeOrigin::root(), 500), DispatchError::BadOrigin);
		assert_noop!(
			Staking::bond_worker(
				RuntimeOrigin::none(),
				500,
				models(&[0]),
				1,
				Default::default(),
				8
			),
			DispatchError::BadOrigin
		);
		assert_noop!(Staking::bond_extra(RuntimeOrigin::root(), 5), DispatchError::BadOrigin);
	});
}

#[test]
fn one_bond_per_account() {
	new_test_ext().execute_with(|| {
		worker(1, 150, &[0]);
		assert_noop!(
			Staking::bond_auditor(RuntimeOrigin::signed(1), 500),
			Error::<Test>::AlreadyBonded
		);
		assert_noop!(
			Staking::bond_worker(
				RuntimeOrigin::signed(1),
				500,
				models(&[1]),
				1,
				Default::default(),
				8
			),
			Error::<Test>::AlreadyBonded
		);
	});
}

#[test]
fn a_bond_must_meet_the_minimum_and_be_affordable() {
	new_test_ext().execute_with(|| {
		assert_noop!(
			Staking::bond_worker(
				RuntimeOrigin::signed(1),
				MIN_WORKER - 1,
				models(&[0]),
				1,
				Default::default(),
				8
			),
			Error::<Test>::BelowMinimumStake
		);
		assert_noop!(
			Staking::bond_auditor(RuntimeOrigin::signed(1), MIN_AUDITOR - 1),
			Error::<Test>::BelowMinimumStake
		);
		// The existential deposit stays free.
		assert_noop!(
			Staking::bond_auditor(RuntimeOrigin::signed(1), ENDOWMENT),
			Error::<Test>::InsufficientBalance
		);
		assert_noop!(
			Staking::bond_auditor(RuntimeOrigin::signed(77), MIN_AUDITOR),
			Error::<Test>::InsufficientBalance
		);
	});
}

#[test]
fn a_worker_serves_approved_distinct_models() {
	new_test_ext().execute_with(|| {
		let bond = |ids: &[u32]| {
			Staking::bond_worker(
				RuntimeOrigin::signed(1),
				150,
				models(ids),
				1,
				Default::default(),
				8,
			)
		};
		assert_noop!(bond(&[]), Error::<Test>::NoModels);
		assert_noop!(bond(&[0, 1, 0]), Error::<Test>::DuplicateModel);
		assert_noop!(bond(&[0, PROPOSED_MODEL]), Error::<Test>::ModelNotApproved);
		assert_noop!(bond(&[UNKNOWN_MODEL]), Error::<Test>::ModelNotApproved);
	});
}

#[test]
fn active_sets_are_bounded() {
	new_test_ext().execute_with(|| {
		for who in 1..=3 {
			worker(who, 150, &[0]);
			auditor(who + 3, MIN_AUDITOR);
		}
		assert_noop!(
			Staking::bond_worker(
				RuntimeOrigin::signed(7),
				150,
				models(&[1, 0]),
				1,
				Default::default(),
				8
			),
			Error::<Test>::TooManyWorkers
		);
		assert_noop!(
			Staking::bond_auditor(RuntimeOrigin::signed(7), MIN_AUDITOR),
			Error::<Test>::TooManyAuditors
		);
		assert_eq!(Staking::active_workers(0).len(), 3);
		assert_eq!(Staking::active_auditors().len(), 3);
		assert_conserved();
	});
}

#[test]
fn bond_extra_adds_to_the_active_bond() {
	new_test_ext().execute_with(|| {
		auditor(2, MIN_AUDITOR);
		assert_ok!(Staking::bond_extra(RuntimeOrigin::signed(2), 50));
		assert_eq!(Ledgers::<Test>::get(2).unwrap().active, MIN_AUDITOR + 50);
		assert_eq!(bonded(2), MIN_AUDITOR + 50);
		assert_eq!(events().last(), Some(&Event::BondedExtra { who: 2, amount: 50 }));
		assert_noop!(Staking::bond_extra(RuntimeOrigin::signed(2), 0), Error::<Test>::ZeroAmount);
		assert_noop!(Staking::bond_extra(RuntimeOrigin::signed(3), 5), Error::<Test>::NotBonded);
		assert_noop!(
			Staking::bond_extra(RuntimeOrigin::signed(2), ENDOWMENT),
			Error::<Test>::InsufficientBalance
		);
		assert_conserved();
	});
}

#[test]
fn a_worker_declares_a_capacity_within_range() {
	new_test_ext().execute_with(|| {
		let bond = |capacity| {
			Staking::bond_worker(
				RuntimeOrigin::signed(1),
				150,
				models(&[0]),
				1,
				Default::default(),
				capacity,
			)
		};
		assert_noop!(bond(0), Error::<Test>::CapacityOutOfRange);
		assert_noop!(bond(65), Error::<Test>::CapacityOutOfRange);
		assert_ok!(bond(64));
		assert_eq!(Staking::worker_terms(&1).map(|t| t.capacity), Some(64));
		let update = |capacity| {
			Staking::update_worker(
				RuntimeOrigin::signed(1),
				models(&[0]),
				1,
				Default::default(),
				capacity,
			)
		};
		assert_noop!(update(0), Error::<Test>::CapacityOutOfRange);
		assert_ok!(update(3));
		assert_eq!(Staking::worker_terms(&1).map(|t| t.capacity), Some(3));
		assert!(Staking::is_active_worker(&1, 0), "a new capacity keeps the worker on duty");
		assert_conserved();
	});
}
