//! Models registered at genesis.

use super::*;
use crate::Pallet;
use sp_runtime::BuildStorage;
use verinfer_primitives::{ModelRegistry, ModelStatus};

#[test]
fn genesis_models_are_approved_without_a_deposit() {
	ext(true).execute_with(|| {
		let registry = <Pallet<Test> as ModelRegistry<u64, u64>>::model(0).map(|m| m.status);
		assert_eq!(registry, Some(ModelStatus::Approved));
		let info = Models::<Test>::get(0).unwrap();
		assert_eq!((info.owner, info.deposit, info.registered_at), (5, 0, 0));
		assert_eq!(held(5), 0);
		assert_eq!(crate::NextModelId::<Test>::get(), 1);
		assert_conserved();
	});
}

#[test]
#[should_panic(expected = "genesis model")]
fn an_invalid_genesis_model_aborts_genesis() {
	let mut bad = spec("bad");
	bad.input.max_bytes = 1;
	let _ = BuildStorage::build_storage(&crate::GenesisConfig::<Test> {
		models: vec![(1, bad)],
		proposed: vec![],
	});
}

#[test]
fn genesis_proposals_await_governance_after_the_approved_models() {
	let mut storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
	crate::GenesisConfig::<Test> {
		models: vec![(5, spec("approved"))],
		proposed: vec![(4, spec("proposed"))],
	}
	.assimilate_storage(&mut storage)
	.unwrap();
	sp_io::TestExternalities::new(storage).execute_with(|| {
		let status = |id| Models::<Test>::get(id).map(|m| (m.owner, m.deposit, m.status));
		assert_eq!(status(0), Some((5, 0, ModelStatus::Approved)));
		assert_eq!(status(1), Some((4, 0, ModelStatus::Proposed)));
		assert_eq!(crate::NextModelId::<Test>::get(), 2);
		// A proposal takes no jobs until governance approves it.
		let view = <Pallet<Test> as ModelRegistry<u64, u64>>::model(1).unwrap();
		assert!(!view.accepts_jobs());
	});
}
