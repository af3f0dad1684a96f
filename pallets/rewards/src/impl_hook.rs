//! How the Rewards pallet turns the `Jobs` pallet's reports into points.

use crate::{pallet::*, Group};
use alloc::vec::Vec;
use verinfer_primitives::{split_by_weight, ModelId, ModelRegistry, RewardPoints, RewardsHook};

impl<T: Config> RewardsHook<T::AccountId> for Pallet<T> {
	fn worker_delivered(who: &T::AccountId, units: RewardPoints) {
		Self::note(who, Group::Workers, units);
	}

	fn auditor_honest(who: &T::AccountId) {
		Self::note(who, Group::Auditors, 1);
	}

	fn model_used(model: ModelId, units: RewardPoints) {
		if units == 0 || !Params::<T>::exists() {
			return;
		}
		let Some(contributors) = T::Models::model(model).map(|m| m.spec.contributors) else {
			return;
		};
		// The usage is shared by royalty share, so a model's contributors together earn
		// the same points per unit whatever their shares add up to.
		let weights: Vec<u32> = contributors.iter().map(|c| c.share.deconstruct()).collect();
		for (contributor, points) in contributors.iter().zip(split_by_weight(units, &weights)) {
			Self::note(&contributor.payee, Group::Contributors, points);
		}
	}
}
