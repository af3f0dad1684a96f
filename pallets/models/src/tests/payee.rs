//! `set_contributor_payee`: where royalties go.

use super::*;
use crate::{Error, Event, Pallet};
use frame_support::{assert_noop, assert_ok};
use sp_runtime::DispatchError;
use verinfer_primitives::ModelRegistry;

#[test]
fn a_contributor_redirects_its_royalties() {
	new_test_ext().execute_with(|| {
		assert_ok!(Pallet::<Test>::register_model(
			RuntimeOrigin::signed(1),
			Box::new(spec("digits"))
		));
		assert_ok!(Pallet::<Test>::approve_model(RuntimeOrigin::root(), 0));
		assert_ok!(Pallet::<Test>::set_contributor_payee(RuntimeOrigin::signed(2), 0, 4));
		let royalties =
			<Pallet<Test> as ModelRegistry<u64, u64>>::model(0).unwrap().spec.contributors;
		assert_eq!((royalties[0].who, royalties[0].payee), (2, 4));
		assert_eq!(
			events().last(),
			Some(&Event::ContributorPayeeSet { model: 0, contributor: 2, payee: 4 })
		);
		// Still allowed after deprecation: running jobs pay royalties.
		assert_ok!(Pallet::<Test>::deprecate_model(RuntimeOrigin::root(), 0));
		assert_ok!(Pallet::<Test>::set_contributor_payee(RuntimeOrigin::signed(2), 0, 3));
		assert_conserved();
	});
}

#[test]
fn only_a_contributor_of_a_known_model_may_set_a_payee() {
	new_test_ext().execute_with(|| {
		assert_ok!(Pallet::<Test>::register_model(
			RuntimeOrigin::signed(1),
			Box::new(spec("digits"))
		));
		assert_noop!(
			Pallet::<Test>::set_contributor_payee(RuntimeOrigin::root(), 0, 4),
			DispatchError::BadOrigin
		);
		// The owner is not a contributor of this model.
		assert_noop!(
			Pallet::<Test>::set_contributor_payee(RuntimeOrigin::signed(1), 0, 4),
			Error::<Test>::NotContributor
		);
		assert_noop!(
			Pallet::<Test>::set_contributor_payee(RuntimeOrigin::signed(2), 9, 4),
			Error::<Test>::UnknownModel
		);
	});
}
