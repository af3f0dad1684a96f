//! Weights for `pallet_rewards`.
//!
//! NOT YET MEASURED: these are conservative estimates, written by hand before the first
//! benchmark run, with the storage accesses counted from the code and execution times set
//! above those of the `Jobs` calls of similar shape measured on the same runtime. Regenerate
//! them with `scripts/benchmark.sh pallet_rewards`, which overwrites this file from
//! `benchmarking.rs` and `scripts/frame-weight-template.hbs`.

#![cfg_attr(rustfmt, rustfmt_skip)]
#![allow(unused_parens)]
#![allow(unused_imports)]
#![allow(missing_docs)]
#![allow(dead_code)]

use frame_support::{traits::Get, weights::{Weight, constants::ParityDbWeight}};
use core::marker::PhantomData;

/// Weight functions needed for `pallet_rewards`.
pub trait WeightInfo {
	fn claim_rewards() -> Weight;
	fn set_params() -> Weight;
	fn on_initialize_open() -> Weight;
	fn on_initialize_close() -> Weight;
	fn clear_points(n: u32, ) -> Weight;
}

/// Weights for `pallet_rewards` on the verinfer runtime (estimates; see above).
pub struct SubstrateWeight<T>(PhantomData<T>);
impl<T: frame_system::Config> WeightInfo for SubstrateWeight<T> {
	/// Storage: `Rewards::CurrentEra` (r:1 w:0)
	/// Storage: `Rewards::Eras` (r:1 w:1)
	/// Storage: `Rewards::AccountPoints` (r:1 w:1)
	/// Storage: `System::Account` (r:2 w:2)
	fn claim_rewards() -> Weight {
		Weight::from_parts(1_200_000_000, 6_000)
			.saturating_add(T::DbWeight::get().reads(5_u64))
			.saturating_add(T::DbWeight::get().writes(4_u64))
	}
	/// Storage: `Rewards::Params` (r:1 w:1)
	/// Storage: `Rewards::EraStart` (r:0 w:1)
	fn set_params() -> Weight {
		Weight::from_parts(300_000_000, 1_600)
			.saturating_add(T::DbWeight::get().reads(1_u64))
			.saturating_add(T::DbWeight::get().writes(2_u64))
	}
	/// Storage: `Rewards::Params` (r:1 w:0)
	/// Storage: `Rewards::EraStart` (r:1 w:0)
	fn on_initialize_open() -> Weight {
		Weight::from_parts(150_000_000, 1_600)
			.saturating_add(T::DbWeight::get().reads(2_u64))
	}
	/// Storage: `Rewards::Params` (r:1 w:0)
	/// Storage: `Rewards::EraStart` (r:1 w:1)
	/// Storage: `Rewards::CurrentEra` (r:1 w:1)
	/// Storage: `Rewards::CurrentPoints` (r:1 w:1)
	/// Storage: `Rewards::Eras` (r:1 w:2)
	/// Storage: `System::Account` (r:2 w:2)
	/// Storage: `Balances::TotalIssuance` (r:1 w:1)
	fn on_initialize_close() -> Weight {
		Weight::from_parts(2_000_000_000, 6_000)
			.saturating_add(T::DbWeight::get().reads(8_u64))
			.saturating_add(T::DbWeight::get().writes(8_u64))
	}
	/// Storage: `Rewards::CurrentEra` (r:1 w:0)
	/// Storage: `Rewards::CleanedUpTo` (r:1 w:1)
	/// Storage: `Rewards::AccountPoints` (r:0 w:n)
	/// The range of component `n` is `[0, MaxCleanupPerBlock]`.
	fn clear_points(n: u32, ) -> Weight {
		Weight::from_parts(200_000_000, 1_500)
			.saturating_add(Weight::from_parts(100_000_000, 0).saturating_mul(n.into()))
			.saturating_add(T::DbWeight::get().reads(2_u64))
			.saturating_add(T::DbWeight::get().writes(1_u64))
			.saturating_add(T::DbWeight::get().writes(1_u64).saturating_mul(n.into()))
	}
}

// For backwards compatibility and tests.
impl WeightInfo for () {
	/// Storage: `Rewards::CurrentEra` (r:1 w:0)
	/// Storage: `Rewards::Eras` (r:1 w:1)
	/// Storage: `Rewards::AccountPoints` (r:1 w:1)
	/// Storage: `System::Account` (r:2 w:2)
	fn claim_rewards() -> Weight {
		Weight::from_parts(1_200_000_000, 6_000)
			.saturating_add(ParityDbWeight::get().reads(5_u64))
			.saturating_add(ParityDbWeight::get().writes(4_u64))
	}
	/// Storage: `Rewards::Params` (r:1 w:1)
	/// Storage: `Rewards::EraStart` (r:0 w:1)
	fn set_params() -> Weight {
		Weight::from_parts(300_000_000, 1_600)
			.saturating_add(ParityDbWeight::get().reads(1_u64))
			.saturating_add(ParityDbWeight::get().writes(2_u64))
	}
	/// Storage: `Rewards::Params` (r:1 w:0)
	/// Storage: `Rewards::EraStart` (r:1 w:0)
	fn on_initialize_open() -> Weight {
		Weight::from_parts(150_000_000, 1_600)
			.saturating_add(ParityDbWeight::get().reads(2_u64))
	}
	/// Storage: `Rewards::Params` (r:1 w:0)
	/// Storage: `Rewards::EraStart` (r:1 w:1)
	/// Storage: `Rewards::CurrentEra` (r:1 w:1)
	/// Storage: `Rewards::CurrentPoints` (r:1 w:1)
	/// Storage: `Rewards::Eras` (r:1 w:2)
	/// Storage: `System::Account` (r:2 w:2)
	/// Storage: `Balances::TotalIssuance` (r:1 w:1)
	fn on_initialize_close() -> Weight {
		Weight::from_parts(2_000_000_000, 6_000)
			.saturating_add(ParityDbWeight::get().reads(8_u64))
			.saturating_add(ParityDbWeight::get().writes(8_u64))
	}
	/// Storage: `Rewards::CurrentEra` (r:1 w:0)
	/// Storage: `Rewards::CleanedUpTo` (r:1 w:1)
	/// Storage: `Rewards::AccountPoints` (r:0 w:n)
	/// The range of component `n` is `[0, MaxCleanupPerBlock]`.
	fn clear_points(n: u32, ) -> Weight {
		Weight::from_parts(200_000_000, 1_500)
			.saturating_add(Weight::from_parts(100_000_000, 0).saturating_mul(n.into()))
			.saturating_add(ParityDbWeight::get().reads(2_u64))
			.saturating_add(ParityDbWeight::get().writes(1_u64))
			.saturating_add(ParityDbWeight::get().writes(1_u64).saturating_mul(n.into()))
	}
}
