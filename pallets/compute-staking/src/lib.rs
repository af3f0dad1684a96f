//! # Compute staking pallet
//!
//! Bonding for the accounts that do verinfer's work: GPU **workers**, which run inference
//! jobs, and **auditors**, which re-run a random sample of them. The runtime names it
//! `ComputeStaking`, not `Staking`: wallets assume that a pallet called `Staking` is FRAME's
//! nominated proof-of-stake.
//!
//! ## Concepts
//!
//! - **Bond.** An account bonds INF for one role, worker or auditor. The funds stay in the
//!   account, on hold for [`HoldReason::Bond`]: they cannot be spent or transferred, and
//!   they are what a slash takes from. A worker also names the approved models it serves
//!   (at most [`Config::MaxModelsPerWorker`]), its price per job, its capacity (the most
//!   jobs it takes at once, at most [`Config::MaxWorkerCapacity`]) and a short endpoint
//!   description. An account that wants both roles uses two accounts.
//! - **Minimum stake.** Each role has a minimum ([`MinWorkerStake`], [`MinAuditorStake`]),
//!   which only [`Config::ParamsOrigin`] (governance) can change, within
//!   [`Config::MinStakeFloor`] and [`Config::MinStakeCeiling`].
//! - **Active duty.** A bonded account at or above its minimum is *active*: it is in the
//!   active set of each model it serves ([`ActiveWorkers`]) or in [`ActiveAuditors`], and
//!   only active accounts are given new work. The sets are bounded
//!   ([`Config::MaxWorkersPerModel`], [`Config::MaxAuditors`]), so a caller reads a whole
//!   set in one bounded storage read (the `Jobs` pallet filters it by price, capacity and
//!   reputation, then draws from what is left, weighted). An account leaves duty when it
//!   *chills* ([`Pallet::chill`]), when it unbonds or is slashed below its minimum, when
//!   the `Jobs` pallet takes it off duty for missed deadlines in several blocks in a row
//!   (`ComputeStakingInterface::take_off_duty`), or when anyone
//!   chills it for being below a raised minimum ([`Pallet::chill_other`]); it comes back
//!   with [`Pallet::activate`].
//! - **Unbonding.** [`Pallet::unbond`] moves part of the active bond into an unlocking chunk
//!   (at most [`Config::MaxUnlockingChunks`]) that matures after [`UnbondingDelay`] blocks;
//!   [`Pallet::withdraw_unbonded`] releases the matured chunks. Unlocking funds stay on hold
//!   and can still be slashed. The delay is never shorter than [`Config::DisputeWindow`],
//!   so stake cannot leave before the disputes about the work it backed are settled.
//! - **Slashing.** Other pallets (the `Jobs` pallet) slash an account's bond, unlocking
//!   funds included: a fraction of everything bonded for a lost audit
//!   ([`ComputeStakingInterface::slash`](verinfer_primitives::ComputeStakingInterface::slash)),
//!   or a fixed amount, at most the bond, for a missed deadline
//!   ([`ComputeStakingInterface::slash_exact`](verinfer_primitives::ComputeStakingInterface::slash_exact)).
//!   The funds go to [`Config::Slash`] (the treasury) or to an account such as a reporter;
//!   none are burnt or minted. See [`slashing`] for the arithmetic.
//! - **Reputation.** Counters of jobs completed, audits passed and failed, and missed
//!   deadlines, kept by the `Jobs` pallet through the same interface ([`Reputations`]).
//!
//! ## Interface
//!
//! Other pallets use [`ComputeStakingInterface`](verinfer_primitives::ComputeStakingInterface),
//! which this pallet implements; they never depend on it directly. The models a worker
//! serves are checked against a [`ModelRegistry`](verinfer_primitives::ModelRegistry).
#![cfg_attr(not(feature = "std"), no_std)]
// Tests and mocks may use plain arithmetic and indexing: a mistake there fails the test.
#![cfg_attr(test, allow(clippy::arithmetic_side_effects, clippy::indexing_slicing))]

extern crate alloc;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
mod duty;
mod impl_interface;
#[cfg(test)]
mod mock;
pub mod slashing;
#[cfg(test)]
mod tests;
mod types;
pub mod weights;

pub use pallet::*;
pub use types::*;
pub use weights::WeightInfo;

#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use frame_support::{
		pallet_prelude::*,
		traits::{
			fungible::{self, BalancedHold, MutateHold},
			tokens::Precision,
			OnUnbalanced,
		},
	};
	use frame_system::pallet_prelude::*;
	use sp_runtime::traits::{Saturating, Zero};
	use verinfer_primitives::{ModelRegistry, Reputation, RoleKind, SlashDestination};

	/// The in-code storage version.
	const STORAGE_VERSION: StorageVersion = StorageVersion::new(0);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	/// The pallet's configuration.
	#[pallet::config]
	pub trait Config: frame_system::Config {
		/// The currency bonds are held in.
		type Currency: fungible::Mutate<Self::AccountId>
			+ MutateHold<Self::AccountId, Reason = Self::RuntimeHoldReason>
			+ BalancedHold<Self::AccountId>;

		/// The overarching hold reason.
		type RuntimeHoldReason: From<HoldReason>;

		/// The model registry: workers may only serve models that take jobs.
		type Models: ModelRegistry<Self::AccountId, BalanceOf<Self>>;

		/// Who sets the minimum stakes and the unbonding delay: governance.
		type ParamsOrigin: EnsureOrigin<Self::RuntimeOrigin>;

		/// How long stake stays slashable once it stops backing new work: the unbonding delay
		/// is never shorter. The runtime gives the `Jobs` pallet the same constant, and Jobs
		/// refuses parameters whose longest job timeline (to the end of a dispute) exceeds it.
		#[pallet::constant]
		type DisputeWindow: Get<BlockNumberFor<Self>>;

		/// The unbonding delay until governance sets one.
		#[pallet::constant]
		type DefaultUnbondingDelay: Get<BlockNumberFor<Self>>;

		/// The minimum worker stake until governance sets one.
		#[pallet::constant]
		type DefaultMinWorkerStake: Get<BalanceOf<Self>>;

		/// The minimum auditor stake until governance sets one.
		#[pallet::constant]
		type DefaultMinAuditorStake: Get<BalanceOf<Self>>;

		/// The lowest minimum stake governance may set. Must be positive, so an active
		/// account always has something at risk.
		#[pallet::constant]
		type MinStakeFloor: Get<BalanceOf<Self>>;

		/// The highest minimum stake governance may set, so that a typo cannot push every
		/// worker out of duty.
		#[pallet::constant]
		type MinStakeCeiling: Get<BalanceOf<Self>>;

		/// The most active workers per model.
		#[pallet::constant]
		type MaxWorkersPerModel: Get<u32>;

		/// The most active auditors.
		#[pallet::constant]
		type MaxAuditors: Get<u32>;

		/// The most models one worker serves.
		#[pallet::constant]
		type MaxModelsPerWorker: Get<u32>;

		/// The most unlocking chunks per account; withdraw matured ones to make room.
		#[pallet::constant]
		type MaxUnlockingChunks: Get<u32>;

		/// The longest worker endpoint description, in bytes.
		#[pallet::constant]
		type MaxEndpointLen: Get<u32>;

		/// The largest capacity (jobs taken at once) a worker may declare.
		#[pallet::constant]
		type MaxWorkerCapacity: Get<u32>;

		/// Receives slashes whose destination is the treasury.
		type Slash: OnUnbalanced<CreditOf<Self>>;

		/// Weights of this pallet's calls.
		type WeightInfo: WeightInfo;
	}

	/// Why this pallet holds funds.
	#[pallet::composite_enum]
	pub enum HoldReason {
		/// Bonded by a worker or auditor, active or unbonding.
		#[codec(index = 0)]
		Bond,
	}

	/// Everything each bonded account has bonded.
	#[pallet::storage]
	pub type Ledgers<T: Config> = StorageMap<_, Blake2_128Concat, T::AccountId, StakeLedger<T>>;

	/// The active workers serving each model, in no particular order.
	#[pallet::storage]
	pub type ActiveWorkers<T: Config> = StorageMap<
		_,
		Twox64Concat,
		verinfer_primitives::ModelId,
		BoundedVec<T::AccountId, T::MaxWorkersPerModel>,
		ValueQuery,
	>;

	/// The active auditors, in no particular order.
	#[pallet::storage]
	pub type ActiveAuditors<T: Config> =
		StorageValue<_, BoundedVec<T::AccountId, T::MaxAuditors>, ValueQuery>;

	/// Each account's track record. Kept after the account unbonds, so that leaving and
	/// bonding again does not wipe a bad record.
	#[pallet::storage]
	pub type Reputations<T: Config> =
		StorageMap<_, Blake2_128Concat, T::AccountId, Reputation, ValueQuery>;

	/// The minimum worker stake until governance sets one: [`Config::DefaultMinWorkerStake`].
	#[pallet::type_value]
	pub fn MinWorkerStakeOnEmpty<T: Config>() -> BalanceOf<T> {
		T::DefaultMinWorkerStake::get()
	}

	/// The minimum auditor stake until governance sets one:
	/// [`Config::DefaultMinAuditorStake`].
	#[pallet::type_value]
	pub fn MinAuditorStakeOnEmpty<T: Config>() -> BalanceOf<T> {
		T::DefaultMinAuditorStake::get()
	}

	/// The unbonding delay until governance sets one: [`Config::DefaultUnbondingDelay`].
	#[pallet::type_value]
	pub fn UnbondingDelayOnEmpty<T: Config>() -> BlockNumberFor<T> {
		T::DefaultUnbondingDelay::get()
	}

	/// The least a worker must have bonded to be active.
	#[pallet::storage]
	pub type MinWorkerStake<T: Config> =
		StorageValue<_, BalanceOf<T>, ValueQuery, MinWorkerStakeOnEmpty<T>>;

	/// The least an auditor must have bonded to be active.
	#[pallet::storage]
	pub type MinAuditorStake<T: Config> =
		StorageValue<_, BalanceOf<T>, ValueQuery, MinAuditorStakeOnEmpty<T>>;

	/// How many blocks unbonded funds wait before they can be withdrawn.
	#[pallet::storage]
	pub type UnbondingDelay<T: Config> =
		StorageValue<_, BlockNumberFor<T>, ValueQuery, UnbondingDelayOnEmpty<T>>;

	/// Events of this pallet.
	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// An account bonded as a worker and is active.
		WorkerBonded {
			/// The worker.
			who: T::AccountId,
			/// What it bonded.
			amount: BalanceOf<T>,
			/// The models it serves.
			models: ModelsOf<T>,
			/// The most jobs it takes at once.
			capacity: u32,
		},
		/// An account bonded as an auditor and is active.
		AuditorBonded {
			/// The auditor.
			who: T::AccountId,
			/// What it bonded.
			amount: BalanceOf<T>,
		},
		/// A bonded account added to its bond.
		BondedExtra {
			/// The bonded account.
			who: T::AccountId,
			/// What it added.
			amount: BalanceOf<T>,
		},
		/// Funds started unbonding; they can be withdrawn from block `unlock_at`.
		Unbonded {
			/// The bonded account.
			who: T::AccountId,
			/// What started unbonding.
			amount: BalanceOf<T>,
			/// The first block in which the funds can be withdrawn.
			unlock_at: BlockNumberFor<T>,
		},
		/// Matured unbonded funds were released to the account.
		Withdrawn {
			/// The account the funds were released to.
			who: T::AccountId,
			/// What was released.
			amount: BalanceOf<T>,
		},
		/// An account has nothing bonded any more and its ledger was removed.
		LedgerRemoved {
			/// The account.
			who: T::AccountId,
		},
		/// An account left active duty: it takes no new work.
		Chilled {
			/// The account.
			who: T::AccountId,
		},
		/// An account is active again.
		Activated {
			/// The account.
			who: T::AccountId,
		},
		/// A worker changed its models, price, endpoint or capacity.
		WorkerUpdated {
			/// The worker.
			who: T::AccountId,
			/// The models it now serves.
			models: ModelsOf<T>,
			/// What it now asks per job.
			price: BalanceOf<T>,
			/// The most jobs it now takes at once.
			capacity: u32,
		},
		/// Bonded funds were slashed and sent to `destination`.
		Slashed {
			/// The account slashed.
			who: T::AccountId,
			/// What was taken, at most what the account had bonded.
			amount: BalanceOf<T>,
			/// Where the slashed funds went.
			destination: SlashDestination<T::AccountId>,
		},
		/// Governance set a role's minimum stake.
		MinStakeSet {
			/// The role the minimum applies to.
			role: RoleKind,
			/// The new minimum stake.
			amount: BalanceOf<T>,
		},
		/// Governance set the unbonding delay.
		UnbondingDelaySet {
			/// The new delay, in blocks.
			delay: BlockNumberFor<T>,
		},
	}

	/// Errors of this pallet.
	#[pallet::error]
	pub enum Error<T> {
		/// The account has already bonded; use `bond_extra` (one role per account).
		AlreadyBonded,
		/// The account has not bonded.
		NotBonded,
		/// The account bonded as an auditor, not as a worker.
		NotWorker,
		/// The bond would be below the role's minimum stake.
		BelowMinimumStake,
		/// The amount is zero.
		ZeroAmount,
		/// The account's free balance cannot cover the bond (the existential deposit stays
		/// free).
		InsufficientBalance,
		/// More is asked to unbond than is actively bonded.
		InsufficientBond,
		/// All unlocking chunks are in use; withdraw matured ones first.
		TooManyUnlockingChunks,
		/// No unbonded funds have matured yet.
		NothingToWithdraw,
		/// A worker must serve at least one model.
		NoModels,
		/// A model appears twice in the list.
		DuplicateModel,
		/// A model is unknown or does not take jobs (not approved, or deprecated).
		ModelNotApproved,
		/// A model already has the most active workers it may have.
		TooManyWorkers,
		/// The auditor set is full.
		TooManyAuditors,
		/// The account is already chilled.
		AlreadyChilled,
		/// The account is already active.
		AlreadyActive,
		/// The account is at or above its minimum stake, so only it can chill itself.
		CannotChillOther,
		/// The minimum stake is outside `[MinStakeFloor, MinStakeCeiling]`.
		MinStakeOutOfRange,
		/// The unbonding delay would be shorter than the dispute window, letting stake leave
		/// before a dispute could slash it.
		UnbondingDelayBelowDisputeWindow,
		/// A worker's capacity must be at least one job and at most `MaxWorkerCapacity`.
		CapacityOutOfRange,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		fn integrity_test() {
			assert!(
				T::DefaultUnbondingDelay::get() >= T::DisputeWindow::get(),
				"the unbonding delay must not be shorter than the dispute window"
			);
			let (floor, ceiling) = (T::MinStakeFloor::get(), T::MinStakeCeiling::get());
			assert!(!floor.is_zero(), "the minimum stake floor must be positive");
			for default in [T::DefaultMinWorkerStake::get(), T::DefaultMinAuditorStake::get()] {
				assert!(floor <= default && default <= ceiling, "default minimum out of range");
			}
		}

		#[cfg(feature = "try-runtime")]
		fn try_state(_n: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Bonds `value` as a worker serving `models` at `price` per job, taking at most
		/// `capacity` jobs at once, and makes the caller active. Every model must take jobs.
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::bond_worker(models.len() as u32))]
		pub fn bond_worker(
			origin: OriginFor<T>,
			#[pallet::compact] value: BalanceOf<T>,
			models: ModelsOf<T>,
			#[pallet::compact] price: BalanceOf<T>,
			endpoint: EndpointOf<T>,
			capacity: u32,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::check_models(&models)?;
			Self::check_capacity(capacity)?;
			let role =
				Role::Worker(WorkerPrefs { models: models.clone(), price, endpoint, capacity });
			Self::bond(&who, value, role)?;
			Self::deposit_event(Event::WorkerBonded { who, amount: value, models, capacity });
			Ok(())
		}

		/// Bonds `value` as an auditor and makes the caller active.
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::bond_auditor())]
		pub fn bond_auditor(
			origin: OriginFor<T>,
			#[pallet::compact] value: BalanceOf<T>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::bond(&who, value, Role::Auditor)?;
			Self::deposit_event(Event::AuditorBonded { who, amount: value });
			Ok(())
		}

		/// Adds `value` to the caller's active bond. A chilled account stays chilled; call
		/// `activate` to take work again.
		#[pallet::call_index(2)]
		#[pallet::weight(T::WeightInfo::bond_extra())]
		pub fn bond_extra(
			origin: OriginFor<T>,
			#[pallet::compact] value: BalanceOf<T>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			ensure!(!value.is_zero(), Error::<T>::ZeroAmount);
			let mut ledger = Ledgers::<T>::get(&who).ok_or(Error::<T>::NotBonded)?;
			T::Currency::hold(&HoldReason::Bond.into(), &who, value)
				.map_err(|_| Error::<T>::InsufficientBalance)?;
			ledger.active = ledger.active.saturating_add(value);
			Ledgers::<T>::insert(&who, ledger);
			Self::deposit_event(Event::BondedExtra { who, amount: value });
			Ok(())
		}

		/// Starts unbonding `value` of the active bond. The funds stay on hold, and
		/// slashable, for [`UnbondingDelay`] blocks. If the rest is below the role's minimum,
		/// the caller leaves active duty.
		#[pallet::call_index(3)]
		#[pallet::weight(T::WeightInfo::unbond())]
		pub fn unbond(
			origin: OriginFor<T>,
			#[pallet::compact] value: BalanceOf<T>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			ensure!(!value.is_zero(), Error::<T>::ZeroAmount);
			let mut ledger = Ledgers::<T>::get(&who).ok_or(Error::<T>::NotBonded)?;
			ensure!(value <= ledger.active, Error::<T>::InsufficientBond);
			let unlock_at = frame_system::Pallet::<T>::block_number()
				.saturating_add(UnbondingDelay::<T>::get());
			// Unbonding twice in one block extends the same chunk instead of using another.
			match ledger.unlocking.last_mut() {
				Some(last) if last.unlock_at == unlock_at => {
					last.value = last.value.saturating_add(value)
				},
				_ => ledger
					.unlocking
					.try_push(UnlockChunk { value, unlock_at })
					.map_err(|_| Error::<T>::TooManyUnlockingChunks)?,
			}
			ledger.active = ledger.active.saturating_sub(value);
			Self::deposit_event(Event::Unbonded { who: who.clone(), amount: value, unlock_at });
			Self::chill_if_below_minimum(&who, &mut ledger);
			Ledgers::<T>::insert(&who, ledger);
			Ok(())
		}

		/// Releases every matured unlocking chunk to the caller's free balance. When nothing
		/// is left bonded, the ledger is removed (the reputation stays).
		#[pallet::call_index(4)]
		#[pallet::weight(T::WeightInfo::withdraw_unbonded())]
		pub fn withdraw_unbonded(origin: OriginFor<T>) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let mut ledger = Ledgers::<T>::get(&who).ok_or(Error::<T>::NotBonded)?;
			let now = frame_system::Pallet::<T>::block_number();
			let mut matured = BalanceOf::<T>::zero();
			ledger.unlocking.retain(|chunk| {
				let ripe = chunk.unlock_at <= now;
				if ripe {
					matured = matured.saturating_add(chunk.value);
				}
				!ripe
			});
			ensure!(!matured.is_zero(), Error::<T>::NothingToWithdraw);
			T::Currency::release(&HoldReason::Bond.into(), &who, matured, Precision::Exact)?;
			Self::deposit_event(Event::Withdrawn { who: who.clone(), amount: matured });
			Self::store_or_remove(&who, ledger);
			Ok(())
		}

		/// Stops taking new work without unbonding. Work already assigned must still be
		/// delivered.
		#[pallet::call_index(5)]
		#[pallet::weight(T::WeightInfo::chill())]
		pub fn chill(origin: OriginFor<T>) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let mut ledger = Ledgers::<T>::get(&who).ok_or(Error::<T>::NotBonded)?;
			ensure!(ledger.on_duty, Error::<T>::AlreadyChilled);
			Self::leave_duty(&who, &mut ledger);
			Ledgers::<T>::insert(&who, ledger);
			Self::deposit_event(Event::Chilled { who });
			Ok(())
		}

		/// Takes new work again after a chill. The bond must meet the role's minimum and, for
		/// a worker, every model it serves must still take jobs.
		#[pallet::call_index(6)]
		#[pallet::weight(T::WeightInfo::activate())]
		pub fn activate(origin: OriginFor<T>) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let mut ledger = Ledgers::<T>::get(&who).ok_or(Error::<T>::NotBonded)?;
			ensure!(!ledger.on_duty, Error::<T>::AlreadyActive);
			if let Role::Worker(prefs) = &ledger.role {
				Self::check_models(&prefs.models)?;
			}
			Self::enter_duty(&who, &mut ledger)?;
			Ledgers::<T>::insert(&who, ledger);
			Self::deposit_event(Event::Activated { who });
			Ok(())
		}

		/// Replaces the caller's models, price, endpoint and capacity. An active worker moves
		/// to the active sets of its new models at once; a lower capacity applies to new
		/// assignments, jobs already assigned stay.
		#[pallet::call_index(7)]
		#[pallet::weight(T::WeightInfo::update_worker(models.len() as u32))]
		pub fn update_worker(
			origin: OriginFor<T>,
			models: ModelsOf<T>,
			#[pallet::compact] price: BalanceOf<T>,
			endpoint: EndpointOf<T>,
			capacity: u32,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let mut ledger = Ledgers::<T>::get(&who).ok_or(Error::<T>::NotBonded)?;
			ensure!(matches!(ledger.role, Role::Worker(_)), Error::<T>::NotWorker);
			Self::check_models(&models)?;
			Self::check_capacity(capacity)?;
			let was_on_duty = ledger.on_duty;
			if was_on_duty {
				Self::leave_duty(&who, &mut ledger);
			}
			ledger.role =
				Role::Worker(WorkerPrefs { models: models.clone(), price, endpoint, capacity });
			if was_on_duty {
				Self::enter_duty(&who, &mut ledger)?;
			}
			Ledgers::<T>::insert(&who, ledger);
			Self::deposit_event(Event::WorkerUpdated { who, models, price, capacity });
			Ok(())
		}

		/// Chills `who` if its active bond is below its role's minimum, which happens when
		/// governance raises the minimum. Anyone may call it, so the active sets only hold
		/// accounts that meet the current minimum.
		#[pallet::call_index(8)]
		#[pallet::weight(T::WeightInfo::chill_other())]
		pub fn chill_other(origin: OriginFor<T>, who: T::AccountId) -> DispatchResult {
			ensure_signed(origin)?;
			let mut ledger = Ledgers::<T>::get(&who).ok_or(Error::<T>::NotBonded)?;
			ensure!(ledger.on_duty, Error::<T>::AlreadyChilled);
			ensure!(
				ledger.active < Self::min_stake(ledger.role.kind()),
				Error::<T>::CannotChillOther
			);
			Self::leave_duty(&who, &mut ledger);
			Ledgers::<T>::insert(&who, ledger);
			Self::deposit_event(Event::Chilled { who });
			Ok(())
		}

		/// Sets the minimum stake of `role`, within `[MinStakeFloor, MinStakeCeiling]`.
		/// Accounts already active stay active until they are chilled (`chill_other`).
		#[pallet::call_index(9)]
		#[pallet::weight(T::WeightInfo::set_min_stake())]
		pub fn set_min_stake(
			origin: OriginFor<T>,
			role: RoleKind,
			#[pallet::compact] amount: BalanceOf<T>,
		) -> DispatchResult {
			T::ParamsOrigin::ensure_origin(origin)?;
			ensure!(
				T::MinStakeFloor::get() <= amount && amount <= T::MinStakeCeiling::get(),
				Error::<T>::MinStakeOutOfRange
			);
			match role {
				RoleKind::Worker => MinWorkerStake::<T>::put(amount),
				RoleKind::Auditor => MinAuditorStake::<T>::put(amount),
			}
			Self::deposit_event(Event::MinStakeSet { role, amount });
			Ok(())
		}

		/// Sets the unbonding delay for funds unbonded from now on. It may not be shorter
		/// than [`Config::DisputeWindow`].
		#[pallet::call_index(10)]
		#[pallet::weight(T::WeightInfo::set_unbonding_delay())]
		pub fn set_unbonding_delay(
			origin: OriginFor<T>,
			delay: BlockNumberFor<T>,
		) -> DispatchResult {
			T::ParamsOrigin::ensure_origin(origin)?;
			ensure!(delay >= T::DisputeWindow::get(), Error::<T>::UnbondingDelayBelowDisputeWindow);
			UnbondingDelay::<T>::put(delay);
			Self::deposit_event(Event::UnbondingDelaySet { delay });
			Ok(())
		}
	}

	impl<T: Config> Pallet<T> {
		/// Holds `value` from `who`, records a ledger for `role` and puts `who` on duty.
		fn bond(who: &T::AccountId, value: BalanceOf<T>, role: Role<T>) -> DispatchResult {
			ensure!(!Ledgers::<T>::contains_key(who), Error::<T>::AlreadyBonded);
			ensure!(value >= Self::min_stake(role.kind()), Error::<T>::BelowMinimumStake);
			T::Currency::hold(&HoldReason::Bond.into(), who, value)
				.map_err(|_| Error::<T>::InsufficientBalance)?;
			let mut ledger =
				StakeLedger { role, active: value, unlocking: Default::default(), on_duty: false };
			Self::enter_duty(who, &mut ledger)?;
			Ledgers::<T>::insert(who, ledger);
			Ok(())
		}

		/// Checks a worker's capacity: at least one job, at most `MaxWorkerCapacity`.
		fn check_capacity(capacity: u32) -> DispatchResult {
			ensure!(
				(1..=T::MaxWorkerCapacity::get()).contains(&capacity),
				Error::<T>::CapacityOutOfRange
			);
			Ok(())
		}

		/// Checks a worker's model list: not empty, no duplicates, every model takes jobs.
		fn check_models(models: &ModelsOf<T>) -> DispatchResult {
			ensure!(!models.is_empty(), Error::<T>::NoModels);
			// Bounded by `MaxModelsPerWorker`, so the quadratic scan is cheap.
			for (i, model) in models.iter().enumerate() {
				ensure!(
					!models.iter().skip(i.saturating_add(1)).any(|m| m == model),
					Error::<T>::DuplicateModel
				);
				ensure!(
					T::Models::model(*model).is_some_and(|m| m.accepts_jobs()),
					Error::<T>::ModelNotApproved
				);
			}
			Ok(())
		}
	}
}
