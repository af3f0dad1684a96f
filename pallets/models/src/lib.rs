//! # Models pallet
//!
//! The registry of the inference models that verinfer runs jobs for.
//!
//! ## Concepts
//!
//! - **Model entry.** A model is registered once per name and version. Its entry pins the
//!   weights file by sha256 and format, says where workers fetch the file from, describes
//!   the input and output with a [`TensorSchema`](verinfer_primitives::TensorSchema) each,
//!   fixes how results are compared (its
//!   [`VerificationClass`](verinfer_primitives::VerificationClass)), names the contributors
//!   who receive royalties, and suggests a base price per job. See [`ModelInfo`].
//! - **Lifecycle.** A new entry is `Proposed`. The [`Config::ModelOrigin`] (governance)
//!   approves it, which makes it take jobs, or rejects it, which deletes it and slashes the
//!   deposit. An approved model is later deprecated: it takes no new jobs, but its entry
//!   stays forever so that jobs still running can be judged and paid. Nothing about an
//!   approved model can change except where its contributors are paid; an improved model
//!   is a new registration with a new version.
//! - **Deposit.** Registering places [`Config::ModelDeposit`] on hold
//!   ([`HoldReason::ModelDeposit`]) in the owner's account. It pays for the storage and for
//!   governance's attention: it goes to [`Config::OnRejected`] (the treasury) if the
//!   proposal is rejected, and back to the owner when the model is deprecated.
//! - **Royalties.** Each contributor has a `Perbill` share of every job fee; the shares of a
//!   model add up to at most 100 %. A contributor may point its share at another payee
//!   account with [`Pallet::set_contributor_payee`].
//!
//! ## Interface
//!
//! Other pallets read the registry through
//! [`ModelRegistry`](verinfer_primitives::ModelRegistry), which this pallet implements; they
//! never depend on it directly. Models listed in the [`GenesisConfig`] are registered and
//! approved at genesis without a deposit.
#![cfg_attr(not(feature = "std"), no_std)]
// Tests and mocks may use plain arithmetic and indexing: a mistake there fails the test.
#![cfg_attr(test, allow(clippy::arithmetic_side_effects, clippy::indexing_slicing))]

extern crate alloc;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
mod impl_registry;
#[cfg(test)]
mod mock;
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
	use alloc::{boxed::Box, vec::Vec};
	use frame_support::{
		pallet_prelude::*,
		traits::{
			fungible::{self, BalancedHold, MutateHold},
			tokens::Precision,
			Imbalance, OnUnbalanced,
		},
	};
	use frame_system::pallet_prelude::*;
	use verinfer_primitives::{total_royalty, ModelId, ModelSpec, ModelStatus, VerificationClass};

	/// The in-code storage version.
	const STORAGE_VERSION: StorageVersion = StorageVersion::new(0);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	/// The pallet's configuration.
	#[pallet::config]
	pub trait Config: frame_system::Config {
		/// The currency the deposit is held in.
		type Currency: fungible::Mutate<Self::AccountId>
			+ MutateHold<Self::AccountId, Reason = Self::RuntimeHoldReason>
			+ BalancedHold<Self::AccountId>;

		/// The overarching hold reason.
		type RuntimeHoldReason: From<HoldReason>;

		/// The deposit held from the owner of each registered model.
		#[pallet::constant]
		type ModelDeposit: Get<BalanceOf<Self>>;

		/// Who approves, rejects and deprecates models: governance.
		type ModelOrigin: EnsureOrigin<Self::RuntimeOrigin>;

		/// Receives the deposit of a rejected proposal (the treasury).
		type OnRejected: OnUnbalanced<CreditOf<Self>>;

		/// Weights of this pallet's calls.
		type WeightInfo: WeightInfo;
	}

	/// Why this pallet holds funds.
	#[pallet::composite_enum]
	pub enum HoldReason {
		/// The deposit of a registered model, held until it is rejected or deprecated.
		#[codec(index = 0)]
		ModelDeposit,
	}

	/// The id the next registered model gets.
	#[pallet::storage]
	pub type NextModelId<T> = StorageValue<_, ModelId, ValueQuery>;

	/// Every model ever registered and not rejected, by id. Entries are never deleted once
	/// approved.
	#[pallet::storage]
	pub type Models<T: Config> = StorageMap<_, Twox64Concat, ModelId, ModelInfoOf<T>>;

	/// The id of each registered name and version, which keeps them unique.
	#[pallet::storage]
	pub type ModelIdByName<T> = StorageMap<_, Blake2_128Concat, (ModelName, ModelVersion), ModelId>;

	/// Models registered at genesis, without a deposit.
	#[pallet::genesis_config]
	#[derive(frame_support::DefaultNoBound)]
	pub struct GenesisConfig<T: Config> {
		/// Models that are approved from the start: each one's owner and description.
		pub models: Vec<(T::AccountId, ModelSpecOf<T>)>,
		/// Models that start as proposals, for governance to approve or reject; registered
		/// after `models`.
		pub proposed: Vec<(T::AccountId, ModelSpecOf<T>)>,
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		fn build(&self) {
			let approved = self.models.iter().map(|m| (m, ModelStatus::Approved));
			let proposed = self.proposed.iter().map(|m| (m, ModelStatus::Proposed));
			for ((owner, spec), status) in approved.chain(proposed) {
				// A chain must not start with a registry it would itself reject, so an invalid
				// genesis model aborts the genesis build (this runs once, off-chain).
				if let Err(e) =
					Pallet::<T>::insert_model(owner.clone(), spec.clone(), Zero::zero(), status)
				{
					panic!("genesis model {:?} is invalid: {:?}", spec.name, e);
				}
			}
		}
	}

	/// Events of this pallet.
	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// A model was registered and awaits governance.
		ModelRegistered {
			/// The new model's id.
			model: ModelId,
			/// Who registered it.
			owner: T::AccountId,
			/// The deposit held from the owner.
			deposit: BalanceOf<T>,
		},
		/// A model was approved and now takes jobs.
		ModelApproved {
			/// The approved model.
			model: ModelId,
		},
		/// A proposed model was rejected and deleted; its deposit went to the treasury.
		ModelRejected {
			/// The rejected model.
			model: ModelId,
			/// The part of the deposit that was slashed.
			slashed: BalanceOf<T>,
		},
		/// A model was deprecated: it takes no new jobs. Its deposit went back to the owner.
		ModelDeprecated {
			/// The deprecated model.
			model: ModelId,
			/// The part of the deposit released to the owner.
			deposit_returned: BalanceOf<T>,
		},
		/// A contributor changed the account its royalties are paid to.
		ContributorPayeeSet {
			/// The model the royalties come from.
			model: ModelId,
			/// The contributor named in the model's entry.
			contributor: T::AccountId,
			/// The account its royalties are now paid to.
			payee: T::AccountId,
		},
		/// Governance changed how a model's results are compared: its tolerances.
		VerificationSet {
			/// The model.
			model: ModelId,
			/// The new verification class and tolerances.
			verification: VerificationClass,
		},
	}

	/// Errors of this pallet.
	#[pallet::error]
	pub enum Error<T> {
		/// The model name is empty.
		EmptyName,
		/// The version string is empty.
		EmptyVersion,
		/// The weights location is empty: workers would not know where to fetch the file.
		EmptyWeightsLocation,
		/// A model with this name and version is already registered; register a new version.
		DuplicateModel,
		/// The contributors' royalty shares add up to more than 100 %.
		RoyaltiesExceedWholeFee,
		/// The same account is named twice as contributor; merge its shares.
		DuplicateContributor,
		/// The input schema is malformed: a numeric tensor's `max_bytes` must equal the
		/// product of its shape times the element width; text has an empty shape; sizes are
		/// bounded by `MAX_TENSOR_BYTES`.
		InvalidInputSchema,
		/// The output schema is malformed (same rules as the input schema).
		InvalidOutputSchema,
		/// A `Tolerance` verification class needs a positive `max_abs` and `min_cosine`.
		InvalidTolerance,
		/// The caller cannot cover the model deposit.
		InsufficientBalanceForDeposit,
		/// Every model id has been used.
		ModelIdsExhausted,
		/// No model with this id.
		UnknownModel,
		/// The model is not `Proposed`: only proposals can be approved or rejected.
		NotProposed,
		/// The model is not `Approved`: only approved models can be deprecated.
		NotApproved,
		/// The caller is not one of the model's contributors.
		NotContributor,
		/// Only a Llama-family model (an LLM) can be audited by generation.
		GenerationNotOfFamily,
		/// A model's verification class cannot change kind (`Exact`, `Tolerance`,
		/// `Generation`): only its tolerances can. Register a new version for another kind.
		VerificationKindChanged,
		/// The weights format is not the one the model's family is stored in: Llama models
		/// are GGUF, the digits CNN a PyTorch pickle, BERT encoders safetensors.
		WeightsFormatNotOfFamily,
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Registers a model as a proposal and holds [`Config::ModelDeposit`] from the
		/// caller, its owner. Governance then approves or rejects it.
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::register_model(spec.contributors.len() as u32))]
		pub fn register_model(
			origin: OriginFor<T>,
			// Boxed so that this one large argument does not make every `Call` as large; a box
			// encodes as the value it holds.
			spec: Box<ModelSpecOf<T>>,
		) -> DispatchResult {
			let owner = ensure_signed(origin)?;
			let deposit = T::ModelDeposit::get();
			let model = Self::insert_model(owner.clone(), *spec, deposit, ModelStatus::Proposed)?;
			Self::deposit_event(Event::ModelRegistered { model, owner, deposit });
			Ok(())
		}

		/// Approves a proposed model: from now on it takes jobs.
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::approve_model())]
		pub fn approve_model(origin: OriginFor<T>, model: ModelId) -> DispatchResult {
			T::ModelOrigin::ensure_origin(origin)?;
			Models::<T>::try_mutate(model, |entry| {
				let info = entry.as_mut().ok_or(Error::<T>::UnknownModel)?;
				ensure!(info.status == ModelStatus::Proposed, Error::<T>::NotProposed);
				info.status = ModelStatus::Approved;
				Ok::<_, DispatchError>(())
			})?;
			Self::deposit_event(Event::ModelApproved { model });
			Ok(())
		}

		/// Rejects a proposed model: deletes it, frees its name and version, and sends its
		/// deposit to [`Config::OnRejected`].
		#[pallet::call_index(2)]
		#[pallet::weight(T::WeightInfo::reject_model())]
		pub fn reject_model(origin: OriginFor<T>, model: ModelId) -> DispatchResult {
			T::ModelOrigin::ensure_origin(origin)?;
			let info = Models::<T>::get(model).ok_or(Error::<T>::UnknownModel)?;
			ensure!(info.status == ModelStatus::Proposed, Error::<T>::NotProposed);
			let (credit, _) =
				T::Currency::slash(&HoldReason::ModelDeposit.into(), &info.owner, info.deposit);
			let slashed = credit.peek();
			T::OnRejected::on_unbalanced(credit);
			Models::<T>::remove(model);
			ModelIdByName::<T>::remove((&info.spec.name, &info.spec.version));
			Self::deposit_event(Event::ModelRejected { model, slashed });
			Ok(())
		}

		/// Deprecates an approved model: it takes no new jobs, its entry stays for the jobs
		/// still running, and its deposit goes back to the owner.
		#[pallet::call_index(3)]
		#[pallet::weight(T::WeightInfo::deprecate_model())]
		pub fn deprecate_model(origin: OriginFor<T>, model: ModelId) -> DispatchResult {
			T::ModelOrigin::ensure_origin(origin)?;
			let deposit_returned = Models::<T>::try_mutate(model, |entry| {
				let info = entry.as_mut().ok_or(Error::<T>::UnknownModel)?;
				ensure!(info.status == ModelStatus::Approved, Error::<T>::NotApproved);
				let returned = T::Currency::release(
					&HoldReason::ModelDeposit.into(),
					&info.owner,
					info.deposit,
					Precision::BestEffort,
				)?;
				info.status = ModelStatus::Deprecated;
				info.deposit = Zero::zero();
				Ok::<_, DispatchError>(returned)
			})?;
			Self::deposit_event(Event::ModelDeprecated { model, deposit_returned });
			Ok(())
		}

		/// Sets the account that the caller's royalties from `model` are paid to. The caller
		/// must be one of the model's contributors. Allowed in every status, so that royalties
		/// of jobs still running after deprecation reach the right account.
		#[pallet::call_index(4)]
		#[pallet::weight(T::WeightInfo::set_contributor_payee())]
		pub fn set_contributor_payee(
			origin: OriginFor<T>,
			model: ModelId,
			payee: T::AccountId,
		) -> DispatchResult {
			let contributor = ensure_signed(origin)?;
			Models::<T>::try_mutate(model, |entry| {
				let info = entry.as_mut().ok_or(Error::<T>::UnknownModel)?;
				let slot = info
					.spec
					.contributors
					.iter_mut()
					.find(|c| c.who == contributor)
					.ok_or(Error::<T>::NotContributor)?;
				slot.payee = payee.clone();
				Ok::<_, DispatchError>(())
			})?;
			Self::deposit_event(Event::ContributorPayeeSet { model, contributor, payee });
			Ok(())
		}

		/// Sets a model's tolerances (its verification class, of the same kind): how
		/// governance tunes an LLM's generation audit, or a float model's tolerance, after
		/// calibration. Audits judged from the next block on use the new tolerances.
		///
		/// The weight is `approve_model`'s, which reads and writes the same entry.
		#[pallet::call_index(5)]
		#[pallet::weight(T::WeightInfo::approve_model())]
		pub fn set_verification(
			origin: OriginFor<T>,
			model: ModelId,
			verification: VerificationClass,
		) -> DispatchResult {
			T::ModelOrigin::ensure_origin(origin)?;
			ensure!(verification.is_valid(), Error::<T>::InvalidTolerance);
			Models::<T>::try_mutate(model, |entry| {
				let info = entry.as_mut().ok_or(Error::<T>::UnknownModel)?;
				ensure!(
					core::mem::discriminant(&info.spec.verification)
						== core::mem::discriminant(&verification),
					Error::<T>::VerificationKindChanged
				);
				info.spec.verification = verification;
				Ok::<_, DispatchError>(())
			})?;
			Self::deposit_event(Event::VerificationSet { model, verification });
			Ok(())
		}
	}

	impl<T: Config> Pallet<T> {
		/// Checks `spec`, holds `deposit` from `owner` and stores the model with `status`.
		/// Shared by `register_model` and the genesis build.
		pub(crate) fn insert_model(
			owner: T::AccountId,
			spec: ModelSpec<T::AccountId, BalanceOf<T>>,
			deposit: BalanceOf<T>,
			status: ModelStatus,
		) -> Result<ModelId, DispatchError> {
			Self::check_spec(&spec)?;
			let key = (spec.name.clone(), spec.version.clone());
			ensure!(!ModelIdByName::<T>::contains_key(&key), Error::<T>::DuplicateModel);
			let model = NextModelId::<T>::get();
			let next = model.checked_add(1).ok_or(Error::<T>::ModelIdsExhausted)?;
			if !deposit.is_zero() {
				T::Currency::hold(&HoldReason::ModelDeposit.into(), &owner, deposit)
					.map_err(|_| Error::<T>::InsufficientBalanceForDeposit)?;
			}
			let registered_at = frame_system::Pallet::<T>::block_number();
			Models::<T>::insert(model, ModelInfo { owner, deposit, status, registered_at, spec });
			ModelIdByName::<T>::insert(key, model);
			NextModelId::<T>::put(next);
			Ok(model)
		}

		/// The checks on a model description, each with its own error.
		fn check_spec(spec: &ModelSpec<T::AccountId, BalanceOf<T>>) -> DispatchResult {
			ensure!(!spec.name.is_empty(), Error::<T>::EmptyName);
			ensure!(!spec.version.is_empty(), Error::<T>::EmptyVersion);
			ensure!(!spec.weights_location.is_empty(), Error::<T>::EmptyWeightsLocation);
			ensure!(spec.family.accepts(spec.weights_format), Error::<T>::WeightsFormatNotOfFamily);
			spec.input.validate().map_err(|_| Error::<T>::InvalidInputSchema)?;
			spec.output.validate().map_err(|_| Error::<T>::InvalidOutputSchema)?;
			ensure!(spec.verification.is_valid(), Error::<T>::InvalidTolerance);
			// Only an LLM generates text that one prefill can audit.
			ensure!(
				!matches!(spec.verification, VerificationClass::Generation(_))
					|| spec.family == verinfer_primitives::ModelFamily::Llama,
				Error::<T>::GenerationNotOfFamily
			);
			total_royalty(&spec.contributors).ok_or(Error::<T>::RoyaltiesExceedWholeFee)?;
			// At most `MAX_CONTRIBUTORS` (16) entries, so the quadratic check is cheap and
			// needs no allocation.
			for (i, c) in spec.contributors.iter().enumerate() {
				ensure!(
					!spec.contributors.iter().skip(i.saturating_add(1)).any(|d| d.who == c.who),
					Error::<T>::DuplicateContributor
				);
			}
			Ok(())
		}
	}
}
