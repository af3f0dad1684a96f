//! `register_model`: the success path and each error.

use super::*;
use crate::{Error, Event, ModelIdByName, NextModelId};
use frame_support::{assert_noop, assert_ok, traits::fungible::Mutate};
use sp_runtime::{DispatchError, Perbill};
use verinfer_primitives::{
	Contributor, ElementType, ModelRegistry, ModelStatus, VerificationClass, MAX_TENSOR_BYTES,
};

fn register(
	who: u64,
	spec: verinfer_primitives::ModelSpec<u64, u64>,
) -> sp_runtime::DispatchResult {
	crate::Pallet::<Test>::register_model(RuntimeOrigin::signed(who), Box::new(spec))
}

#[test]
fn registers_a_proposal_and_holds_the_deposit() {
	new_test_ext().execute_with(|| {
		assert_ok!(register(1, spec("digits")));
		let info = Models::<Test>::get(0).unwrap();
		assert_eq!(info.owner, 1);
		assert_eq!(info.deposit, DEPOSIT);
		assert_eq!(info.status, ModelStatus::Proposed);
		assert_eq!(info.registered_at, 1);
		assert_eq!(info.spec, spec("digits"));
		assert_eq!(held(1), DEPOSIT);
		assert_eq!(NextModelId::<Test>::get(), 1);
		assert_eq!(ModelIdByName::<Test>::get((info.spec.name, info.spec.version)), Some(0));
		assert_eq!(events(), vec![Event::ModelRegistered { model: 0, owner: 1, deposit: DEPOSIT }]);
		// A proposal takes no jobs.
		assert!(!<crate::Pallet<Test> as ModelRegistry<u64, u64>>::model(0)
			.is_some_and(|m| m.accepts_jobs()));
		assert_conserved();
	});
}

#[test]
fn ids_are_sequential_and_a_new_version_is_a_new_model() {
	new_test_ext().execute_with(|| {
		assert_ok!(register(1, spec("digits")));
		let mut v2 = spec("digits");
		v2.version = b"2.0.0".to_vec().try_into().unwrap();
		assert_ok!(register(1, v2));
		assert_eq!(Models::<Test>::get(1).unwrap().spec.version.to_vec(), b"2.0.0".to_vec());
		assert_eq!(held(1), 2 * DEPOSIT);
		assert_conserved();
	});
}

#[test]
fn requires_a_signed_origin() {
	new_test_ext().execute_with(|| {
		assert_noop!(
			crate::Pallet::<Test>::register_model(RuntimeOrigin::root(), Box::new(spec("digits"))),
			DispatchError::BadOrigin
		);
	});
}

#[test]
fn rejects_a_duplicate_name_and_version() {
	new_test_ext().execute_with(|| {
		assert_ok!(register(1, spec("digits")));
		assert_noop!(register(3, spec("digits")), Error::<Test>::DuplicateModel);
	});
}

#[test]
fn rejects_royalties_above_the_whole_fee() {
	new_test_ext().execute_with(|| {
		let mut s = spec("digits");
		s.contributors = vec![
			Contributor { who: 2, payee: 2, share: Perbill::from_percent(60) },
			Contributor { who: 3, payee: 3, share: Perbill::from_percent(41) },
		]
		.try_into()
		.unwrap();
		assert_noop!(register(1, s.clone()), Error::<Test>::RoyaltiesExceedWholeFee);
		// Exactly 100 % is fine.
		s.contributors[1].share = Perbill::from_percent(40);
		assert_ok!(register(1, s));
	});
}

#[test]
fn rejects_a_duplicate_contributor() {
	new_test_ext().execute_with(|| {
		let mut s = spec("digits");
		s.contributors = vec![
			Contributor { who: 2, payee: 2, share: Perbill::from_percent(10) },
			Contributor { who: 2, payee: 3, share: Perbill::from_percent(10) },
		]
		.try_into()
		.unwrap();
		assert_noop!(register(1, s), Error::<Test>::DuplicateContributor);
	});
}

#[test]
fn rejects_empty_fields() {
	new_test_ext().execute_with(|| {
		let mut s = spec("digits");
		s.name = Default::default();
		assert_noop!(register(1, s), Error::<Test>::EmptyName);
		let mut s = spec("digits");
		s.version = Default::default();
		assert_noop!(register(1, s), Error::<Test>::EmptyVersion);
		let mut s = spec("digits");
		s.weights_location = Default::default();
		assert_noop!(register(1, s), Error::<Test>::EmptyWeightsLocation);
	});
}

#[test]
fn rejects_malformed_schemas() {
	new_test_ext().execute_with(|| {
		let mut s = spec("digits");
		s.input.max_bytes = 783;
		assert_noop!(register(1, s), Error::<Test>::InvalidInputSchema);
		let mut s = spec("digits");
		s.output.element = ElementType::Utf8;
		assert_noop!(register(1, s), Error::<Test>::InvalidOutputSchema);
		let mut s = spec("digits");
		s.input = verinfer_primitives::TensorSchema {
			element: ElementType::Utf8,
			shape: Default::default(),
			max_bytes: MAX_TENSOR_BYTES + 1,
		};
		assert_noop!(register(1, s), Error::<Test>::InvalidInputSchema);
	});
}

#[test]
fn rejects_a_meaningless_tolerance() {
	new_test_ext().execute_with(|| {
		let mut s = spec("minilm");
		s.verification =
			VerificationClass::Tolerance { max_abs: 0, min_cosine: Perbill::from_percent(99) };
		assert_noop!(register(1, s), Error::<Test>::InvalidTolerance);
	});
}

#[test]
fn rejects_an_owner_who_cannot_pay_the_deposit() {
	new_test_ext().execute_with(|| {
		assert_noop!(register(POOR, spec("digits")), Error::<Test>::InsufficientBalanceForDeposit);
		// The deposit may not take the account below the existential deposit either.
		Balances::set_balance(&POOR, DEPOSIT);
		assert_noop!(register(POOR, spec("digits")), Error::<Test>::InsufficientBalanceForDeposit);
	});
}

#[test]
fn rejects_when_ids_are_exhausted() {
	new_test_ext().execute_with(|| {
		NextModelId::<Test>::put(u32::MAX);
		assert_noop!(register(1, spec("digits")), Error::<Test>::ModelIdsExhausted);
	});
}

#[test]
fn rejects_weights_in_a_format_the_family_is_not_stored_in() {
	new_test_ext().execute_with(|| {
		let mut s = spec("llama");
		s.family = verinfer_primitives::ModelFamily::Llama;
		assert_noop!(register(1, s.clone()), Error::<Test>::WeightsFormatNotOfFamily);
		s.weights_format = verinfer_primitives::WeightsFormat::Gguf;
		assert_ok!(register(1, s));
	});
}
