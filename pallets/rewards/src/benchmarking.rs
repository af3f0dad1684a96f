//! Benchmarks of every call and of the hooks' work, at their worst case.

use super::*;
use crate::pallet::*;
use frame_benchmarking::v2::*;
use frame_support::{
	pallet_prelude::*,
	traits::{fungible::Mutate, Hooks},
};
use frame_system::{pallet_prelude::BlockNumberFor, RawOrigin};
use sp_runtime::{
	traits::{Bounded, Saturating, Zero},
	Perbill,
};
use verinfer_primitives::RewardsHook;

/// Parameters under which every group gets a third of the most the runtime may mint.
fn bench_params<T: Config>() -> RewardParamsOf<T> {
	RewardParams {
		era_length: T::MinEraLength::get(),
		emission_per_era: T::MaxEmissionPerEra::get(),
		worker_share: Perbill::from_percent(33),
		auditor_share: Perbill::from_percent(33),
		contributor_share: Perbill::from_percent(33),
	}
}

fn funded<T: Config>(name: &'static str, index: u32) -> T::AccountId {
	let who: T::AccountId = account(name, index, 0);
	T::Currency::set_balance(&who, BalanceOf::<T>::max_value() / 1_000_000u32.into());
	who
}

/// Credits `who` with points in every group of the current era, next to another account so
/// that the pro-rata division is not trivial.
fn earn_everywhere<T: Config>(who: &T::AccountId) {
	let other: T::AccountId = account("other", 0, 0);
	for account in [who, &other] {
		Pallet::<T>::worker_delivered(account, 1_000);
		Pallet::<T>::auditor_honest(account);
		Pallet::<T>::note(account, Group::Contributors, 1_000);
	}
}

/// Closes the current era at the block its length ends.
fn close_current<T: Config>() {
	let params = Params::<T>::get().expect("params are set");
	let at = EraStart::<T>::get().saturating_add(params.era_length);
	frame_system::Pallet::<T>::set_block_number(at);
	Pallet::<T>::on_initialize(at);
}

/// Sets the parameters and makes sure the reward account exists.
fn stream<T: Config>() {
	Params::<T>::put(bench_params::<T>());
	let pot = Pallet::<T>::account_id();
	if T::Currency::balance(&pot) < T::Currency::minimum_balance() {
		T::Currency::set_balance(&pot, T::Currency::minimum_balance());
	}
}

#[benchmarks]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn claim_rewards() {
		stream::<T>();
		let who = funded::<T>("claimant", 0);
		earn_everywhere::<T>(&who);
		close_current::<T>();
		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()), 0);
		assert!(AccountPoints::<T>::get(0, &who).is_none());
		assert!(Eras::<T>::get(0).is_some_and(|e| !e.claimed.is_zero()));
	}

	#[benchmark]
	fn set_params() -> Result<(), BenchmarkError> {
		// The first parameters also start the first era.
		let p = bench_params::<T>();
		let origin =
			T::ParamsOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, p.clone());
		assert_eq!(Params::<T>::get(), Some(p));
		Ok(())
	}

	/// A block inside an era: only the check that it has not ended.
	#[benchmark]
	fn on_initialize_open() {
		stream::<T>();
		let now: BlockNumberFor<T> = EraStart::<T>::get();
		#[block]
		{
			Pallet::<T>::on_initialize(now);
		}
		assert_eq!(CurrentEra::<T>::get(), 0);
	}

	/// The block that closes an era: every group earned, so all three budgets are minted,
	/// and the era that falls out of the history expires with rewards left to move to the
	/// treasury.
	#[benchmark]
	fn on_initialize_close() {
		stream::<T>();
		let treasury = T::TreasuryAccount::get();
		if T::Currency::balance(&treasury) < T::Currency::minimum_balance() {
			T::Currency::set_balance(&treasury, T::Currency::minimum_balance());
		}
		let who = funded::<T>("claimant", 0);
		for _ in 0..=T::HistoryDepth::get() {
			earn_everywhere::<T>(&who);
			if CurrentEra::<T>::get() < T::HistoryDepth::get() {
				close_current::<T>();
			}
		}
		let closing = CurrentEra::<T>::get();
		let expiring = closing - T::HistoryDepth::get();
		assert!(Eras::<T>::get(expiring).is_some());
		let params = Params::<T>::get().expect("params are set");
		let at = EraStart::<T>::get().saturating_add(params.era_length);
		frame_system::Pallet::<T>::set_block_number(at);
		#[block]
		{
			Pallet::<T>::on_initialize(at);
		}
		assert_eq!(CurrentEra::<T>::get(), closing + 1);
		assert!(Eras::<T>::get(expiring).is_none());
	}

	/// `n` points entries of an expired era are deleted.
	#[benchmark]
	fn clear_points(n: Linear<0, { T::MaxCleanupPerBlock::get() }>) {
		stream::<T>();
		for i in 0..n {
			let who: T::AccountId = account("earner", i, 0);
			Pallet::<T>::worker_delivered(&who, 1);
		}
		for _ in 0..=T::HistoryDepth::get() {
			close_current::<T>();
		}
		assert!(Eras::<T>::get(0).is_none());
		#[block]
		{
			Pallet::<T>::clear_expired(n);
		}
		assert!(AccountPoints::<T>::iter_prefix(0).next().is_none());
	}

	impl_benchmark_test_suite!(Pallet, crate::mock::new_test_ext(), crate::mock::Test);
}
