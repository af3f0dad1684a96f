//! A runtime for the Rewards tests: System, Balances and the real Models pallet, whose
//! registry supplies the contributors and royalty shares. The tests drive the
//! [`verinfer_primitives::RewardsHook`] as the Jobs pallet does when it settles a job.
//!
//! Accounts: 1 to 4 workers, 11 to 14 auditors, 21 and 22 contributors (payees 31 and 32),
//! 9 a model owner, 999 the treasury. Model 0 names both contributors (30 % and 10 %),
//! model 1 names none.

use crate as pallet_rewards;
use crate::RewardParams;
use frame_support::{
	derive_impl, parameter_types,
	traits::{tokens::imbalance::ResolveTo, ConstU32, ConstU64, Hooks},
	PalletId,
};
use frame_system::EnsureRoot;
use sp_runtime::{BuildStorage, Perbill};
use verinfer_primitives::{Contributor, ModelSpec, SpecBuilder};

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
	#[runtime::pallet_index(3)]
	pub type Rewards = pallet_rewards;
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
	type RuntimeHoldReason = RuntimeHoldReason;
}

pub const ED: u64 = 5;
pub const ENDOWMENT: u64 = 1_000;
pub const TREASURY: u64 = 999;
pub const WORKERS: [u64; 4] = [1, 2, 3, 4];
pub const AUDITORS: [u64; 4] = [11, 12, 13, 14];
pub const CONTRIBUTORS: [u64; 2] = [21, 22];
pub const PAYEES: [u64; 2] = [31, 32];
pub const WITH_CONTRIBUTORS: u32 = 0;
pub const WITHOUT_CONTRIBUTORS: u32 = 1;
pub const ERA: u64 = 10;
pub const EMISSION: u64 = 10_000;
pub const HISTORY: u32 = 3;

parameter_types! {
	pub const Treasury: u64 = TREASURY;
	pub const RewardsPalletId: PalletId = PalletId(*b"py/rewrd");
}

impl pallet_models::Config for Test {
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type ModelDeposit = ConstU64<100>;
	type ModelOrigin = EnsureRoot<u64>;
	type OnRejected = ResolveTo<Treasury, Balances>;
	type WeightInfo = ();
}

impl pallet_rewards::Config for Test {
	type Currency = Balances;
	type Models = Models;
	type ParamsOrigin = EnsureRoot<u64>;
	type TreasuryAccount = Treasury;
	type PalletId = RewardsPalletId;
	type HistoryDepth = ConstU32<HISTORY>;
	type MinEraLength = ConstU64<2>;
	type MaxEmissionPerEra = ConstU64<1_000_000>;
	type MaxCleanupPerBlock = ConstU32<2>;
	type WeightInfo = ();
}

/// The parameters the tests start with: half to the workers, 30 % to the auditors, 20 % to
/// the contributors.
pub fn params() -> crate::RewardParamsOf<Test> {
	RewardParams {
		era_length: ERA,
		emission_per_era: EMISSION,
		worker_share: Perbill::from_percent(50),
		auditor_share: Perbill::from_percent(30),
		contributor_share: Perbill::from_percent(20),
	}
}

fn spec(name: &[u8], contributors: Vec<Contributor<u64>>) -> ModelSpec<u64, u64> {
	SpecBuilder::new(name, 100).contributors(contributors).build()
}

/// The test externalities with the stream's parameters at genesis, or none.
pub fn new_test_ext_with(params: Option<crate::RewardParamsOf<Test>>) -> sp_io::TestExternalities {
	let mut storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
	let accounts = WORKERS.into_iter().chain(AUDITORS).chain(CONTRIBUTORS).chain([9, TREASURY]);
	pallet_balances::GenesisConfig::<Test> {
		balances: accounts.map(|who| (who, ENDOWMENT)).collect(),
		..Default::default()
	}
	.assimilate_storage(&mut storage)
	.unwrap();
	let contributor = |i: usize, percent| Contributor {
		who: CONTRIBUTORS[i],
		payee: PAYEES[i],
		share: Perbill::from_percent(percent),
	};
	pallet_models::GenesisConfig::<Test> {
		models: vec![
			(9, spec(b"credited", vec![contributor(0, 30), contributor(1, 10)])),
			(9, spec(b"anonymous", vec![])),
		],
		proposed: vec![],
	}
	.assimilate_storage(&mut storage)
	.unwrap();
	pallet_rewards::GenesisConfig::<Test> { params }
		.assimilate_storage(&mut storage)
		.unwrap();
	let mut ext = sp_io::TestExternalities::new(storage);
	ext.execute_with(|| System::set_block_number(1));
	ext
}

/// The test externalities with [`params`] at genesis.
pub fn new_test_ext() -> sp_io::TestExternalities {
	new_test_ext_with(Some(params()))
}

/// Runs blocks up to and including `n`, with the Rewards hooks.
pub fn run_to(n: u64) {
	while System::block_number() < n {
		let next = System::block_number() + 1;
		System::set_block_number(next);
		Rewards::on_initialize(next);
		Rewards::on_idle(next, frame_support::weights::Weight::MAX);
	}
}

/// The Rewards events so far, oldest first.
pub fn events() -> Vec<pallet_rewards::Event<Test>> {
	System::events()
		.into_iter()
		.filter_map(|r| match r.event {
			RuntimeEvent::Rewards(e) => Some(e),
			_ => None,
		})
		.collect()
}
