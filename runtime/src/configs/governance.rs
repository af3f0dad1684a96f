//! The configuration of the governance pallets: `Preimage`, `Scheduler`, `Referenda`,
//! `ConvictionVoting`, `Origins` and `Treasury`.
//!
//! Token holders decide by referendum. A referendum runs on one of the tracks in
//! [`crate::governance::tracks`]; if it passes, the scheduler dispatches its proposal (a
//! preimage) with the track's origin after the enactment delay. Votes are weighted by
//! conviction: locking the vote's balance for longer after the referendum multiplies it.

use frame_support::{
	parameter_types,
	traits::{
		fungible::HoldConsideration,
		tokens::{pay::PayFromAccount, UnityAssetBalanceConversion},
		EitherOfDiverse, EqualPrivilegeOnly, LinearStoragePrice,
	},
	weights::Weight,
};
use frame_system::{EnsureRoot, EnsureSigned};
use sp_runtime::{
	traits::{ConstU32, IdentityLookup},
	Perbill, Permill,
};

use super::{RuntimeBlockWeights, TreasuryAccount, TreasuryPalletId};
use crate::{
	governance::{
		origins::{self, Treasurer},
		tracks::{PacedPeriod, TracksInfo},
	},
	AccountId, Balance, Balances, OriginCaller, Preimage, Referenda, Runtime, RuntimeCall,
	RuntimeEvent, RuntimeHoldReason, RuntimeOrigin, Scheduler, System, Treasury, DAYS, INF,
	MILLI_INF,
};

parameter_types! {
	/// What noting a preimage holds: 1 INF plus 1 milli-INF a byte, returned when the
	/// preimage is unnoted (or once its referendum ends and it is requested no more).
	pub const PreimageBaseDeposit: Balance = INF;
	pub const PreimageByteDeposit: Balance = MILLI_INF;
	pub const PreimageHoldReason: RuntimeHoldReason =
		RuntimeHoldReason::Preimage(pallet_preimage::HoldReason::Preimage);
}

impl pallet_preimage::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type WeightInfo = pallet_preimage::weights::SubstrateWeight<Runtime>;
	type Currency = Balances;
	type ManagerOrigin = EnsureRoot<AccountId>;
	type Consideration = HoldConsideration<
		AccountId,
		Balances,
		PreimageHoldReason,
		LinearStoragePrice<PreimageBaseDeposit, PreimageByteDeposit, Balance>,
	>;
}

/// 80% of a block's weight.
// A `Perbill` of a weight is at most the weight, so the product cannot overflow.
#[allow(clippy::arithmetic_side_effects)]
fn most_of_a_block() -> Weight {
	Perbill::from_percent(80) * RuntimeBlockWeights::get().max_block
}

parameter_types! {
	/// Scheduled calls, enacted referenda among them, may use 80% of a block.
	pub MaximumSchedulerWeight: Weight = most_of_a_block();
}

impl pallet_scheduler::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type RuntimeOrigin = RuntimeOrigin;
	type PalletsOrigin = OriginCaller;
	type RuntimeCall = RuntimeCall;
	type MaximumWeight = MaximumSchedulerWeight;
	/// Only Root schedules directly; referenda schedule through the `Referenda` pallet.
	type ScheduleOrigin = EnsureRoot<AccountId>;
	type OriginPrivilegeCmp = EqualPrivilegeOnly;
	type MaxScheduledPerBlock = ConstU32<50>;
	type WeightInfo = pallet_scheduler::weights::SubstrateWeight<Runtime>;
	type Preimages = Preimage;
	type BlockNumberProvider = System;
}

parameter_types! {
	/// Anyone may submit a referendum for a 10 INF deposit; the track's decision deposit
	/// is what makes it come up for a vote.
	pub const SubmissionDeposit: Balance = 10 * INF;
}

impl pallet_referenda::Config for Runtime {
	type RuntimeCall = RuntimeCall;
	type RuntimeEvent = RuntimeEvent;
	type WeightInfo = pallet_referenda::weights::SubstrateWeight<Runtime>;
	type Scheduler = Scheduler;
	type Currency = Balances;
	type SubmitOrigin = frame_support::traits::AsEnsureOriginWithArg<EnsureSigned<AccountId>>;
	type CancelOrigin = EnsureRoot<AccountId>;
	type KillOrigin = EnsureRoot<AccountId>;
	/// Deposits of killed referenda go to the treasury.
	type Slash = Treasury;
	type Votes = Balance;
	type Tally = pallet_conviction_voting::TallyOf<Runtime>;
	type SubmissionDeposit = SubmissionDeposit;
	type MaxQueued = ConstU32<100>;
	/// A referendum that nobody places a decision deposit for is dropped after 14 days
	/// (20 blocks on the development pace).
	type UndecidingTimeout = PacedPeriod<{ 14 * DAYS }, 20>;
	type AlarmInterval = ConstU32<1>;
	type Tracks = TracksInfo;
	type Preimages = Preimage;
	type BlockNumberProvider = System;
}

impl pallet_conviction_voting::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type WeightInfo = pallet_conviction_voting::weights::SubstrateWeight<Runtime>;
	type Currency = Balances;
	type Polls = Referenda;
	/// Support is measured against the active issuance.
	type MaxTurnout =
		frame_support::traits::tokens::currency::ActiveIssuanceOf<Balances, AccountId>;
	type MaxVotes = ConstU32<512>;
	/// One conviction period: 7 days (10 blocks on the development pace). `Locked1x` locks
	/// a winning vote for one period after the referendum ends, `Locked6x` for 32. At least
	/// the longest enactment delay, so a voter stays locked until its decision takes effect.
	type VoteLockingPeriod = PacedPeriod<{ 7 * DAYS }, 10>;
	type BlockNumberProvider = System;
	type VotingHooks = ();
}

impl origins::Config for Runtime {}

parameter_types! {
	pub const NoBurn: Permill = Permill::zero();
}

impl pallet_treasury::Config for Runtime {
	type Currency = Balances;
	/// Voiding an approved spend takes the treasury track (or Root).
	type RejectOrigin = EitherOfDiverse<EnsureRoot<AccountId>, Treasurer>;
	type RuntimeEvent = RuntimeEvent;
	/// Approved spends become payable in batches, every 6 days (10 blocks on the
	/// development pace).
	type SpendPeriod = PacedPeriod<{ 6 * DAYS }, 10>;
	/// Nothing is burnt: unspent funds stay for later spends.
	type Burn = NoBurn;
	/// The same `py/trsry` account the fee shares, slashes and rejected model deposits
	/// already go to.
	type PalletId = TreasuryPalletId;
	type BurnDestination = ();
	type WeightInfo = pallet_treasury::weights::SubstrateWeight<Runtime>;
	type SpendFunds = ();
	type MaxApprovals = ConstU32<100>;
	/// Only a `treasury` track referendum spends, up to
	/// [`origins::TREASURER_SPEND_LIMIT`] each.
	type SpendOrigin = Treasurer;
	/// Spends are in INF, the only asset.
	type AssetKind = ();
	type Beneficiary = AccountId;
	type BeneficiaryLookup = IdentityLookup<AccountId>;
	type Paymaster = PayFromAccount<Balances, TreasuryAccount>;
	type BalanceConverter = UnityAssetBalanceConversion;
	/// An approved spend can be claimed (`Treasury::payout`) for 30 days (50 blocks on the
	/// development pace).
	type PayoutPeriod = PacedPeriod<{ 30 * DAYS }, 50>;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = ();
	type BlockNumberProvider = System;
}
