//! The registry's storage types.

use codec::{Decode, Encode, MaxEncodedLen};
use frame_support::traits::fungible;
use scale_info::TypeInfo;
pub use verinfer_primitives::{ModelName, ModelVersion};
use verinfer_primitives::{ModelSpec, ModelStatus};

/// The balance type of the pallet's currency.
pub type BalanceOf<T> = <<T as crate::Config>::Currency as fungible::Inspect<
	<T as frame_system::Config>::AccountId,
>>::Balance;

/// A credit (funds taken out of an account, not yet placed) in the pallet's currency.
pub type CreditOf<T> =
	fungible::Credit<<T as frame_system::Config>::AccountId, <T as crate::Config>::Currency>;

/// A model description as registered, for runtime `T`.
pub type ModelSpecOf<T> = ModelSpec<<T as frame_system::Config>::AccountId, BalanceOf<T>>;

/// A registry entry as stored, for runtime `T`.
pub type ModelInfoOf<T> = ModelInfo<
	<T as frame_system::Config>::AccountId,
	BalanceOf<T>,
	frame_system::pallet_prelude::BlockNumberFor<T>,
>;

/// A model in the registry.
#[derive(Encode, Decode, MaxEncodedLen, TypeInfo, Clone, PartialEq, Eq, Debug)]
pub struct ModelInfo<AccountId, Balance, BlockNumber> {
	/// Who registered it and gets the deposit back.
	pub owner: AccountId,
	/// The deposit still on hold for it; zero once returned, and for genesis models.
	pub deposit: Balance,
	/// Where it is in its lifecycle.
	pub status: ModelStatus,
	/// The block it was registered in.
	pub registered_at: BlockNumber,
	/// What was registered. Only the contributors' payees change afterwards.
	pub spec: ModelSpec<AccountId, Balance>,
}
