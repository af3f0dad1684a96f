//! The registry as other pallets see it: [`ModelRegistry`].

use crate::{BalanceOf, Config, Models, Pallet};
use verinfer_primitives::{ModelId, ModelRegistry, ModelView};

impl<T: Config> ModelRegistry<T::AccountId, BalanceOf<T>> for Pallet<T> {
	fn model(model: ModelId) -> Option<ModelView<T::AccountId, BalanceOf<T>>> {
		Models::<T>::get(model).map(|m| ModelView { status: m.status, spec: m.spec })
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
		Pallet::<T>::insert_model(
			owner,
			spec,
			Default::default(),
			verinfer_primitives::ModelStatus::Approved,
		)
		.ok()
	}
}
