//! Tests of the Rewards pallet on the mock runtime, by topic.

mod claims;
mod issuance;
mod params;

use crate::{mock::*, AccountPoints, Pallet};
use frame_support::traits::fungible::Inspect;
use verinfer_primitives::RewardsHook;

/// Reports a delivered job of `units` for `worker`, as Jobs does when it accepts a result.
pub fn delivered(worker: u64, model: u32, units: u128) {
	<Pallet<Test> as RewardsHook<u64>>::worker_delivered(&worker, units);
	<Pallet<Test> as RewardsHook<u64>>::model_used(model, units);
}

/// Reports an honest audit by `auditor`.
pub fn audited(auditor: u64) {
	<Pallet<Test> as RewardsHook<u64>>::auditor_honest(&auditor);
}

/// The reward account's balance.
pub fn pot() -> u64 {
	Balances::balance(&Rewards::account_id())
}

/// Whether `who` still has points in `era`.
pub fn has_points(era: u32, who: u64) -> bool {
	AccountPoints::<Test>::contains_key(era, who)
}
