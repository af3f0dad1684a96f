//! # Rewards pallet
//!
//! An era-based reward stream for the people whose work makes verinfer useful: the workers
//! that deliver verified results, the auditors that check them honestly, and the
//! contributors of the models that are used.
//!
//! ## Concepts
//!
//! - **Era.** A run of `era_length` blocks. Each era has an emission budget,
//!   `emission_per_era`, split among three **groups** by governed shares.
//! - **Points.** The `Jobs` pallet reports work through [`RewardsHook`] when it settles a
//!   job, and each report adds points to an account in the current era:
//!   - a worker whose result was accepted gets the job's **compute units**: the fee the
//!     owner paid for it, in the currency's smallest unit. The fee is the market's price
//!     of the compute, so a worker that pays for jobs to itself to farm the emission
//!     pays at least the treasury's and the contributors' cut of every fee for each point;
//!   - an auditor gets one point for each audit it judged the same way as the final
//!     verdict (accepted or rejected);
//!   - a model's contributors share the job's compute units by their royalty shares, as
//!     the registry stores them; the points go to each contributor's payee account.
//! - **Budget.** When an era closes, each group's budget is its share of
//!   `emission_per_era`, and an account's reward is its group's budget times its points
//!   over the group's points in that era, rounded down, summed over the groups it earned in.
//!
//! ## Lazy accounting
//!
//! No block iterates over accounts. Each report writes one account's points and the era's
//! totals. Closing an era (in `on_initialize`, O(1)) mints the era's budgets into the
//! pallet's account and records them with the era's totals. Each account then claims its
//! reward with [`Pallet::claim_rewards`], which pays it from the pallet's account and
//! deletes its points, so nothing is paid twice.
//!
//! ## Issuance
//!
//! Total issuance grows by exactly what is minted at era closes. A group that earned no
//! points in an era gets no budget: its part is not minted. The rounding dust of the claims
//! and every reward not claimed within `HistoryDepth` eras are moved to the treasury when
//! the era expires, so they are neither lost nor minted twice. The pallet's account is
//! endowed with the existential deposit once, at genesis, so that it always exists.
//!
//! ## Parameters
//!
//! [`RewardParams`] live in storage and only `ParamsOrigin` changes them, through
//! [`Pallet::set_params`], with range checks. A change applies from the next era close
//! (a new `era_length` counts from the start of the current era).
#![cfg_attr(not(feature = "std"), no_std)]
// Tests and mocks may use plain arithmetic and indexing: a mistake there fails the test.
#![cfg_attr(test, allow(clippy::arithmetic_side_effects, clippy::indexing_slicing))]

extern crate alloc;

mod impl_hook;
pub mod types;
pub mod weights;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
#[cfg(test)]
mod mock;
#[cfg(test)]
mod tests;

pub use pallet::*;
pub use types::*;
pub use weights::WeightInfo;

use frame_support::traits::fungible::Inspect;

/// The balance type of the runtime's currency.
pub type BalanceOf<T> =
	<<T as Config>::Currency as Inspect<<T as frame_system::Config>::AccountId>>::Balance;

#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use frame_support::{
		pallet_prelude::*,
		traits::{fungible::Mutate, tokens::Preservation},
		PalletId,
	};
	use frame_system::pallet_prelude::*;
	use sp_runtime::{
		traits::{AccountIdConversion, Saturating, UniqueSaturatedFrom, UniqueSaturatedInto, Zero},
		Perbill,
	};
	use verinfer_primitives::{pro_rata, ModelRegistry};

	/// The in-code storage version.
	const STORAGE_VERSION: StorageVersion = StorageVersion::new(0);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	/// The pallet's configuration.
	#[pallet::config]
	pub trait Config: frame_system::Config<RuntimeEvent: From<Event<Self>>> {
		/// The native currency: rewards are minted and paid in it.
		type Currency: Mutate<Self::AccountId>;

		/// The model registry: who contributed to each model, and their royalty shares.
		type Models: ModelRegistry<Self::AccountId, BalanceOf<Self>>;

		/// Who may change [`RewardParams`].
		type ParamsOrigin: EnsureOrigin<Self::RuntimeOrigin>;

		/// The treasury account: it receives the rewards that expired unclaimed and the
		/// rounding dust.
		#[pallet::constant]
		type TreasuryAccount: Get<Self::AccountId>;

		/// The pallet's id, from which the account that holds the minted, unclaimed
		/// rewards is derived.
		#[pallet::constant]
		type PalletId: Get<PalletId>;

		/// For how many eras after its close an era's rewards can be claimed (at least 1).
		#[pallet::constant]
		type HistoryDepth: Get<u32>;

		/// The shortest era governance may set (at least one block).
		#[pallet::constant]
		type MinEraLength: Get<BlockNumberFor<Self>>;

		/// The most governance may mint per era.
		#[pallet::constant]
		type MaxEmissionPerEra: Get<BalanceOf<Self>>;

		/// The most expired points entries `on_idle` deletes per block.
		#[pallet::constant]
		type MaxCleanupPerBlock: Get<u32>;

		/// Weights of this pallet's calls and hooks.
		type WeightInfo: WeightInfo;
	}

	/// The parameters of the reward stream; while unset there is none and no points are
	/// recorded.
	#[pallet::storage]
	pub type Params<T: Config> = StorageValue<_, RewardParamsOf<T>, OptionQuery>;

	/// The era that is open now: reports add points to it.
	#[pallet::storage]
	pub type CurrentEra<T> = StorageValue<_, EraIndex, ValueQuery>;

	/// The block in which the current era started.
	#[pallet::storage]
	pub type EraStart<T: Config> = StorageValue<_, BlockNumberFor<T>, ValueQuery>;

	/// The points of each group in the current era so far.
	#[pallet::storage]
	pub type CurrentPoints<T> = StorageValue<_, Points, ValueQuery>;

	/// Each account's points per era, until it claims them or the era's cleanup after it
	/// expired.
	#[pallet::storage]
	pub type AccountPoints<T: Config> = StorageDoubleMap<
		_,
		Twox64Concat,
		EraIndex,
		Blake2_128Concat,
		T::AccountId,
		Points,
		OptionQuery,
	>;

	/// The closed eras whose rewards can still be claimed: at most `HistoryDepth`.
	#[pallet::storage]
	pub type Eras<T: Config> =
		StorageMap<_, Twox64Concat, EraIndex, EraReward<BalanceOf<T>>, OptionQuery>;

	/// The oldest era whose [`AccountPoints`] may still be in storage; those of every era
	/// before it have been deleted.
	#[pallet::storage]
	pub type CleanedUpTo<T> = StorageValue<_, EraIndex, ValueQuery>;

	/// Genesis: the initial reward parameters.
	#[pallet::genesis_config]
	#[derive(frame_support::DefaultNoBound)]
	pub struct GenesisConfig<T: Config> {
		/// The reward stream's parameters, until governance changes them; `None` starts
		/// the chain without one.
		pub params: Option<RewardParamsOf<T>>,
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		fn build(&self) {
			if let Some(params) = &self.params {
				Pallet::<T>::validate_params(params)
					.expect("the genesis reward parameters must be valid");
				Params::<T>::put(params);
			}
			// The one endowment that is not an era's emission: it keeps the pallet's
			// account alive, so a budget below the existential deposit can be minted and
			// every claim paid in full.
			let pot = Pallet::<T>::account_id();
			let ed = T::Currency::minimum_balance();
			if T::Currency::balance(&pot) < ed {
				T::Currency::mint_into(&pot, ed).expect("the reward account can be endowed");
			}
		}
	}

	/// What happened to the reward stream.
	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// An era closed: its budgets, the sum of which was minted, and its points.
		EraClosed {
			/// The era that closed.
			era: EraIndex,
			/// Each group's budget for the era.
			budgets: PerGroup<BalanceOf<T>>,
			/// Each group's total points in the era.
			points: Points,
		},
		/// An account claimed its reward for an era.
		RewardsClaimed {
			/// The era claimed for.
			era: EraIndex,
			/// The account paid.
			who: T::AccountId,
			/// What it was paid.
			amount: BalanceOf<T>,
		},
		/// An era's claims closed; what was not claimed went to the treasury.
		EraExpired {
			/// The era whose claims closed.
			era: EraIndex,
			/// What was left unclaimed.
			unclaimed: BalanceOf<T>,
		},
		/// The reward parameters changed.
		ParamsSet {
			/// The new parameters.
			params: RewardParamsOf<T>,
		},
	}

	/// Why a call failed.
	#[pallet::error]
	pub enum Error<T> {
		/// The era is still open (or has not begun): claim after it closed.
		EraNotClosed,
		/// The era's rewards can no longer be claimed: more than `HistoryDepth` eras have
		/// closed since.
		EraExpired,
		/// The account earned no points in the era, or already claimed them.
		NothingToClaim,
		/// The reward could not be paid out of the pallet's account.
		PayoutFailed,
		/// The era is shorter than the runtime's `MinEraLength`.
		EraTooShort,
		/// The emission per era exceeds the runtime's `MaxEmissionPerEra`.
		EmissionTooHigh,
		/// The three groups' shares together exceed 100%.
		SharesAbove100Percent,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		fn on_initialize(now: BlockNumberFor<T>) -> Weight {
			let Some(params) = Params::<T>::get() else { return T::DbWeight::get().reads(1) };
			if now < EraStart::<T>::get().saturating_add(params.era_length) {
				return T::WeightInfo::on_initialize_open();
			}
			Self::close_era(now, &params);
			T::WeightInfo::on_initialize_close()
		}

		fn on_idle(_now: BlockNumberFor<T>, remaining: Weight) -> Weight {
			let limit = T::MaxCleanupPerBlock::get();
			if !remaining.all_gte(T::WeightInfo::clear_points(limit)) {
				return Weight::zero();
			}
			let removed = Self::clear_expired(limit);
			T::WeightInfo::clear_points(removed)
		}

		fn integrity_test() {
			assert!(T::HistoryDepth::get() >= 1, "rewards must stay claimable for an era");
			assert!(!T::MinEraLength::get().is_zero(), "an era lasts at least a block");
			assert!(T::MaxCleanupPerBlock::get() >= 1, "expired points must be cleaned up");
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Pays the caller its reward for a closed `era`: in each group, the group's budget
		/// times the caller's points over the group's points, rounded down.
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::claim_rewards())]
		pub fn claim_rewards(origin: OriginFor<T>, era: EraIndex) -> DispatchResult {
			let who = ensure_signed(origin)?;
			ensure!(era < CurrentEra::<T>::get(), Error::<T>::EraNotClosed);
			let mut reward = Eras::<T>::get(era).ok_or(Error::<T>::EraExpired)?;
			let points = AccountPoints::<T>::take(era, &who).ok_or(Error::<T>::NothingToClaim)?;
			let owed = GROUPS.iter().fold(0u128, |sum, group| {
				let budget: u128 = reward.budgets.get(*group).unique_saturated_into();
				sum.saturating_add(pro_rata(budget, points.get(*group), reward.points.get(*group)))
			});
			// Each group pays at most its budget, so this only guards the invariant.
			let left = reward.budgets.total().saturating_sub(reward.claimed);
			let amount = BalanceOf::<T>::unique_saturated_from(owed).min(left);
			if !amount.is_zero() {
				T::Currency::transfer(&Self::account_id(), &who, amount, Preservation::Preserve)
					.map_err(|_| Error::<T>::PayoutFailed)?;
			}
			reward.claimed = reward.claimed.saturating_add(amount);
			Eras::<T>::insert(era, reward);
			Self::deposit_event(Event::RewardsClaimed { era, who, amount });
			Ok(())
		}

		/// Sets the reward parameters; they apply from the next era close. Setting them for
		/// the first time starts the first era now.
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::set_params())]
		pub fn set_params(origin: OriginFor<T>, params: RewardParamsOf<T>) -> DispatchResult {
			T::ParamsOrigin::ensure_origin(origin)?;
			Self::validate_params(&params)?;
			if !Params::<T>::exists() {
				EraStart::<T>::put(frame_system::Pallet::<T>::block_number());
			}
			Params::<T>::put(&params);
			Self::deposit_event(Event::ParamsSet { params });
			Ok(())
		}
	}

	impl<T: Config> Pallet<T> {
		/// Checks the ranges of reward parameters.
		pub fn validate_params(p: &RewardParamsOf<T>) -> Result<(), Error<T>> {
			ensure!(p.era_length >= T::MinEraLength::get(), Error::<T>::EraTooShort);
			ensure!(p.emission_per_era <= T::MaxEmissionPerEra::get(), Error::<T>::EmissionTooHigh);
			let shares = [p.worker_share, p.auditor_share, p.contributor_share];
			let sum = shares
				.iter()
				.fold(0u64, |acc, s| acc.saturating_add(u64::from(s.deconstruct())));
			ensure!(
				sum <= u64::from(Perbill::one().deconstruct()),
				Error::<T>::SharesAbove100Percent
			);
			Ok(())
		}

		/// The account that holds the minted rewards until they are claimed.
		pub fn account_id() -> T::AccountId {
			T::PalletId::get().into_account_truncating()
		}

		/// What `who` can claim for `era` now, if anything.
		pub fn claimable(era: EraIndex, who: &T::AccountId) -> BalanceOf<T> {
			let (Some(reward), Some(points)) =
				(Eras::<T>::get(era), AccountPoints::<T>::get(era, who))
			else {
				return Zero::zero();
			};
			let owed = GROUPS.iter().fold(0u128, |sum, group| {
				let budget: u128 = reward.budgets.get(*group).unique_saturated_into();
				sum.saturating_add(pro_rata(budget, points.get(*group), reward.points.get(*group)))
			});
			BalanceOf::<T>::unique_saturated_from(owed)
		}

		/// Adds `points` to `who` in `group` for the current era, if a stream runs.
		pub(crate) fn note(who: &T::AccountId, group: Group, points: u128) {
			if points == 0 || !Params::<T>::exists() {
				return;
			}
			let era = CurrentEra::<T>::get();
			AccountPoints::<T>::mutate(era, who, |entry| {
				entry.get_or_insert_with(Default::default).add(group, points)
			});
			CurrentPoints::<T>::mutate(|totals| totals.add(group, points));
		}

		/// Closes the current era in block `now`: mints and records its budgets, opens the
		/// next one, and expires the era that falls out of the history.
		pub(crate) fn close_era(now: BlockNumberFor<T>, params: &RewardParamsOf<T>) {
			let era = CurrentEra::<T>::get();
			let points = CurrentPoints::<T>::take();
			// A group without points gets no budget, so its part is never minted.
			let budget = |share: Perbill, group: Group| {
				if points.get(group) == 0 {
					Zero::zero()
				} else {
					share.mul_floor(params.emission_per_era)
				}
			};
			let mut budgets = PerGroup {
				workers: budget(params.worker_share, Group::Workers),
				auditors: budget(params.auditor_share, Group::Auditors),
				contributors: budget(params.contributor_share, Group::Contributors),
			};
			let total = budgets.total();
			if !total.is_zero() && T::Currency::mint_into(&Self::account_id(), total).is_err() {
				// Nothing was minted, so nothing can be claimed.
				budgets = Default::default();
			}
			Eras::<T>::insert(era, EraReward { budgets, points, claimed: Zero::zero() });
			CurrentEra::<T>::put(era.saturating_add(1));
			EraStart::<T>::put(now);
			Self::deposit_event(Event::EraClosed { era, budgets, points });
			if let Some(expired) = era.checked_sub(T::HistoryDepth::get()) {
				Self::expire(expired);
			}
		}

		/// Ends the claims of `era`: what is left of its budgets goes to the treasury.
		fn expire(era: EraIndex) {
			let Some(reward) = Eras::<T>::take(era) else { return };
			let unclaimed = reward.budgets.total().saturating_sub(reward.claimed);
			if !unclaimed.is_zero() {
				// If the treasury cannot take it, it stays in the pallet's account: never lost.
				let _ = T::Currency::transfer(
					&Self::account_id(),
					&T::TreasuryAccount::get(),
					unclaimed,
					Preservation::Preserve,
				);
			}
			Self::deposit_event(Event::EraExpired { era, unclaimed });
		}

		/// Deletes up to `limit` points entries of expired eras, oldest era first, and
		/// returns how many it deleted.
		pub(crate) fn clear_expired(limit: u32) -> u32 {
			let live_from = CurrentEra::<T>::get().saturating_sub(T::HistoryDepth::get());
			let oldest = CleanedUpTo::<T>::get();
			if oldest >= live_from {
				return 0;
			}
			// One call per block: a cursor does not carry over, and entries deleted in this
			// block would be visited again.
			let result = AccountPoints::<T>::clear_prefix(oldest, limit, None);
			if result.maybe_cursor.is_none() {
				CleanedUpTo::<T>::put(oldest.saturating_add(1));
			}
			result.unique
		}
	}
}
