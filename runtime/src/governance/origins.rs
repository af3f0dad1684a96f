//! The governance origins: what a referendum on each non-root track dispatches as.
//!
//! A referendum dispatches its proposal with the origin of its track. Root is the `root`
//! track's; the other tracks get an origin of this pallet, and each pallet that governance
//! controls names the origins it accepts in `configs`:
//!
//! | origin | track | controls |
//! |---|---|---|
//! | [`Origin::ParametersAdmin`] | `parameters` | `Jobs::set_params`, `ComputeStaking::set_min_stake` and `set_unbonding_delay` |
//! | [`Origin::ModelsAdmin`] | `models` | `Models::approve_model`, `reject_model` and `deprecate_model` |
//! | [`Origin::Treasurer`] | `treasury` | `Treasury::spend`, up to [`TREASURER_SPEND_LIMIT`] a referendum |
//!
//! The pallet also keeps the [`GovernancePace`], fixed at genesis, that picks the length of
//! every governance period (see [`super::tracks`]).

pub use pallet_custom_origins::*;

#[frame_support::pallet]
pub mod pallet_custom_origins {
	use crate::{Balance, INF};
	use frame_support::{pallet_prelude::*, traits::OriginTrait};

	/// The most one `treasury` track referendum can spend: 100,000 INF.
	pub const TREASURER_SPEND_LIMIT: Balance = 100_000 * INF;

	#[pallet::config]
	pub trait Config: frame_system::Config {}

	#[pallet::pallet]
	pub struct Pallet<T>(_);

	/// The origin a referendum on a non-root track dispatches its proposal with.
	#[derive(
		PartialEq, Eq, Clone, MaxEncodedLen, Encode, Decode, DecodeWithMemTracking, TypeInfo, Debug,
	)]
	#[pallet::origin]
	pub enum Origin {
		/// The `parameters` track: the market and staking parameters.
		ParametersAdmin,
		/// The `models` track: approving, rejecting and deprecating registry entries.
		ModelsAdmin,
		/// The `treasury` track: spending from the treasury, up to a limit.
		Treasurer,
	}

	/// How long governance periods are on this chain.
	#[derive(
		PartialEq,
		Eq,
		Clone,
		Copy,
		Default,
		MaxEncodedLen,
		Encode,
		Decode,
		TypeInfo,
		Debug,
		frame_support::Serialize,
		frame_support::Deserialize,
	)]
	#[serde(crate = "frame_support::__private::serde")]
	pub enum GovernancePace {
		/// Days-long decision periods and locks: every public chain.
		#[default]
		Production,
		/// Periods of a few blocks, so that a referendum passes within a test or a demo on
		/// the development chain.
		Development,
	}

	/// The pace of this chain's governance. Set once at genesis; no call changes it, so a
	/// live chain cannot be switched to development periods (only a runtime upgrade could).
	#[pallet::storage]
	pub type Pace<T> = StorageValue<_, GovernancePace, ValueQuery>;

	#[pallet::genesis_config]
	#[derive(frame_support::DefaultNoBound)]
	pub struct GenesisConfig<T: Config> {
		/// The chain's governance pace.
		pub pace: GovernancePace,
		#[serde(skip)]
		pub _config: core::marker::PhantomData<T>,
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		fn build(&self) {
			Pace::<T>::put(self.pace);
		}
	}

	/// Whether the chain runs development governance periods.
	pub fn is_development<T: Config>() -> bool {
		Pace::<T>::get() == GovernancePace::Development
	}

	/// Implements `EnsureOrigin` for a unit variant of [`Origin`], with `()` as success.
	macro_rules! decl_unit_ensures {
		( $($name:ident),* $(,)? ) => { $(
			#[doc = concat!("Accepts only the [`Origin::", stringify!($name), "`] origin.")]
			pub struct $name;
			impl<O: OriginTrait + From<Origin>> EnsureOrigin<O> for $name
			where
				for<'a> &'a O::PalletsOrigin: TryInto<&'a Origin>,
			{
				type Success = ();
				fn try_origin(o: O) -> Result<Self::Success, O> {
					if let Ok(Origin::$name) = o.caller().try_into() {
						return Ok(());
					}
					Err(o)
				}
				#[cfg(feature = "runtime-benchmarks")]
				fn try_successful_origin() -> Result<O, ()> {
					Ok(O::from(Origin::$name))
				}
			}
		)* };
	}
	decl_unit_ensures!(ParametersAdmin, ModelsAdmin);

	/// Accepts the [`Origin::Treasurer`] origin and yields the most it may spend,
	/// [`TREASURER_SPEND_LIMIT`].
	pub struct Treasurer;
	impl<O: OriginTrait + From<Origin>> EnsureOrigin<O> for Treasurer
	where
		for<'a> &'a O::PalletsOrigin: TryInto<&'a Origin>,
	{
		type Success = Balance;
		fn try_origin(o: O) -> Result<Self::Success, O> {
			if let Ok(Origin::Treasurer) = o.caller().try_into() {
				return Ok(TREASURER_SPEND_LIMIT);
			}
			Err(o)
		}
		#[cfg(feature = "runtime-benchmarks")]
		fn try_successful_origin() -> Result<O, ()> {
			Ok(O::from(Origin::Treasurer))
		}
	}
}
