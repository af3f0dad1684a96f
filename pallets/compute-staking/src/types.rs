//! The staking pallet's storage types.

use crate::Config;
use codec::{Decode, Encode, MaxEncodedLen};
use frame_support::{
	traits::fungible, BoundedVec, CloneNoBound, DebugNoBound, EqNoBound, PartialEqNoBound,
};
use frame_system::pallet_prelude::BlockNumberFor;
use scale_info::TypeInfo;
use sp_runtime::traits::Saturating;
use verinfer_primitives::{ModelId, RoleKind};

/// The balance type of the pallet's currency.
pub type BalanceOf<T> =
	<<T as Config>::Currency as fungible::Inspect<<T as frame_system::Config>::AccountId>>::Balance;

/// A credit (funds taken out of an account, not yet placed) in the pallet's currency.
pub type CreditOf<T> =
	fungible::Credit<<T as frame_system::Config>::AccountId, <T as Config>::Currency>;

/// The models a worker serves.
pub type ModelsOf<T> = BoundedVec<ModelId, <T as Config>::MaxModelsPerWorker>;

/// A worker's free-form description of how to reach it or what it runs on.
pub type EndpointOf<T> = BoundedVec<u8, <T as Config>::MaxEndpointLen>;

/// Bonded funds waiting for the unbonding delay to pass. They stay on hold, and slashable,
/// until withdrawn.
#[derive(
	Encode, Decode, MaxEncodedLen, TypeInfo, CloneNoBound, PartialEqNoBound, EqNoBound, DebugNoBound,
)]
#[scale_info(skip_type_params(T))]
#[codec(mel_bound())]
pub struct UnlockChunk<T: Config> {
	/// The amount.
	pub value: BalanceOf<T>,
	/// The first block in which it can be withdrawn.
	pub unlock_at: BlockNumberFor<T>,
}

/// What a worker offers.
#[derive(
	Encode, Decode, MaxEncodedLen, TypeInfo, CloneNoBound, PartialEqNoBound, EqNoBound, DebugNoBound,
)]
#[scale_info(skip_type_params(T))]
#[codec(mel_bound())]
pub struct WorkerPrefs<T: Config> {
	/// The models it serves; each was approved when it was added.
	pub models: ModelsOf<T>,
	/// What it asks per job.
	pub price: BalanceOf<T>,
	/// How to reach it, or what hardware it runs (free-form).
	pub endpoint: EndpointOf<T>,
	/// The most jobs it takes at once (assigned and not yet committed); the `Jobs` pallet
	/// never assigns it more. `verinfer-worker mine` measures it on the miner's hardware.
	pub capacity: u32,
}

/// The role an account bonded for, with the role's settings.
#[derive(
	Encode, Decode, MaxEncodedLen, TypeInfo, CloneNoBound, PartialEqNoBound, EqNoBound, DebugNoBound,
)]
#[scale_info(skip_type_params(T))]
#[codec(mel_bound())]
pub enum Role<T: Config> {
	/// A worker and what it offers.
	Worker(WorkerPrefs<T>),
	/// An auditor.
	Auditor,
}

impl<T: Config> Role<T> {
	/// The role without its settings.
	pub fn kind(&self) -> RoleKind {
		match self {
			Self::Worker(_) => RoleKind::Worker,
			Self::Auditor => RoleKind::Auditor,
		}
	}
}

/// Everything an account has bonded, and whether it takes new work.
///
/// Invariant: the account's balance on hold for [`crate::HoldReason::Bond`] equals
/// [`StakeLedger::total`], and `on_duty` is true exactly when the account is in the active
/// set(s) of its role.
#[derive(
	Encode, Decode, MaxEncodedLen, TypeInfo, CloneNoBound, PartialEqNoBound, EqNoBound, DebugNoBound,
)]
#[scale_info(skip_type_params(T))]
#[codec(mel_bound())]
pub struct StakeLedger<T: Config> {
	/// What it bonded for.
	pub role: Role<T>,
	/// The bond that backs its work.
	pub active: BalanceOf<T>,
	/// Funds unbonding, oldest first.
	pub unlocking: BoundedVec<UnlockChunk<T>, T::MaxUnlockingChunks>,
	/// Whether it is in the active set(s) and so can be given new work.
	pub on_duty: bool,
}

impl<T: Config> StakeLedger<T> {
	/// Everything on hold: active and unbonding.
	pub fn total(&self) -> BalanceOf<T> {
		self.unlocking.iter().fold(self.active, |acc, c| acc.saturating_add(c.value))
	}

	/// Whether nothing is bonded any more, so the ledger can go.
	pub fn is_empty(&self) -> bool {
		use sp_runtime::traits::Zero;
		self.active.is_zero() && self.unlocking.is_empty()
	}
}
