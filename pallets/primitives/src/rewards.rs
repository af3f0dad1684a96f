//! Contributor rewards: the trait through which the `Jobs` pallet reports verified work to
//! the `Rewards` pallet.

use crate::ModelId;

/// Reward points: an account's weight in one group's share of an era's emission.
pub type RewardPoints = u128;

/// Receives the work that earns era rewards, as jobs are settled.
///
/// Implemented by the `Rewards` pallet; `()` ignores everything, for runtimes and tests
/// without a reward stream. Each call must be O(1) in storage: it runs inside the
/// settlement of a job.
pub trait RewardsHook<AccountId> {
	/// Worker `who` delivered a result that was accepted, worth `units` compute units.
	fn worker_delivered(who: &AccountId, units: RewardPoints);

	/// Auditor `who` re-ran a job and judged it the same way as the final verdict.
	fn auditor_honest(who: &AccountId);

	/// An accepted job used `model`, worth `units` compute units; the model's contributors
	/// share them by their royalty shares.
	fn model_used(model: ModelId, units: RewardPoints);
}

impl<AccountId> RewardsHook<AccountId> for () {
	fn worker_delivered(_: &AccountId, _: RewardPoints) {}
	fn auditor_honest(_: &AccountId) {}
	fn model_used(_: ModelId, _: RewardPoints) {}
}
