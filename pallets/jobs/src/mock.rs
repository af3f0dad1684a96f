//! A runtime for the Jobs tests: System, Balances and the real Models, ComputeStaking and
//! Rewards pallets, so that holds, slashes and payouts move real balances and total
//! issuance can be checked after every path. The reward stream is off (no parameters)
//! unless a test turns it on with [`start_rewards`].
//!
//! Accounts: 1 to 9 are dApps and contributors, 10 to 14 workers, 20 to 29 auditors,
//! 999 the treasury. Model 0 (`EXACT`) is an integer model, model 1 (`FLOAT`) a float one.

use crate as pallet_jobs;
use crate::JobParams;
use frame_support::{
	derive_impl, parameter_types,
	traits::{tokens::imbalance::ResolveTo, ConstU32, ConstU64, Hooks, Randomness},
	PalletId,
};
use frame_system::EnsureRoot;
use sp_core::H256;
use sp_runtime::{BuildStorage, Perbill};
use verinfer_primitives::{
	Contributor, ElementType, ModelId, ModelSpec, SpecBuilder, TensorSchema, VerificationClass,
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
	#[runtime::pallet_index(3)]
	pub type ComputeStaking = pallet_compute_staking;
	#[runtime::pallet_index(4)]
	pub type Jobs = pallet_jobs;
	#[runtime::pallet_index(5)]
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

pub const ED: u64 = 1;
pub const ENDOWMENT: u64 = 1_000_000;
pub const TREASURY: u64 = 999;
pub const WORKER: u64 = 10;
pub const WORKER_2: u64 = 11;
pub const AUDITORS: [u64; 3] = [20, 21, 22];
pub const DAPP: u64 = 1;
pub const CONTRIBUTOR: u64 = 5;
pub const EXACT: ModelId = 0;
pub const FLOAT: ModelId = 1;
/// An LLM audited by generation (`VerificationClass::Generation`).
pub const GENERATION: ModelId = 2;
/// The generation model's tolerances.
pub const GENERATION_TOLERANCE: verinfer_primitives::GenerationTolerance =
	verinfer_primitives::GenerationTolerance {
		max_gap: 100,
		soft_misses: Perbill::from_percent(2),
		fingerprint_max_diff: 50,
		fingerprint_min_overlap: 6,
	};
pub const WORKER_STAKE: u64 = 500_000;
pub const AUDITOR_STAKE: u64 = 20_000;
pub const PRICE: u64 = 1_000;

parameter_types! {
	pub const Treasury: u64 = TREASURY;
	pub const JobsPalletId: PalletId = PalletId(*b"vi/jobs ");
	pub const RewardsPalletId: PalletId = PalletId(*b"py/rewrd");
	/// The staking pallet's dispute window, which the Jobs pallet's timelines must fit.
	pub const DisputeWindow: u64 = 100;
}

impl pallet_rewards::Config for Test {
	type Currency = Balances;
	type Models = Models;
	type ParamsOrigin = EnsureRoot<u64>;
	type TreasuryAccount = Treasury;
	type PalletId = RewardsPalletId;
	type HistoryDepth = ConstU32<4>;
	type MinEraLength = ConstU64<1>;
	type MaxEmissionPerEra = ConstU64<1_000_000>;
	type MaxCleanupPerBlock = ConstU32<16>;
	type WeightInfo = ();
}

/// The length of a reward era in the tests that turn the stream on.
pub const REWARD_ERA: u64 = 50;
/// The emission per reward era in those tests.
pub const EMISSION: u64 = 9_000;

/// Turns the reward stream on: a third of [`EMISSION`] per group each era.
pub fn start_rewards() {
	frame_support::assert_ok!(Rewards::set_params(
		RuntimeOrigin::root(),
		pallet_rewards::RewardParams {
			era_length: REWARD_ERA,
			emission_per_era: EMISSION,
			worker_share: Perbill::from_percent(33),
			auditor_share: Perbill::from_percent(33),
			contributor_share: Perbill::from_percent(33),
		}
	));
}

impl pallet_models::Config for Test {
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type ModelDeposit = ConstU64<100>;
	type ModelOrigin = EnsureRoot<u64>;
	type OnRejected = ResolveTo<Treasury, Balances>;
	type WeightInfo = ();
}

impl pallet_compute_staking::Config for Test {
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type Models = Models;
	type ParamsOrigin = EnsureRoot<u64>;
	type DisputeWindow = DisputeWindow;
	type DefaultUnbondingDelay = ConstU64<100>;
	type DefaultMinWorkerStake = ConstU64<1_000>;
	type DefaultMinAuditorStake = ConstU64<2_000>;
	type MinStakeFloor = ConstU64<10>;
	type MinStakeCeiling = ConstU64<1_000_000>;
	type MaxWorkersPerModel = ConstU32<8>;
	type MaxAuditors = ConstU32<32>;
	type MaxModelsPerWorker = ConstU32<4>;
	type MaxUnlockingChunks = ConstU32<4>;
	type MaxEndpointLen = ConstU32<32>;
	type MaxWorkerCapacity = ConstU32<64>;
	type Slash = ResolveTo<Treasury, Balances>;
	type WeightInfo = ();
}

std::thread_local! {
	static ENTROPY: core::cell::RefCell<u64> = const { core::cell::RefCell::new(0) };
}

/// Deterministic randomness that changes with each block and with [`reseed`].
pub struct TestRandomness;
impl Randomness<H256, u64> for TestRandomness {
	fn random(subject: &[u8]) -> (H256, u64) {
		let block = System::block_number();
		let entropy = ENTROPY.with(|e| *e.borrow());
		let hash = sp_io::hashing::blake2_256(&codec::Encode::encode(&(subject, block, entropy)));
		(H256(hash), block)
	}
}

/// Changes the randomness, for tests that need another draw.
pub fn reseed(entropy: u64) {
	ENTROPY.with(|e| *e.borrow_mut() = entropy);
}

impl pallet_jobs::Config for Test {
	type RuntimeHoldReason = RuntimeHoldReason;
	type Currency = Balances;
	type Models = Models;
	type Staking = ComputeStaking;
	type Rewards = Rewards;
	type Randomness = TestRandomness;
	type ParamsOrigin = EnsureRoot<u64>;
	type DisputeOrigin = EnsureRoot<u64>;
	type TreasuryAccount = Treasury;
	type PalletId = JobsPalletId;
	type MaxInputLen = ConstU32<1024>;
	type MaxOutputLen = ConstU32<1024>;
	type MaxQueuedJobs = ConstU32<64>;
	type MaxJobsPerBlock = ConstU32<32>;
	type MaxAssignmentsPerBlock = ConstU32<16>;
	type MaxAuditorsPerJob = ConstU32<5>;
	type MaxBatch = ConstU32<16>;
	type StakeLockedFor = DisputeWindow;
	type WeightInfo = ();
}

/// The parameters the tests start with: every job audited by three auditors unless a test
/// lowers `audit_probability`.
pub fn params() -> crate::ParamsOf<Test> {
	JobParams {
		min_fee: 10,
		audit_probability: Perbill::one(),
		auditors_per_job: 3,
		worker_slash: Perbill::from_percent(50),
		auditor_slash: Perbill::from_percent(20),
		// 200 fees: a cheater that hides behind a missed reveal risks as much as the
		// audit slash would take, so the deterrence floor of the audit probability stays
		// about 1 % at the mock's stakes.
		miss_fee_multiple: 200,
		miss_slash_floor: 50,
		chill_after_misses: 3,
		treasury_share: Perbill::from_percent(10),
		auditor_share: Perbill::from_percent(20),
		queue_timeout: 10,
		commit_window: 5,
		audit_window: 5,
		reveal_window: 5,
		dispute_window: 10,
		retention: 20,
		min_worker_score: 300,
	}
}

fn spec(
	name: &[u8],
	element: ElementType,
	shape: &[u32],
	out: ElementType,
	out_shape: &[u32],
	verification: VerificationClass,
) -> ModelSpec<u64, u64> {
	SpecBuilder::new(name, 100)
		.input(TensorSchema::fixed(element, shape))
		.output(TensorSchema::fixed(out, out_shape))
		.verification(verification)
		.contributors(vec![Contributor {
			who: CONTRIBUTOR,
			payee: CONTRIBUTOR,
			share: Perbill::from_percent(5),
		}])
		.build()
}

/// Two approved models, a worker for each (and a second one for `EXACT`), three auditors.
pub fn new_test_ext() -> sp_io::TestExternalities {
	let mut storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
	let accounts = (1..=9).chain(10..=14).chain(20..=29).chain([TREASURY]);
	pallet_balances::GenesisConfig::<Test> {
		balances: accounts.map(|who| (who, ENDOWMENT)).collect(),
		..Default::default()
	}
	.assimilate_storage(&mut storage)
	.unwrap();
	pallet_models::GenesisConfig::<Test> {
		models: vec![
			(
				9,
				spec(
					b"digits",
					ElementType::U8,
					&[4],
					ElementType::I8,
					&[2],
					VerificationClass::Exact,
				),
			),
			(
				9,
				spec(
					b"embed",
					ElementType::Utf8,
					&[],
					ElementType::F32,
					&[2],
					VerificationClass::Tolerance {
						max_abs: 1_000_000,
						min_cosine: Perbill::from_percent(99),
					},
				),
			),
			(
				9,
				ModelSpec {
					family: verinfer_primitives::ModelFamily::Llama,
					weights_format: verinfer_primitives::WeightsFormat::Gguf,
					..spec(
						b"chat",
						ElementType::Utf8,
						&[],
						ElementType::Utf8,
						&[],
						VerificationClass::Generation(GENERATION_TOLERANCE),
					)
				},
			),
		],
		proposed: vec![],
	}
	.assimilate_storage(&mut storage)
	.unwrap();
	pallet_jobs::GenesisConfig::<Test> { params: Some(params()) }
		.assimilate_storage(&mut storage)
		.unwrap();
	// Endows the reward account; the stream itself starts only in tests that want it.
	pallet_rewards::GenesisConfig::<Test> { params: None }
		.assimilate_storage(&mut storage)
		.unwrap();
	let mut ext = sp_io::TestExternalities::new(storage);
	ext.execute_with(|| {
		System::set_block_number(1);
		reseed(0);
		let bounded = |v: Vec<ModelId>| v.try_into().unwrap();
		ComputeStaking::bond_worker(
			RuntimeOrigin::signed(WORKER),
			WORKER_STAKE,
			bounded(vec![EXACT, FLOAT, GENERATION]),
			PRICE,
			Default::default(),
			8,
		)
		.unwrap();
		for a in AUDITORS {
			ComputeStaking::bond_auditor(RuntimeOrigin::signed(a), AUDITOR_STAKE).unwrap();
		}
	});
	ext
}

/// Runs blocks up to and including `n`, with the Jobs hooks, and checks the pallet's
/// storage invariants after each.
pub fn run_to(n: u64) {
	while System::block_number() < n {
		let next = System::block_number() + 1;
		System::set_block_number(next);
		Rewards::on_initialize(next);
		Jobs::on_initialize(next);
		Jobs::on_idle(next, frame_support::weights::Weight::MAX);
		Rewards::on_idle(next, frame_support::weights::Weight::MAX);
		Jobs::do_try_state().expect("the Jobs storage invariants hold after every block");
	}
}

/// The Jobs events so far, oldest first.
pub fn events() -> Vec<pallet_jobs::Event<Test>> {
	System::events()
		.into_iter()
		.filter_map(|r| match r.event {
			RuntimeEvent::Jobs(e) => Some(e),
			_ => None,
		})
		.collect()
}
