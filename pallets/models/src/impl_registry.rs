//! The registry as other pallets see it: [`ModelRegistry`].

use crate::{BalanceOf, Config, Models, Pallet};
use verinfer_primitives::{
	Contributors, ModelId, ModelRegistry, ModelStatus, TensorSchema, VerificationClass, WeightsHash,
};

impl<T: Config> ModelRegistry<T::AccountId, BalanceOf<T>> for Pallet<T> {
	fn status(model: ModelId) -> Option<ModelStatus> {
		Models::<T>::get(model).map(|m| m.status)
	}

	fn verification_class(model: ModelId) -> Option<VerificationClass> {
		Models::<T>::get(model).map(|m| m.spec.verification)
	}

	fn input_schema(model: ModelId) -> Option<TensorSchema> {
		Models::<T>::get(model).map(|m| m.spec.input)
	}

	fn output_schema(model: ModelId) -> Option<TensorSchema> {
		Models::<T>::get(model).map(|m| m.spec.output)
	}

	fn weights_hash(model: ModelId) -> Option<WeightsHash> {
		Models::<T>::get(model).map(|m| m.spec.weights_hash)
	}

	fn base_price(model: ModelId) -> Option<BalanceOf<T>> {
		Models::<T>::get(model).map(|m| m.spec.base_price)
	}

	fn royalties(model: ModelId) -> Option<Contributors<T::AccountId>> {
		Models::<T>::get(model).map(|m| m.spec.contributors)
	}

	#[cfg(feature = "runtime-benchmarks")]
	fn register_approved_for_benchmark(
		owner: T::AccountId,
		input: verinfer_primitives::TensorSchema,
		output: verinfer_primitives::TensorSchema,
		verification: verinfer_primitives::VerificationClass,
	) -> Option<ModelId> {
		let id = crate::NextModelId::<T>::get();
		let mut spec =
			crate::benchmarking::spec_for::<T>(id, verinfer_primitives::MAX_CONTRIBUTORS);
		spec.input = input;
		spec.output = output;
		spec.verification = verification;
		Pallet::<T>::insert_model(owner, spec, Default::default(), ModelStatus::Approved).ok()
	}
}
