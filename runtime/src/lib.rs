//! # The verinfer runtime
//!
//! verinfer is an appchain for verifiable AI inference. This crate is its FRAME runtime: the
//! state transition function that every `verinfer-node` executes as Wasm.
//!
//! - Block authoring is BABE ([`SLOT_DURATION`] slots, primary and secondary VRF slots) and
//!   finality is GRANDPA. BABE's VRF outputs are the randomness of job assignment and audit
//!   draws ([`configs::AuthorVrfRandomness`]). The `--dev` chain seals blocks instantly
//!   instead, still with BABE pre-digests (see the node's `service` module); the runtime is
//!   the same.
//! - The native token is **INF** with [`TOKEN_DECIMALS`] decimals; one INF is [`INF`] planck.
//! - Token holders govern by referendum (`Referenda`, `ConvictionVoting`), on the tracks in
//!   [`governance`]. The `Sudo` pallet stays, but only the `development` preset sets a key.
//! - `Models` is the registry of the models jobs run on; `ComputeStaking` holds the bonds of
//!   workers and auditors. Deposits of rejected models and slashed stake go to the treasury
//!   pot ([`configs::TreasuryAccount`]).
//!
//! The pallet configuration lives in [`configs`], the runtime APIs in [`apis`] and the
//! genesis presets (`development`, `local_testnet`) in [`genesis_config_presets`].
#![cfg_attr(not(feature = "std"), no_std)]
// Tests and mocks may use plain arithmetic and indexing: a mistake there fails the test.
#![cfg_attr(test, allow(clippy::arithmetic_side_effects, clippy::indexing_slicing))]
// `construct_runtime`-style macros expand to large types.
#![recursion_limit = "256"]

#[cfg(feature = "std")]
include!(concat!(env!("OUT_DIR"), "/wasm_binary.rs"));

/// This runtime built again with `spec_version` one higher (the `next-spec-version`
/// feature): the Wasm that the runtime-upgrade test (`tests/tests/runtime_upgrade.rs`)
/// enacts by a `root` referendum on a running network. Nothing else uses it.
#[cfg(feature = "std")]
pub mod next_spec_version {
	include!(concat!(env!("OUT_DIR"), "/wasm_binary_next_spec_version.rs"));
}

pub mod apis;
#[cfg(feature = "runtime-benchmarks")]
mod benchmarks;
pub mod configs;
pub mod genesis_config_presets;
pub mod governance;
#[cfg(test)]
mod tests;

extern crate alloc;

use alloc::vec::Vec;

use sp_runtime::{
	generic, impl_opaque_keys,
	traits::{BlakeTwo256, IdentifyAccount, Verify},
	MultiAddress, MultiSignature,
};
use sp_version::RuntimeVersion;

pub use frame_system::Call as SystemCall;
pub use pallet_balances::Call as BalancesCall;
#[cfg(feature = "std")]
pub use sp_runtime::BuildStorage;

/// Types the node needs without knowing the runtime's extrinsic format, so that it keeps
/// syncing across runtime upgrades that change that format.
pub mod opaque {
	use super::*;
	pub use sp_runtime::OpaqueExtrinsic as UncheckedExtrinsic;

	/// Opaque block header type.
	pub type Header = generic::Header<BlockNumber, BlakeTwo256>;
	/// Opaque block type.
	pub type Block = generic::Block<Header, UncheckedExtrinsic>;
	/// Opaque block hash type.
	pub type Hash = <BlakeTwo256 as sp_runtime::traits::Hash>::Output;
}

impl_opaque_keys! {
	/// The session keys of a validator: a BABE key for authoring, a GRANDPA key for finality.
	pub struct SessionKeys {
		pub babe: Babe,
		pub grandpa: Grandpa,
	}
}

/// The runtime version. Bump `spec_version` on every change of runtime logic (in both
/// definitions: the second is this runtime one version later, for the upgrade test), and
/// `transaction_version` when the encoding of calls or extensions changes.
/// (`runtime_version` reads literals only, hence two definitions.)
#[cfg(not(feature = "next-spec-version"))]
#[sp_version::runtime_version]
pub const VERSION: RuntimeVersion = RuntimeVersion {
	spec_name: alloc::borrow::Cow::Borrowed("verinfer"),
	impl_name: alloc::borrow::Cow::Borrowed("verinfer-node"),
	authoring_version: 1,
	spec_version: 100,
	impl_version: 1,
	apis: apis::RUNTIME_API_VERSIONS,
	transaction_version: 1,
	system_version: 1,
};

/// [`VERSION`] with `spec_version` one higher: see [`next_spec_version`].
#[cfg(feature = "next-spec-version")]
#[sp_version::runtime_version]
pub const VERSION: RuntimeVersion = RuntimeVersion {
	spec_name: alloc::borrow::Cow::Borrowed("verinfer"),
	impl_name: alloc::borrow::Cow::Borrowed("verinfer-node"),
	authoring_version: 1,
	spec_version: 101,
	impl_version: 1,
	apis: apis::RUNTIME_API_VERSIONS,
	transaction_version: 1,
	system_version: 1,
};

/// Target block time in milliseconds. Inference jobs go through several on-chain steps
/// (submit, assign, commit, reveal), so verinfer runs short 2-second slots rather than the
/// usual 6 seconds. The slot duration cannot change once a chain has started.
pub const MILLI_SECS_PER_BLOCK: u64 = 2000;
/// BABE slot duration; equal to the block time.
pub const SLOT_DURATION: u64 = MILLI_SECS_PER_BLOCK;

/// The length of a BABE epoch in slots: one hour. The authority set is fixed at genesis
/// (there is no session pallet), so epochs only roll BABE's randomness over.
pub const EPOCH_DURATION_IN_SLOTS: u64 = 60 * 60 * 1000 / SLOT_DURATION;

/// BABE's genesis configuration: every slot has a secondary author, so a block is made in
/// every slot even when no primary VRF claim wins it, and secondary blocks carry a VRF
/// output too (`PrimaryAndSecondaryVRFSlots`), so every block adds fresh randomness. A
/// quarter of slots have a primary claim on average (`c = 1/4`).
pub const BABE_GENESIS_EPOCH_CONFIG: sp_consensus_babe::BabeEpochConfiguration =
	sp_consensus_babe::BabeEpochConfiguration {
		c: (1, 4),
		allowed_slots: sp_consensus_babe::AllowedSlots::PrimaryAndSecondaryVRFSlots,
	};

/// Blocks per minute.
pub const MINUTES: BlockNumber = 60_000 / (MILLI_SECS_PER_BLOCK as BlockNumber);
/// Blocks per hour.
pub const HOURS: BlockNumber = MINUTES * 60;
/// Blocks per day.
pub const DAYS: BlockNumber = HOURS * 24;

/// The native token's symbol, as wallets show it.
pub const TOKEN_SYMBOL: &str = "INF";
/// The native token's decimals.
pub const TOKEN_DECIMALS: u8 = 12;
/// One INF, in planck (the indivisible unit).
pub const INF: Balance = 1_000_000_000_000;
/// One thousandth of an INF.
pub const MILLI_INF: Balance = INF / 1_000;
/// One millionth of an INF.
pub const MICRO_INF: Balance = INF / 1_000_000;
/// The smallest balance an account may hold; below it the account is reaped.
pub const EXISTENTIAL_DEPOSIT: Balance = MILLI_INF;
/// The SS58 address prefix (42: the generic Substrate prefix, `5...` addresses).
pub const SS58_PREFIX: u16 = 42;

/// Transaction signatures: sr25519, ed25519 or ecdsa.
pub type Signature = MultiSignature;
/// An account is identified by the public key of its signing scheme.
pub type AccountId = <<Signature as Verify>::Signer as IdentifyAccount>::AccountId;
/// Balances are in planck, 10^-12 INF.
pub type Balance = u128;
/// An account's transaction counter.
pub type Nonce = u32;
/// The hash type of blocks and the state trie.
pub type Hash = sp_core::H256;
/// A block number.
pub type BlockNumber = u32;
/// The address format of calls that name an account.
pub type Address = MultiAddress<AccountId, ()>;
/// The block header.
pub type Header = generic::Header<BlockNumber, BlakeTwo256>;
/// The block.
pub type Block = generic::Block<Header, UncheckedExtrinsic>;

/// The transaction extensions every signed extrinsic carries, in order.
pub type TxExtension = (
	frame_system::CheckNonZeroSender<Runtime>,
	frame_system::CheckSpecVersion<Runtime>,
	frame_system::CheckTxVersion<Runtime>,
	frame_system::CheckGenesis<Runtime>,
	frame_system::CheckEra<Runtime>,
	frame_system::CheckNonce<Runtime>,
	frame_system::CheckWeight<Runtime>,
	pallet_transaction_payment::ChargeTransactionPayment<Runtime>,
	frame_metadata_hash_extension::CheckMetadataHash<Runtime>,
	frame_system::WeightReclaim<Runtime>,
);

/// The extrinsic format.
pub type UncheckedExtrinsic =
	generic::UncheckedExtrinsic<Address, RuntimeCall, Signature, TxExtension>;
/// What a signer signs.
pub type SignedPayload = generic::SignedPayload<RuntimeCall, TxExtension>;

/// Migrations run on the next runtime upgrade, beyond those the pallets declare.
type Migrations = ();

/// Dispatches blocks and extrinsics to the pallets.
pub type Executive = frame_executive::Executive<
	Runtime,
	Block,
	frame_system::ChainContext<Runtime>,
	Runtime,
	AllPalletsWithSystem,
	Migrations,
>;

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
	pub struct Runtime;

	#[runtime::pallet_index(0)]
	pub type System = frame_system;
	#[runtime::pallet_index(1)]
	pub type Timestamp = pallet_timestamp;
	#[runtime::pallet_index(2)]
	pub type Babe = pallet_babe;
	#[runtime::pallet_index(3)]
	pub type Grandpa = pallet_grandpa;
	#[runtime::pallet_index(4)]
	pub type Balances = pallet_balances;
	#[runtime::pallet_index(5)]
	pub type TransactionPayment = pallet_transaction_payment;
	#[runtime::pallet_index(6)]
	pub type Sudo = pallet_sudo;
	#[runtime::pallet_index(7)]
	pub type Models = pallet_models;
	#[runtime::pallet_index(8)]
	pub type ComputeStaking = pallet_compute_staking;
	#[runtime::pallet_index(9)]
	pub type Jobs = pallet_jobs;
	#[runtime::pallet_index(10)]
	pub type Rewards = pallet_rewards;

	// Governance.
	#[runtime::pallet_index(11)]
	pub type Preimage = pallet_preimage;
	#[runtime::pallet_index(12)]
	pub type Scheduler = pallet_scheduler;
	#[runtime::pallet_index(13)]
	pub type Referenda = pallet_referenda;
	#[runtime::pallet_index(14)]
	pub type ConvictionVoting = pallet_conviction_voting;
	#[runtime::pallet_index(15)]
	pub type Origins = governance::origins::pallet_custom_origins;
	#[runtime::pallet_index(16)]
	pub type Treasury = pallet_treasury;
}
