//! The Rewards pallet's data: the reward parameters, the three groups and an era's record.

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use frame_system::pallet_prelude::BlockNumberFor;
use scale_info::TypeInfo;
use serde::{Deserialize, Serialize};
use sp_runtime::{traits::Saturating, Perbill};
use verinfer_primitives::RewardPoints;

use crate::BalanceOf;

/// An era's number, counted from zero.
pub type EraIndex = u32;

/// The governable parameters of the reward stream.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Clone,
	PartialEq,
	Eq,
	Debug,
	Serialize,
	Deserialize,
)]
pub struct RewardParams<Balance, BlockNumber> {
	/// How many blocks an era lasts.
	pub era_length: BlockNumber,
	/// The most minted per era (zero turns the stream off). A group's part is minted only
	/// if the group earned points in the era.
	pub emission_per_era: Balance,
	/// The workers' share of the emission, by verified compute units.
	pub worker_share: Perbill,
	/// The auditors' share of the emission, by honest audits.
	pub auditor_share: Perbill,
	/// The model contributors' share of the emission, by the usage of their models.
	pub contributor_share: Perbill,
}

/// The parameters of the runtime `T`.
pub type RewardParamsOf<T> = RewardParams<BalanceOf<T>, BlockNumberFor<T>>;

/// The three groups that share an era's emission.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
)]
pub enum Group {
	/// Workers, by verified compute units delivered.
	Workers,
	/// Auditors, by audits judged the same way as the final verdict.
	Auditors,
	/// Model contributors, by the usage of their models.
	Contributors,
}

/// One value per group.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Clone,
	Copy,
	Default,
	PartialEq,
	Eq,
	Debug,
)]
pub struct PerGroup<V> {
	/// The workers' value.
	pub workers: V,
	/// The auditors' value.
	pub auditors: V,
	/// The model contributors' value.
	pub contributors: V,
}

impl<V: Copy + Saturating> PerGroup<V> {
	/// The value of `group`.
	pub fn get(&self, group: Group) -> V {
		match group {
			Group::Workers => self.workers,
			Group::Auditors => self.auditors,
			Group::Contributors => self.contributors,
		}
	}

	/// Adds `amount` to the value of `group`, saturating.
	pub fn add(&mut self, group: Group, amount: V) {
		let slot = match group {
			Group::Workers => &mut self.workers,
			Group::Auditors => &mut self.auditors,
			Group::Contributors => &mut self.contributors,
		};
		*slot = slot.saturating_add(amount);
	}

	/// The sum over the groups, saturating.
	pub fn total(&self) -> V {
		self.workers.saturating_add(self.auditors).saturating_add(self.contributors)
	}
}

/// Points per group.
pub type Points = PerGroup<RewardPoints>;

/// What a closed era pays: recorded once, when the era closes, and read by every claim.
#[derive(
	Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Clone, PartialEq, Eq, Debug,
)]
pub struct EraReward<Balance> {
	/// Each group's budget, minted into the pallet's account at the close.
	pub budgets: PerGroup<Balance>,
	/// Each group's points in the era.
	pub points: Points,
	/// What has been claimed so far; never more than the budgets' total.
	pub claimed: Balance,
}

/// All groups, in the order they are paid.
pub const GROUPS: [Group; 3] = [Group::Workers, Group::Auditors, Group::Contributors];
