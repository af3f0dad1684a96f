//! A small runtime for the staking tests: System, Balances and ComputeStaking, with a mock
//! model registry. Account 999 is the treasury pot that slashes go to, so total issuance
//! never changes.

use crate as pallet_compute_staking;
use frame_support::{
	derive_impl, parameter_types,
	traits::{tokens::imbalance::ResolveTo, ConstU32, ConstU64},
};
use frame_system::EnsureRoot;
use sp_runtime::BuildStorage;
use verinfer_primitives::{ModelId, ModelRegistry, ModelStatus, ModelView, SpecBuilder};

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
	pub type ComputeStaking = pallet_compute_staking;
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
/// What each of accounts 1 to 9 starts with.
pub const ENDOWMENT: u64 = 10_000;
/// The treasury pot.
pub const POT: u64 = 999;
/// The default minimum worker stake.
pub const MIN_WORKER: u64 = 100;
/// The default minimum auditor stake.
pub const MIN_AUDITOR: u64 = 200;
/// The dispute window.
pub const DISPUTE_WINDOW: u64 = 10;
/// The default unbonding delay.
pub const DELAY: u64 = 20;
/// A model the mock registry knows but has not approved.
pub const PROPOSED_MODEL: ModelId = 100;
/// A model the mock registry does not know.
pub const UNKNOWN_MODEL: ModelId = 200;

parameter_types! {
	pub const Pot: u64 = POT;
}

/// Models below 100 are approved, 100 to 199 proposed, and the rest unknown.
pub struct MockRegistry;
impl ModelRegistry<u64, u64> for MockRegistry {
	fn model(model: ModelId) -> Option<ModelView<u64, u64>> {
		let status = match model {
			0..100 => ModelStatus::Approved,
			100..200 => ModelStatus::Proposed,
			_ => return None,
		};
		Some(ModelView { status, spec: SpecBuilder::new(b"mock", 0).build() })
	}
	#[cfg(feature = "runtime-benchmarks")]
	fn register_approved_for_benchmark(
		_owner: u64,
		_input: verinfer_primitives::TensorSchema,
		_output: verinfer_primitives::TensorSchema,
		_verification: verinfer_primitives::VerificationClass,
	) -> Option<ModelId> {
		// Each call gets the next approved id, so benchmarks get distinct models.
		NEXT_BENCH_MODEL.with(|n| {
			let id = *n.borrow();
			*n.borrow_mut() = (id + 1) % 100;
			Some(id)
		})
	}
}

#[cfg(feature = "runtime-benchmarks")]
std::thread_local! {
	static NEXT_BENCH_MODEL: core::cell::RefCell<ModelId> = const { core::cell::RefCell::new(0) };
}

impl pallet_compute_staking::Config for Test {
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type Models = MockRegistry;
	type ParamsOrigin = EnsureRoot<u64>;
	type DisputeWindow = ConstU64<DISPUTE_WINDOW>;
	type DefaultUnbondingDelay = ConstU64<DELAY>;
	type DefaultMinWorkerStake = ConstU64<MIN_WORKER>;
	type DefaultMinAuditorStake = ConstU64<MIN_AUDITOR>;
	type MinStakeFloor = ConstU64<50>;
	type MinStakeCeiling = ConstU64<5_000>;
	type MaxWorkersPerModel = ConstU32<3>;
	type MaxAuditors = ConstU32<3>;
	type MaxModelsPerWorker = ConstU32<4>;
	type MaxUnlockingChunks = ConstU32<3>;
	type MaxEndpointLen = ConstU32<32>;
	type MaxWorkerCapacity = ConstU32<64>;
	type Slash = ResolveTo<Pot, Balances>;
	type WeightInfo = ();
}

/// Accounts 1 to 9 endowed, the pot at the existential deposit.
pub fn new_test_ext() -> sp_io::TestExternalities {
	let mut storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
	pallet_balances::GenesisConfig::<Test> {
		balances: (1..=9).map(|who| (who, ENDOWMENT)).chain([(POT, ED)]).collect(),
		..Default::default()
	}
	.assimilate_storage(&mut storage)
	.unwrap();
	let mut ext = sp_io::TestExternalities::new(storage);
	ext.execute_with(|| {
		#[cfg(feature = "runtime-benchmarks")]
		NEXT_BENCH_MODEL.with(|n| *n.borrow_mut() = 0);
		System::set_block_number(1)
	});
	ext
}

/// The staking events so far, oldest first.
pub fn events() -> Vec<pallet_compute_staking::Event<Test>> {
	System::events()
		.into_iter()
		.filter_map(|r| match r.event {
			RuntimeEvent::ComputeStaking(e) => Some(e),
			_ => None,
		})
		.collect()
}
