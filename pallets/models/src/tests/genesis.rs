//! Models registered at genesis.

use super::*;
use crate::Pallet;
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
	let _ = sp_runtime::BuildStorage::build_storage(&crate::GenesisConfig::<Test> {
		models: vec![(1, bad)],
	});
}
