//! Approve, reject and deprecate: governance's side of the lifecycle.

use super::*;
use crate::{Error, Event, ModelIdByName, Pallet};
use frame_support::{assert_noop, assert_ok};
use sp_runtime::DispatchError;
use verinfer_primitives::{ModelRegistry, ModelStatus};

/// The pallet through its `ModelRegistry` interface.
type Registry = Pallet<Test>;

/// A model's status as other pallets read it.
fn status(id: u32) -> Option<ModelStatus> {
	<Registry as ModelRegistry<u64, u64>>::model(id).map(|m| m.status)
}

/// Whether other pallets see the model taking jobs.
fn accepts_jobs(id: u32) -> bool {
	<Registry as ModelRegistry<u64, u64>>::model(id).is_some_and(|m| m.accepts_jobs())
}

fn proposal() -> u32 {
	assert_ok!(Pallet::<Test>::register_model(RuntimeOrigin::signed(1), Box::new(spec("digits"))));
	0
}

#[test]
fn approval_makes_a_model_take_jobs() {
	new_test_ext().execute_with(|| {
		let id = proposal();
		assert_ok!(Pallet::<Test>::approve_model(RuntimeOrigin::root(), id));
		assert_eq!(status(id), Some(ModelStatus::Approved));
		assert!(accepts_jobs(id));
		// The deposit stays on hold while the model is in service.
		assert_eq!(held(1), DEPOSIT);
		assert_eq!(events().last(), Some(&Event::ModelApproved { model: id }));
		assert_conserved();
	});
}

#[test]
fn lifecycle_calls_need_the_model_origin() {
	new_test_ext().execute_with(|| {
		let id = proposal();
		let signed = RuntimeOrigin::signed(1);
		assert_noop!(Pallet::<Test>::approve_model(signed.clone(), id), DispatchError::BadOrigin);
		assert_noop!(Pallet::<Test>::reject_model(signed.clone(), id), DispatchError::BadOrigin);
		assert_noop!(Pallet::<Test>::deprecate_model(signed, id), DispatchError::BadOrigin);
	});
}

#[test]
fn lifecycle_calls_need_a_known_model() {
	new_test_ext().execute_with(|| {
		let root = RuntimeOrigin::root();
		assert_noop!(Pallet::<Test>::approve_model(root.clone(), 9), Error::<Test>::UnknownModel);
		assert_noop!(Pallet::<Test>::reject_model(root.clone(), 9), Error::<Test>::UnknownModel);
		assert_noop!(Pallet::<Test>::deprecate_model(root, 9), Error::<Test>::UnknownModel);
	});
}

#[test]
fn only_proposals_are_approved_or_rejected() {
	new_test_ext().execute_with(|| {
		let id = proposal();
		let root = RuntimeOrigin::root();
		assert_ok!(Pallet::<Test>::approve_model(root.clone(), id));
		assert_noop!(Pallet::<Test>::approve_model(root.clone(), id), Error::<Test>::NotProposed);
		assert_noop!(Pallet::<Test>::reject_model(root.clone(), id), Error::<Test>::NotProposed);
		assert_ok!(Pallet::<Test>::deprecate_model(root.clone(), id));
		assert_noop!(Pallet::<Test>::approve_model(root.clone(), id), Error::<Test>::NotProposed);
		assert_noop!(Pallet::<Test>::reject_model(root, id), Error::<Test>::NotProposed);
	});
}

#[test]
fn rejection_deletes_the_proposal_and_pays_the_treasury() {
	new_test_ext().execute_with(|| {
		let id = proposal();
		assert_ok!(Pallet::<Test>::reject_model(RuntimeOrigin::root(), id));
		assert_eq!(status(id), None);
		assert!(ModelIdByName::<Test>::iter().next().is_none());
		assert_eq!(held(1), 0);
		assert_eq!(Balances::total_balance(&1), ENDOWMENT - DEPOSIT);
		assert_eq!(Balances::total_balance(&POT), ED + DEPOSIT);
		assert_eq!(events().last(), Some(&Event::ModelRejected { model: id, slashed: DEPOSIT }));
		assert_conserved();
		// The name and version are free again.
		assert_ok!(Pallet::<Test>::register_model(
			RuntimeOrigin::signed(3),
			Box::new(spec("digits"))
		));
		assert_eq!(status(1), Some(ModelStatus::Proposed));
	});
}

#[test]
fn deprecation_keeps_the_entry_and_returns_the_deposit() {
	new_test_ext().execute_with(|| {
		let id = proposal();
		assert_noop!(
			Pallet::<Test>::deprecate_model(RuntimeOrigin::root(), id),
			Error::<Test>::NotApproved
		);
		assert_ok!(Pallet::<Test>::approve_model(RuntimeOrigin::root(), id));
		assert_ok!(Pallet::<Test>::deprecate_model(RuntimeOrigin::root(), id));
		assert_eq!(status(id), Some(ModelStatus::Deprecated));
		assert!(!accepts_jobs(id));
		// Jobs still running can read everything they need.
		// Everything running jobs need stays readable: the registered description, whole.
		let view = <Registry as ModelRegistry<u64, u64>>::model(id).expect("still registered");
		assert_eq!(view.spec, spec("digits"));
		assert_eq!(held(1), 0);
		assert_eq!(Balances::total_balance(&1), ENDOWMENT);
		assert_eq!(
			events().last(),
			Some(&Event::ModelDeprecated { model: id, deposit_returned: DEPOSIT })
		);
		assert_noop!(
			Pallet::<Test>::deprecate_model(RuntimeOrigin::root(), id),
			Error::<Test>::NotApproved
		);
		assert_conserved();
	});
}

#[test]
fn governance_tunes_tolerances_but_never_the_kind_of_verification() {
	use sp_runtime::Perbill;
	use verinfer_primitives::{GenerationTolerance, VerificationClass};
	new_test_ext().execute_with(|| {
		let tolerance = GenerationTolerance {
			max_gap: 50,
			soft_misses: Perbill::from_percent(2),
			fingerprint_max_diff: 250,
			fingerprint_min_overlap: 5,
		};
		let mut llm = spec("llm");
		llm.verification = VerificationClass::Generation(tolerance);
		assert_noop!(
			Pallet::<Test>::register_model(RuntimeOrigin::signed(1), Box::new(llm.clone())),
			Error::<Test>::GenerationNotOfFamily
		);
		llm.family = verinfer_primitives::ModelFamily::Llama;
		llm.weights_format = verinfer_primitives::WeightsFormat::Gguf;
		assert_ok!(Pallet::<Test>::register_model(RuntimeOrigin::signed(1), Box::new(llm)));
		let id = 0;
		let tighter =
			VerificationClass::Generation(GenerationTolerance { max_gap: 20, ..tolerance });
		assert_noop!(
			Pallet::<Test>::set_verification(RuntimeOrigin::signed(1), id, tighter),
			DispatchError::BadOrigin
		);
		assert_ok!(Pallet::<Test>::set_verification(RuntimeOrigin::root(), id, tighter));
		assert_eq!(
			<Registry as ModelRegistry<u64, u64>>::model(id).map(|m| m.spec.verification),
			Some(tighter)
		);
		assert_eq!(
			events().last(),
			Some(&Event::VerificationSet { model: id, verification: tighter })
		);
		assert_noop!(
			Pallet::<Test>::set_verification(RuntimeOrigin::root(), id, VerificationClass::Exact),
			Error::<Test>::VerificationKindChanged
		);
		let zero = VerificationClass::Generation(GenerationTolerance { max_gap: 0, ..tolerance });
		assert_noop!(
			Pallet::<Test>::set_verification(RuntimeOrigin::root(), id, zero),
			Error::<Test>::InvalidTolerance
		);
		assert_noop!(
			Pallet::<Test>::set_verification(RuntimeOrigin::root(), 9, tighter),
			Error::<Test>::UnknownModel
		);
	});
}
