//! Benchmarks of the registry's calls, each in its worst case.

use super::*;
use alloc::{boxed::Box, vec::Vec};
use frame_benchmarking::v2::*;
use frame_support::traits::{
	fungible::{Inspect, Mutate},
	EnsureOrigin, Get,
};
use frame_system::RawOrigin;
use sp_runtime::{traits::Saturating, Perbill};
use verinfer_primitives::{
	Contributor, ElementType, ModelId, ModelRegistry, ModelSpec, ModelStatus, SpecBuilder,
	TensorSchema, VerificationClass, WeightsFormat, MAX_CONTRIBUTORS, MAX_LOCATION_LEN,
	MAX_NAME_LEN, MAX_VERSION_LEN,
};

/// A valid description with `contributors` contributors and every byte field at its
/// maximum length, unique per `id`.
pub(crate) fn spec_for<T: Config>(
	id: ModelId,
	contributors: u32,
) -> ModelSpec<T::AccountId, BalanceOf<T>> {
	let mut name = id.to_le_bytes().to_vec();
	name.resize(MAX_NAME_LEN as usize, b'n');
	let share = Perbill::from_rational(1, MAX_CONTRIBUTORS);
	let contributors: Vec<_> = (0..contributors)
		.map(|i| {
			let who: T::AccountId = account("contributor", i, 0);
			Contributor { payee: who.clone(), who, share }
		})
		.collect();
	SpecBuilder::new(&name, 1u32.into())
		.version(&[b'v'; MAX_VERSION_LEN as usize])
		.weights([7u8; 32], WeightsFormat::SafeTensors)
		.location(&[b'l'; MAX_LOCATION_LEN as usize])
		.input(TensorSchema::fixed(ElementType::U8, &[1, 1, 28, 28]))
		.output(TensorSchema::fixed(ElementType::F32, &[384]))
		.verification(VerificationClass::Tolerance {
			max_abs: 1_000_000,
			min_cosine: Perbill::from_parts(999_000_000),
		})
		.contributors(contributors)
		.build()
}

/// A funded account that registered a proposal with `contributors` contributors.
fn proposal<T: Config>(contributors: u32) -> Result<(T::AccountId, ModelId), BenchmarkError> {
	let owner: T::AccountId = whitelisted_caller();
	fund::<T>(&owner);
	let id = NextModelId::<T>::get();
	Pallet::<T>::register_model(
		RawOrigin::Signed(owner.clone()).into(),
		Box::new(spec_for::<T>(id, contributors)),
	)
	.map_err(|_| BenchmarkError::Stop("cannot register a benchmark model"))?;
	Ok((owner, id))
}

fn fund<T: Config>(who: &T::AccountId) {
	let amount = T::ModelDeposit::get()
		.saturating_mul(10u32.into())
		.saturating_add(T::Currency::minimum_balance());
	T::Currency::set_balance(who, amount);
}

fn governance<T: Config>() -> Result<T::RuntimeOrigin, BenchmarkError> {
	T::ModelOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)
}

#[benchmarks]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn register_model(c: Linear<0, MAX_CONTRIBUTORS>) {
		let owner: T::AccountId = whitelisted_caller();
		fund::<T>(&owner);
		// Genesis may already hold models: the new one gets the next id.
		let id = crate::NextModelId::<T>::get();
		let spec = Box::new(spec_for::<T>(id, c));

		#[extrinsic_call]
		_(RawOrigin::Signed(owner.clone()), spec);

		assert_eq!(
			<Pallet<T> as ModelRegistry<_, _>>::model(id).map(|m| m.status),
			Some(ModelStatus::Proposed)
		);
	}

	#[benchmark]
	fn approve_model() -> Result<(), BenchmarkError> {
		let (_, id) = proposal::<T>(MAX_CONTRIBUTORS)?;
		let origin = governance::<T>()?;

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, id);

		assert_eq!(
			<Pallet<T> as ModelRegistry<_, _>>::model(id).map(|m| m.status),
			Some(ModelStatus::Approved)
		);
		Ok(())
	}

	#[benchmark]
	fn reject_model() -> Result<(), BenchmarkError> {
		let (_, id) = proposal::<T>(MAX_CONTRIBUTORS)?;
		let origin = governance::<T>()?;

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, id);

		assert_eq!(<Pallet<T> as ModelRegistry<_, _>>::model(id).map(|m| m.status), None);
		Ok(())
	}

	#[benchmark]
	fn deprecate_model() -> Result<(), BenchmarkError> {
		let (_, id) = proposal::<T>(MAX_CONTRIBUTORS)?;
		Pallet::<T>::approve_model(governance::<T>()?, id)
			.map_err(|_| BenchmarkError::Stop("cannot approve"))?;
		let origin = governance::<T>()?;

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, id);

		assert_eq!(
			<Pallet<T> as ModelRegistry<_, _>>::model(id).map(|m| m.status),
			Some(ModelStatus::Deprecated)
		);
		Ok(())
	}

	#[benchmark]
	fn set_contributor_payee() -> Result<(), BenchmarkError> {
		let (_, id) = proposal::<T>(MAX_CONTRIBUTORS)?;
		// The last contributor is the one found last.
		let contributor: T::AccountId = account("contributor", MAX_CONTRIBUTORS - 1, 0);
		let payee: T::AccountId = account("payee", 0, 0);

		#[extrinsic_call]
		_(RawOrigin::Signed(contributor), id, payee.clone());

		let royalties = Models::<T>::get(id).map(|m| m.spec.contributors);
		assert!(royalties.is_some_and(|c| c.iter().any(|c| c.payee == payee)));
		Ok(())
	}

	impl_benchmark_test_suite!(Pallet, crate::mock::new_test_ext(), crate::mock::Test);
}
