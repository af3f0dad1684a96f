//! The referendum tracks: `root`, `parameters`, `models` and `treasury`.
//!
//! Each track fixes who may be asked to decide (its origin), how much a decision costs
//! (the decision deposit), how long each phase lasts and how much approval and support a
//! proposal needs as the decision period runs out.
//!
//! # Two paces, one runtime
//!
//! Tracks are compile-time data, but verinfer ships one runtime for every chain. The
//! lengths of the periods therefore come in two sets, and the chain's
//! [`GovernancePace`](super::origins::GovernancePace), written once at genesis, picks one:
//! the `development` preset runs periods of a few blocks so that a referendum is decided
//! and enacted within a test or a demo, every other chain runs the production periods
//! below. Deposits and curves are the same in both.
//!
//! | track | id | origin | decision deposit | max deciding | prepare | decision | confirm | min enactment |
//! |---|---|---|---|---|---|---|---|---|
//! | `root` | 0 | Root | 100,000 INF | 1 | 2 h | 14 d | 1 d | 1 d |
//! | `parameters` | 1 | `ParametersAdmin` | 10,000 INF | 10 | 1 h | 7 d | 3 h | 1 d |
//! | `models` | 2 | `ModelsAdmin` | 1,000 INF | 20 | 1 h | 7 d | 3 h | 1 h |
//! | `treasury` | 3 | `Treasurer` | 5,000 INF | 10 | 2 h | 14 d | 1 d | 1 d |
//!
//! On the development pace every track prepares for 1 block, decides within 10 (20 for
//! `root`), confirms for 2 and enacts 1 block later.
//!
//! Approval (the conviction-weighted share of ayes) falls linearly from 100% at the start of
//! the decision period to 50% at its end, on every track. Support (the share of the active
//! issuance voting aye, before conviction) falls linearly from the track's starting level to
//! its floor: `root` 50% to 1%, `parameters` and `treasury` 10% to 0.5%, `models` 5% to
//! 0.1%. A proposal that all voters back therefore passes as soon as its ayes reach the
//! support curve.

use super::origins::{is_development, Origin};
use crate::{Balance, BlockNumber, OriginCaller, Runtime, DAYS, HOURS, INF};
use alloc::borrow::Cow;
use pallet_referenda::{Curve, Track, TrackInfo};
use sp_runtime::Perbill;

/// A track's id, as stored in each referendum.
pub type TrackId = u16;

/// The `root` track: anything, as Root. Runtime upgrades go here.
pub const ROOT: TrackId = 0;
/// The `parameters` track: the market and staking parameters.
pub const PARAMETERS: TrackId = 1;
/// The `models` track: the model registry.
pub const MODELS: TrackId = 2;
/// The `treasury` track: treasury spends.
pub const TREASURY: TrackId = 3;

/// How long each phase of a referendum lasts, in blocks.
#[derive(Clone, Copy)]
struct Periods {
	prepare: BlockNumber,
	decision: BlockNumber,
	confirm: BlockNumber,
	min_enactment: BlockNumber,
}

/// One track, with its periods at both paces.
struct TrackSpec {
	id: TrackId,
	name: &'static str,
	max_deciding: u32,
	decision_deposit: Balance,
	production: Periods,
	development: Periods,
	/// The support at the start of the decision period; it falls to `support_floor`.
	support_ceil: Perbill,
	support_floor: Perbill,
}

/// The development periods of the non-root tracks: a referendum that has its decision
/// deposit and enough ayes is enacted 4 blocks after it was submitted.
const DEV: Periods = Periods { prepare: 1, decision: 10, confirm: 2, min_enactment: 1 };

const TRACKS: [TrackSpec; 4] = [
	TrackSpec {
		id: ROOT,
		name: "root",
		max_deciding: 1,
		decision_deposit: 100_000 * INF,
		production: Periods {
			prepare: 2 * HOURS,
			decision: 14 * DAYS,
			confirm: DAYS,
			min_enactment: DAYS,
		},
		development: Periods { decision: 20, ..DEV },
		support_ceil: Perbill::from_percent(50),
		support_floor: Perbill::from_percent(1),
	},
	TrackSpec {
		id: PARAMETERS,
		name: "parameters",
		max_deciding: 10,
		decision_deposit: 10_000 * INF,
		production: Periods {
			prepare: HOURS,
			decision: 7 * DAYS,
			confirm: 3 * HOURS,
			min_enactment: DAYS,
		},
		development: DEV,
		support_ceil: Perbill::from_percent(10),
		support_floor: Perbill::from_parts(5_000_000),
	},
	TrackSpec {
		id: MODELS,
		name: "models",
		max_deciding: 20,
		decision_deposit: 1_000 * INF,
		production: Periods {
			prepare: HOURS,
			decision: 7 * DAYS,
			confirm: 3 * HOURS,
			min_enactment: HOURS,
		},
		development: DEV,
		support_ceil: Perbill::from_percent(5),
		support_floor: Perbill::from_parts(1_000_000),
	},
	TrackSpec {
		id: TREASURY,
		name: "treasury",
		max_deciding: 10,
		decision_deposit: 5_000 * INF,
		production: Periods {
			prepare: 2 * HOURS,
			decision: 14 * DAYS,
			confirm: DAYS,
			min_enactment: DAYS,
		},
		development: DEV,
		support_ceil: Perbill::from_percent(10),
		support_floor: Perbill::from_parts(5_000_000),
	},
];

/// A track name as the referenda pallet stores it: zero-padded bytes.
fn name(text: &str) -> [u8; 25] {
	let mut out = [0u8; 25];
	for (o, b) in out.iter_mut().zip(text.as_bytes()) {
		*o = *b;
	}
	out
}

impl TrackSpec {
	fn track(&self, development: bool) -> Track<TrackId, Balance, BlockNumber> {
		let periods = if development { self.development } else { self.production };
		Track {
			id: self.id,
			info: TrackInfo {
				name: name(self.name),
				max_deciding: self.max_deciding,
				decision_deposit: self.decision_deposit,
				prepare_period: periods.prepare,
				decision_period: periods.decision,
				confirm_period: periods.confirm,
				min_enactment_period: periods.min_enactment,
				min_approval: Curve::LinearDecreasing {
					length: Perbill::one(),
					floor: Perbill::from_percent(50),
					ceil: Perbill::one(),
				},
				min_support: Curve::LinearDecreasing {
					length: Perbill::one(),
					floor: self.support_floor,
					ceil: self.support_ceil,
				},
			},
		}
	}
}

/// verinfer's referendum tracks, at the chain's pace.
pub struct TracksInfo;
impl pallet_referenda::TracksInfo<Balance, BlockNumber> for TracksInfo {
	type Id = TrackId;
	type RuntimeOrigin = OriginCaller;

	fn tracks() -> impl Iterator<Item = Cow<'static, Track<TrackId, Balance, BlockNumber>>> {
		let development = is_development::<Runtime>();
		TRACKS.iter().map(move |spec| Cow::Owned(spec.track(development)))
	}

	fn track_for(origin: &Self::RuntimeOrigin) -> Result<Self::Id, ()> {
		match origin {
			OriginCaller::system(frame_system::RawOrigin::Root) => Ok(ROOT),
			OriginCaller::Origins(Origin::ParametersAdmin) => Ok(PARAMETERS),
			OriginCaller::Origins(Origin::ModelsAdmin) => Ok(MODELS),
			OriginCaller::Origins(Origin::Treasurer) => Ok(TREASURY),
			_ => Err(()),
		}
	}
}

/// A governance period that has a production and a development length, as a `Get` for the
/// pallets' configuration.
pub struct PacedPeriod<const PRODUCTION: BlockNumber, const DEVELOPMENT: BlockNumber>;
impl<const PRODUCTION: BlockNumber, const DEVELOPMENT: BlockNumber>
	frame_support::traits::Get<BlockNumber> for PacedPeriod<PRODUCTION, DEVELOPMENT>
{
	fn get() -> BlockNumber {
		if is_development::<Runtime>() {
			DEVELOPMENT
		} else {
			PRODUCTION
		}
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use pallet_referenda::TracksInfo as _;

	#[test]
	fn tracks_are_sorted_and_named() {
		sp_io::TestExternalities::default().execute_with(|| {
			assert_eq!(TracksInfo::check_integrity(), Ok(()));
			let names: alloc::vec::Vec<_> = TracksInfo::tracks().map(|t| t.info.name).collect();
			assert_eq!(names, [name("root"), name("parameters"), name("models"), name("treasury")]);
		});
	}

	#[test]
	fn production_is_the_default_pace() {
		sp_io::TestExternalities::default().execute_with(|| {
			let parameters = TracksInfo::info(PARAMETERS).unwrap();
			assert_eq!(parameters.decision_period, 7 * DAYS);
			super::super::origins::Pace::<Runtime>::put(
				super::super::origins::GovernancePace::Development,
			);
			assert_eq!(TracksInfo::info(PARAMETERS).unwrap().decision_period, 10);
		});
	}
}
