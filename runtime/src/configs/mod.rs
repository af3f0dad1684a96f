//! The configuration of every pallet in the runtime. The governance pallets are in
//! [`governance`].

pub mod governance;

use frame_support::{
	derive_impl,
	dispatch::DispatchClass,
	parameter_types,
	traits::{ConstU128, ConstU32, ConstU64, ConstU8, VariantCountOf},
	weights::{
		constants::{ParityDbWeight, WEIGHT_REF_TIME_PER_SECOND},
		IdentityFee, Weight,
	},
};
use frame_system::limits::{BlockLength, BlockWeights};
use pallet_transaction_payment::{ConstFeeMultiplier, FungibleAdapter, Multiplier};
use sp_runtime::{traits::One, Perbill};
use sp_version::RuntimeVersion;

use super::{
	AccountId, Babe, Balance, Balances, Block, BlockNumber, Hash, Nonce, PalletInfo, Runtime,
	RuntimeCall, RuntimeEvent, RuntimeFreezeReason, RuntimeHoldReason, RuntimeOrigin, RuntimeTask,
	System, EXISTENTIAL_DEPOSIT, SLOT_DURATION, SS58_PREFIX, VERSION,
};

/// Three quarters of a block is for normal extrinsics; the rest is kept for operational ones.
const NORMAL_DISPATCH_RATIO: Perbill = Perbill::from_percent(75);

/// Cuts a block length down to the normal extrinsics' part of it.
// A `Perbill` of a number is at most the number, so the product cannot overflow.
#[allow(clippy::arithmetic_side_effects)]
fn normal_share(max: &mut u32) {
	*max = NORMAL_DISPATCH_RATIO * *max;
}

parameter_types! {
	pub const BlockHashCount: BlockNumber = 2400;
	pub const Version: RuntimeVersion = VERSION;
	/// Half a second of compute per 2-second block, leaving the rest of the slot for
	/// propagation and import on modest validator hardware.
	pub RuntimeBlockWeights: BlockWeights = BlockWeights::with_sensible_defaults(
		Weight::from_parts(WEIGHT_REF_TIME_PER_SECOND / 2, u64::MAX),
		NORMAL_DISPATCH_RATIO,
	);
	pub RuntimeBlockLength: BlockLength =
		BlockLength::builder()
			.max_length(5 * 1024 * 1024)
			.modify_max_length_for_class(DispatchClass::Normal, normal_share)
			.build();
	pub const SS58Prefix: u16 = SS58_PREFIX;
}

#[derive_impl(frame_system::config_preludes::SolochainDefaultConfig)]
impl frame_system::Config for Runtime {
	type Block = Block;
	type BlockWeights = RuntimeBlockWeights;
	type BlockLength = RuntimeBlockLength;
	type AccountId = AccountId;
	type Nonce = Nonce;
	type Hash = Hash;
	type BlockHashCount = BlockHashCount;
	/// The node stores state in ParityDB, so weights use ParityDB's read and write costs.
	type DbWeight = ParityDbWeight;
	type Version = Version;
	type AccountData = pallet_balances::AccountData<Balance>;
	type SS58Prefix = SS58Prefix;
	type MaxConsumers = ConstU32<16>;
}

impl pallet_babe::Config for Runtime {
	type EpochDuration = ConstU64<{ crate::EPOCH_DURATION_IN_SLOTS }>;
	type ExpectedBlockTime = ConstU64<{ crate::MILLI_SECS_PER_BLOCK }>;
	/// The validator set is fixed at genesis (no session pallet), so the epoch changes
	/// on its own schedule with the same authorities.
	type EpochChangeTrigger = pallet_babe::SameAuthoritiesForever;
	type DisabledValidators = ();
	type WeightInfo = ();
	type MaxAuthorities = ConstU32<32>;
	type MaxNominators = ConstU32<0>;
	/// No equivocation reports without sessions to prove key ownership against.
	type KeyOwnerProof = sp_core::Void;
	type EquivocationReportSystem = ();
}

impl pallet_grandpa::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type WeightInfo = ();
	type MaxAuthorities = ConstU32<32>;
	type MaxNominators = ConstU32<0>;
	type MaxSetIdSessionEntries = ConstU64<0>;
	type KeyOwnerProof = sp_core::Void;
	type EquivocationReportSystem = ();
}

impl pallet_timestamp::Config for Runtime {
	type Moment = u64;
	type OnTimestampSet = Babe;
	type MinimumPeriod = ConstU64<{ SLOT_DURATION / 2 }>;
	type WeightInfo = pallet_timestamp::weights::SubstrateWeight<Runtime>;
}

impl pallet_balances::Config for Runtime {
	type MaxLocks = ConstU32<50>;
	type MaxReserves = ();
	type ReserveIdentifier = [u8; 8];
	type Balance = Balance;
	type RuntimeEvent = RuntimeEvent;
	type DustRemoval = ();
	type ExistentialDeposit = ConstU128<EXISTENTIAL_DEPOSIT>;
	type AccountStore = System;
	type WeightInfo = pallet_balances::weights::SubstrateWeight<Runtime>;
	/// Holds and freezes are keyed by the pallets' own reasons.
	type FreezeIdentifier = RuntimeFreezeReason;
	type MaxFreezes = VariantCountOf<RuntimeFreezeReason>;
	type RuntimeHoldReason = RuntimeHoldReason;
	type RuntimeFreezeReason = RuntimeFreezeReason;
	type DoneSlashHandler = ();
}

parameter_types! {
	pub FeeMultiplier: Multiplier = Multiplier::one();
}

impl pallet_transaction_payment::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type OnChargeTransaction = FungibleAdapter<Balances, ()>;
	type OperationalFeeMultiplier = ConstU8<5>;
	type WeightToFee = IdentityFee<Balance>;
	type LengthToFee = IdentityFee<Balance>;
	type FeeMultiplierUpdate = ConstFeeMultiplier<FeeMultiplier>;
	type WeightInfo = pallet_transaction_payment::weights::SubstrateWeight<Runtime>;
}

impl pallet_sudo::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type RuntimeCall = RuntimeCall;
	type WeightInfo = pallet_sudo::weights::SubstrateWeight<Runtime>;
}

// ---- verinfer's own pallets ----------------------------------------------------------------

use crate::{
	governance::origins::{ModelsAdmin, ParametersAdmin},
	Models, DAYS, HOURS, INF, MINUTES,
};
use frame_support::{
	traits::{tokens::imbalance::ResolveTo, EitherOf},
	PalletId,
};
use frame_system::EnsureRoot;
use sp_runtime::traits::AccountIdConversion;

parameter_types! {
	/// The treasury's pallet id: `pallet-treasury` (see [`governance`]) owns the pot below,
	/// so every deposit, fee share and slash sent here is the treasury's to spend.
	pub const TreasuryPalletId: PalletId = PalletId(*b"py/trsry");
	/// The treasury pot: receives rejected model deposits, slashed stake, the treasury's
	/// share of job fees, payouts that cannot be made and rewards that expire unclaimed.
	/// Endowed with the existential deposit at genesis so that even a tiny credit lands.
	pub TreasuryAccount: AccountId = TreasuryPalletId::get().into_account_truncating();
}

impl pallet_models::Config for Runtime {
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	/// A deposit large enough to deter spam proposals, small next to a worker's stake.
	type ModelDeposit = ConstU128<{ 100 * INF }>;
	/// A `models` track referendum, or Root.
	type ModelOrigin = EitherOf<EnsureRoot<AccountId>, ModelsAdmin>;
	type OnRejected = ResolveTo<TreasuryAccount, Balances>;
	type WeightInfo = pallet_models::weights::SubstrateWeight<Runtime>;
}

parameter_types! {
	/// How long stake stays slashable once it stops backing new work: the unbonding delay
	/// can never be set below it, and the `Jobs` pallet refuses parameters whose longest job
	/// timeline (`pallet_jobs::Pallet::slashable_span`, about 70 minutes under the genesis
	/// parameters) exceeds it. Both pallets take this one constant.
	pub const DisputeWindow: BlockNumber = 2 * HOURS;
}

impl pallet_compute_staking::Config for Runtime {
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type Models = Models;
	/// A `parameters` track referendum, or Root.
	type ParamsOrigin = EitherOf<EnsureRoot<AccountId>, ParametersAdmin>;
	type DisputeWindow = DisputeWindow;
	type DefaultUnbondingDelay = ConstU32<{ DAYS }>;
	type DefaultMinWorkerStake = ConstU128<{ 1_000 * INF }>;
	/// Auditors decide who gets slashed, so they put more at stake than workers.
	type DefaultMinAuditorStake = ConstU128<{ 5_000 * INF }>;
	type MinStakeFloor = ConstU128<INF>;
	type MinStakeCeiling = ConstU128<{ 1_000_000 * INF }>;
	type MaxWorkersPerModel = ConstU32<64>;
	type MaxAuditors = ConstU32<128>;
	type MaxModelsPerWorker = ConstU32<8>;
	type MaxUnlockingChunks = ConstU32<16>;
	type MaxEndpointLen = ConstU32<128>;
	/// Jobs a worker may take at once; a batch commit carries at most `MaxBatch` of them.
	type MaxWorkerCapacity = ConstU32<256>;
	type Slash = ResolveTo<TreasuryAccount, Balances>;
	type WeightInfo = pallet_compute_staking::weights::SubstrateWeight<Runtime>;
}

parameter_types! {
	/// The account that briefly holds a caught worker's slash while it is shared out.
	pub const JobsPalletId: PalletId = PalletId(*b"vi/jobs_");
}

/// The randomness for job assignment and audit draws: the VRF output of the parent block's
/// BABE author (`pallet_babe::ParentBlockRandomness`), combined by the Jobs pallet with a
/// subject naming the job.
///
/// Why this source: the audit draw happens two blocks after the commit, with the VRF
/// output of the block right after it. That output is fixed by the author's key, the slot
/// and the epoch's randomness, so its author cannot grind it (unlike a block hash, which
/// changes with every reordering of extrinsics); its only lever is to withhold the block,
/// which forfeits the slot and only yields another author's equally unpredictable output.
/// Nobody knows the output before the commit is in a block, so a worker cannot tell at
/// commit time whether it will be audited. Every BABE block carries a VRF output here
/// (`PrimaryAndSecondaryVRFSlots`); only the first block has no parent output, and then
/// the epoch's randomness (`RandomnessFromOneEpochAgo`) stands in.
pub struct AuthorVrfRandomness;
impl frame_support::traits::Randomness<Hash, BlockNumber> for AuthorVrfRandomness {
	fn random(subject: &[u8]) -> (Hash, BlockNumber) {
		match pallet_babe::ParentBlockRandomness::<Runtime>::random(subject) {
			(Some(random), seen) => (random, seen),
			(None, _) => pallet_babe::RandomnessFromOneEpochAgo::<Runtime>::random(subject),
		}
	}
}

use crate::{ComputeStaking, Rewards};

impl pallet_jobs::Config for Runtime {
	type RuntimeHoldReason = RuntimeHoldReason;
	type Currency = Balances;
	type Models = Models;
	type Staking = ComputeStaking;
	type Rewards = Rewards;
	type Randomness = AuthorVrfRandomness;
	/// A `parameters` track referendum, or Root.
	type ParamsOrigin = EitherOf<EnsureRoot<AccountId>, ParametersAdmin>;
	/// Root only: the `root` track, or the sudo key on the development chain. No track of
	/// production length decides within a job's dispute window (an hour), so on a live chain
	/// an unsettled dispute expires and refunds the job's owner, slashing nobody; Root can
	/// still settle it in time on the development pace. Governance may lengthen the window
	/// only as far as `DisputeWindow` allows (the whole job timeline must fit in it), which
	/// is still shorter than the `root` track's decision period.
	type DisputeOrigin = EnsureRoot<AccountId>;
	type TreasuryAccount = TreasuryAccount;
	type PalletId = JobsPalletId;
	/// Inputs and outputs up to the largest tensor a model schema may declare.
	type MaxInputLen = ConstU32<{ verinfer_primitives::MAX_TENSOR_BYTES }>;
	type MaxOutputLen = ConstU32<{ verinfer_primitives::MAX_TENSOR_BYTES }>;
	type MaxQueuedJobs = ConstU32<1024>;
	type MaxJobsPerBlock = ConstU32<128>;
	type MaxAssignmentsPerBlock = ConstU32<32>;
	type MaxAuditorsPerJob = ConstU32<5>;
	type StakeLockedFor = DisputeWindow;
	/// A worker settles up to 64 jobs per transaction (`commit_results`, ...); the
	/// assignment rate is 32 per block, so one batch per block keeps up.
	type MaxBatch = ConstU32<64>;
	type WeightInfo = pallet_jobs::weights::SubstrateWeight<Runtime>;
}

parameter_types! {
	/// The account that holds minted rewards until they are claimed.
	pub const RewardsPalletId: PalletId = PalletId(*b"py/rewrd");
}

impl pallet_rewards::Config for Runtime {
	type Currency = Balances;
	type Models = Models;
	/// Root, or a referendum on the `parameters` track.
	type ParamsOrigin = EitherOf<EnsureRoot<AccountId>, ParametersAdmin>;
	type TreasuryAccount = TreasuryAccount;
	type PalletId = RewardsPalletId;
	/// Four weeks of daily eras to claim in.
	type HistoryDepth = ConstU32<28>;
	/// Eras shorter than a minute would close more often than anyone claims.
	type MinEraLength = ConstU32<{ MINUTES }>;
	/// A ceiling against a slip of the finger in a referendum: about 0.8 % of the dev
	/// chain's genesis issuance (12 M INF) per era.
	type MaxEmissionPerEra = ConstU128<{ 100_000 * INF }>;
	type MaxCleanupPerBlock = ConstU32<256>;
	type WeightInfo = pallet_rewards::weights::SubstrateWeight<Runtime>;
}
