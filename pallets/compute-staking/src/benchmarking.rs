//! Benchmarks of the staking calls, each in its worst case: full model lists, active sets
//! one short of full, and the most unlocking chunks.

use super::*;
use alloc::vec::Vec;
use frame_benchmarking::v2::*;
use frame_support::{
	traits::{
		fungible::{Inspect, Mutate},
		EnsureOrigin, Get,
	},
	BoundedVec,
};
use frame_system::{pallet_prelude::BlockNumberFor, RawOrigin};
use sp_runtime::traits::{Bounded, Saturating, Zero};
use verinfer_primitives::{ModelRegistry, RoleKind};

/// Gives `who` enough to bond `value` twice over.
pub(crate) fn fund<T: Config>(who: &T::AccountId, value: BalanceOf<T>) {
	let amount = value
		.saturating_mul(2u32.into())
		.saturating_add(T::Currency::minimum_balance())
		.saturating_add(1_000_000u32.into());
	T::Currency::set_balance(who, amount);
}

/// `n` distinct approved models.
fn approved_models<T: Config>(n: u32) -> Result<ModelsOf<T>, BenchmarkError> {
	let owner: T::AccountId = account("owner", 0, 0);
	let models: Vec<_> = (0..n)
		.map(|_| {
			let schema = verinfer_primitives::TensorSchema {
				element: verinfer_primitives::ElementType::Utf8,
				shape: Default::default(),
				max_bytes: 1024,
			};
			T::Models::register_approved_for_benchmark(
				owner.clone(),
				schema.clone(),
				schema,
				verinfer_primitives::VerificationClass::Exact,
			)
		})
		.collect::<Option<_>>()
		.ok_or(BenchmarkError::Stop("the registry cannot create benchmark models"))?;
	models.try_into().map_err(|_| BenchmarkError::Stop("too many models"))
}

/// Fills the active set of each model with other workers, leaving room for `room` more.
fn fill_workers<T: Config>(models: &ModelsOf<T>, room: u32) {
	let others = T::MaxWorkersPerModel::get().saturating_sub(room);
	for model in models.iter() {
		let set: Vec<T::AccountId> = (0..others).map(|i| account("other", i, *model)).collect();
		ActiveWorkers::<T>::insert(model, BoundedVec::truncate_from(set));
	}
}

fn longest_endpoint<T: Config>() -> EndpointOf<T> {
	BoundedVec::truncate_from(alloc::vec![b'e'; T::MaxEndpointLen::get() as usize])
}

/// Bonds `who` as a worker for the most models, each in an otherwise full active set.
fn busiest_worker<T: Config>(
	who: &T::AccountId,
	extra: BalanceOf<T>,
) -> Result<ModelsOf<T>, BenchmarkError> {
	let models = approved_models::<T>(T::MaxModelsPerWorker::get())?;
	fill_workers::<T>(&models, 1);
	let value = Pallet::<T>::min_stake(RoleKind::Worker).saturating_add(extra);
	fund::<T>(who, value);
	Pallet::<T>::bond_worker(
		RawOrigin::Signed(who.clone()).into(),
		value,
		models.clone(),
		1u32.into(),
		longest_endpoint::<T>(),
		T::MaxWorkerCapacity::get(),
	)
	.map_err(|_| BenchmarkError::Stop("cannot bond the benchmark worker"))?;
	Ok(models)
}

/// Unbonds one unit per block `chunks` times, starting at block `from`.
fn unbond_chunks<T: Config>(
	who: &T::AccountId,
	chunks: u32,
	from: u32,
) -> Result<(), BenchmarkError> {
	for i in 0..chunks {
		frame_system::Pallet::<T>::set_block_number(from.saturating_add(i).into());
		Pallet::<T>::unbond(RawOrigin::Signed(who.clone()).into(), 1u32.into())
			.map_err(|_| BenchmarkError::Stop("cannot unbond"))?;
	}
	Ok(())
}

fn governance<T: Config>() -> Result<T::RuntimeOrigin, BenchmarkError> {
	T::ParamsOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)
}

#[benchmarks]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn bond_worker(m: Linear<1, { T::MaxModelsPerWorker::get() }>) -> Result<(), BenchmarkError> {
		let caller: T::AccountId = whitelisted_caller();
		let models = approved_models::<T>(m)?;
		fill_workers::<T>(&models, 1);
		let value = Pallet::<T>::min_stake(RoleKind::Worker);
		fund::<T>(&caller, value);

		#[extrinsic_call]
		_(
			RawOrigin::Signed(caller.clone()),
			value,
			models,
			1u32.into(),
			longest_endpoint::<T>(),
			T::MaxWorkerCapacity::get(),
		);

		assert!(Ledgers::<T>::get(&caller).is_some_and(|l| l.on_duty));
		Ok(())
	}

	#[benchmark]
	fn bond_auditor() {
		let caller: T::AccountId = whitelisted_caller();
		let others = T::MaxAuditors::get().saturating_sub(1);
		let set: Vec<T::AccountId> = (0..others).map(|i| account("other", i, 0)).collect();
		ActiveAuditors::<T>::put(BoundedVec::truncate_from(set));
		let value = Pallet::<T>::min_stake(RoleKind::Auditor);
		fund::<T>(&caller, value);

		#[extrinsic_call]
		_(RawOrigin::Signed(caller.clone()), value);

		assert!(ActiveAuditors::<T>::get().contains(&caller));
	}

	#[benchmark]
	fn bond_extra() -> Result<(), BenchmarkError> {
		let caller: T::AccountId = whitelisted_caller();
		busiest_worker::<T>(&caller, Zero::zero())?;

		#[extrinsic_call]
		_(RawOrigin::Signed(caller.clone()), 1u32.into());

		let expected = Pallet::<T>::min_stake(RoleKind::Worker).saturating_add(1u32.into());
		assert!(Ledgers::<T>::get(&caller).is_some_and(|l| l.active == expected));
		Ok(())
	}

	#[benchmark]
	fn unbond() -> Result<(), BenchmarkError> {
		let caller: T::AccountId = whitelisted_caller();
		let chunks = T::MaxUnlockingChunks::get().saturating_sub(1);
		busiest_worker::<T>(&caller, chunks.into())?;
		unbond_chunks::<T>(&caller, chunks, 1)?;
		frame_system::Pallet::<T>::set_block_number(chunks.saturating_add(1).into());
		// Unbonding everything left takes the worker out of every active set.
		let rest = Pallet::<T>::min_stake(RoleKind::Worker);

		#[extrinsic_call]
		_(RawOrigin::Signed(caller.clone()), rest);

		assert!(Ledgers::<T>::get(&caller).is_some_and(|l| !l.on_duty));
		Ok(())
	}

	#[benchmark]
	fn withdraw_unbonded() -> Result<(), BenchmarkError> {
		let caller: T::AccountId = whitelisted_caller();
		let chunks = T::MaxUnlockingChunks::get().saturating_sub(1);
		busiest_worker::<T>(&caller, chunks.into())?;
		unbond_chunks::<T>(&caller, chunks, 1)?;
		frame_system::Pallet::<T>::set_block_number(chunks.saturating_add(1).into());
		let rest = Pallet::<T>::min_stake(RoleKind::Worker);
		Pallet::<T>::unbond(RawOrigin::Signed(caller.clone()).into(), rest)
			.map_err(|_| BenchmarkError::Stop("cannot unbond"))?;
		frame_system::Pallet::<T>::set_block_number(BlockNumberFor::<T>::max_value());

		#[extrinsic_call]
		_(RawOrigin::Signed(caller.clone()));

		assert!(Ledgers::<T>::get(&caller).is_none());
		Ok(())
	}

	#[benchmark]
	fn chill() -> Result<(), BenchmarkError> {
		let caller: T::AccountId = whitelisted_caller();
		busiest_worker::<T>(&caller, Zero::zero())?;

		#[extrinsic_call]
		_(RawOrigin::Signed(caller.clone()));

		assert!(Ledgers::<T>::get(&caller).is_some_and(|l| !l.on_duty));
		Ok(())
	}

	#[benchmark]
	fn activate() -> Result<(), BenchmarkError> {
		let caller: T::AccountId = whitelisted_caller();
		busiest_worker::<T>(&caller, Zero::zero())?;
		Pallet::<T>::chill(RawOrigin::Signed(caller.clone()).into())
			.map_err(|_| BenchmarkError::Stop("cannot chill"))?;

		#[extrinsic_call]
		_(RawOrigin::Signed(caller.clone()));

		assert!(Ledgers::<T>::get(&caller).is_some_and(|l| l.on_duty));
		Ok(())
	}

	#[benchmark]
	fn update_worker(m: Linear<1, { T::MaxModelsPerWorker::get() }>) -> Result<(), BenchmarkError> {
		let caller: T::AccountId = whitelisted_caller();
		busiest_worker::<T>(&caller, Zero::zero())?;
		let new_models = approved_models::<T>(m)?;
		fill_workers::<T>(&new_models, 1);

		#[extrinsic_call]
		_(
			RawOrigin::Signed(caller.clone()),
			new_models.clone(),
			2u32.into(),
			longest_endpoint::<T>(),
			T::MaxWorkerCapacity::get(),
		);

		let first = new_models.first().copied().unwrap_or_default();
		assert!(ActiveWorkers::<T>::get(first).contains(&caller));
		Ok(())
	}

	#[benchmark]
	fn chill_other() -> Result<(), BenchmarkError> {
		let worker: T::AccountId = account("worker", 0, 0);
		busiest_worker::<T>(&worker, Zero::zero())?;
		MinWorkerStake::<T>::put(
			Pallet::<T>::min_stake(RoleKind::Worker).saturating_add(1u32.into()),
		);
		let caller: T::AccountId = whitelisted_caller();

		#[extrinsic_call]
		_(RawOrigin::Signed(caller), worker.clone());

		assert!(Ledgers::<T>::get(&worker).is_some_and(|l| !l.on_duty));
		Ok(())
	}

	#[benchmark]
	fn set_min_stake() -> Result<(), BenchmarkError> {
		let origin = governance::<T>()?;
		let amount = T::MinStakeCeiling::get();

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, RoleKind::Auditor, amount);

		assert!(MinAuditorStake::<T>::get() == amount);
		Ok(())
	}

	#[benchmark]
	fn set_unbonding_delay() -> Result<(), BenchmarkError> {
		let origin = governance::<T>()?;
		let delay = T::DisputeWindow::get();

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, delay);

		assert!(UnbondingDelay::<T>::get() == delay);
		Ok(())
	}

	impl_benchmark_test_suite!(Pallet, crate::mock::new_test_ext(), crate::mock::Test);
}
