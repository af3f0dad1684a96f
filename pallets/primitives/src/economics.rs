//! The market's economics as plain functions: how a job's fee is split, how likely a
//! result is to be audited, and how an era's rewards are shared.
//!
//! The `Jobs` pallet calls these; they are tested here without a runtime.

use crate::Reputation;
use alloc::vec::Vec;
use sp_runtime::{
	traits::{AtLeast32BitUnsigned, One, Saturating, Zero},
	PerThing, Perbill,
};

/// Where one job's fee goes. The parts always add up to the fee exactly.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct FeeSplit<Balance> {
	/// Each contributor's royalty, in the order of the model's contributors.
	pub royalties: Vec<Balance>,
	/// The treasury's share.
	pub treasury: Balance,
	/// What the auditors share among themselves (zero if the job was not audited).
	pub auditors: Balance,
	/// The rest, for the worker.
	pub worker: Balance,
}

/// Splits `fee`: first each contributor's royalty, then the treasury's share, then the
/// auditors' share if the job was audited (otherwise it stays with the worker), and the
/// worker gets what is left. Each share is of the whole fee, rounded down; a share that
/// no longer fits is cut to what remains, so nothing is ever paid twice or created.
pub fn split_fee<Balance: AtLeast32BitUnsigned + Copy>(
	fee: Balance,
	royalty_shares: &[Perbill],
	treasury_share: Perbill,
	auditor_share: Perbill,
	audited: bool,
) -> FeeSplit<Balance> {
	let mut remaining = fee;
	let mut take = |share: Perbill| {
		let part = share.mul_floor(fee).min(remaining);
		remaining = remaining.saturating_sub(part);
		part
	};
	let royalties = royalty_shares.iter().map(|s| take(*s)).collect();
	let treasury = take(treasury_share);
	let auditors = if audited { take(auditor_share) } else { Zero::zero() };
	FeeSplit { royalties, treasury, auditors, worker: remaining }
}

/// Splits `amount` equally among `n` recipients; the first ones get one unit more when it
/// does not divide. The parts add up to `amount`.
pub fn split_equally<Balance: AtLeast32BitUnsigned + Copy>(
	amount: Balance,
	n: u32,
) -> Vec<Balance> {
	if n == 0 {
		return Vec::new();
	}
	let n_balance = Balance::from(n);
	// `n` is not zero (checked above), so neither the division nor the remainder can fail.
	#[allow(clippy::arithmetic_side_effects)]
	let (base, extra) = (amount / n_balance, amount % n_balance);
	(0..n)
		.map(|i| if Balance::from(i) < extra { base.saturating_add(One::one()) } else { base })
		.collect()
}

/// `budget · points / total`, rounded down: one account's part of a group's budget, given
/// its points and the group's total. Never more than `budget` while `points <= total`, so
/// the parts of all accounts add up to at most the budget; zero if `total` is zero.
pub fn pro_rata(budget: u128, points: u128, total: u128) -> u128 {
	if total == 0 {
		return 0;
	}
	let points = points.min(total);
	sp_runtime::helpers_128bit::multiply_by_rational_with_rounding(
		budget,
		points,
		total,
		sp_runtime::Rounding::Down,
	)
	.unwrap_or(0)
}

/// Splits `amount` in proportion to `weights`; the remainder of the rounding goes to the
/// first weights with a nonzero weight, one unit each. The parts add up to `amount` unless
/// every weight is zero, then all parts are zero.
pub fn split_by_weight(amount: u128, weights: &[u32]) -> Vec<u128> {
	let total: u128 = weights.iter().map(|w| u128::from(*w)).sum();
	let mut parts: Vec<u128> =
		weights.iter().map(|w| pro_rata(amount, u128::from(*w), total)).collect();
	let mut rest = amount.saturating_sub(parts.iter().fold(0u128, |a, p| a.saturating_add(*p)));
	if total == 0 {
		return parts;
	}
	for (part, weight) in parts.iter_mut().zip(weights) {
		if rest == 0 {
			break;
		}
		if *weight > 0 {
			*part = part.saturating_add(1);
			// `rest` is not zero here (checked above).
			rest = rest.saturating_sub(1);
		}
	}
	parts
}

/// Jobs a worker must have completed before it is no longer treated as a newcomer.
pub const NEWCOMER_JOBS: u32 = 20;

/// The probability that a committed result is audited.
///
/// A rational worker that skips the work keeps the fee `F` when not audited. When it is
/// audited it either reveals its made-up output and loses `slash_fraction` of its `stake`,
/// or it does not reveal and loses `miss_slash`, the proportionate slash for a missed
/// deadline (see [`missed_deadline_slash`]); it picks the cheaper, so the slash it risks
/// is `S = min(slash_fraction · stake, miss_slash)`. Cheating pays `(1 - p) F - p S`,
/// negative exactly when `p > F / (F + S)`. The probability is therefore never below twice
/// that bound (a safety margin for the worker's saved compute and for estimation error),
/// nor below governance's `base`. Newcomers, and workers that failed audits before, are
/// audited more: at least twice `base`, doubling per failed audit.
pub fn audit_probability<Balance: AtLeast32BitUnsigned + Copy>(
	base: Perbill,
	fee: Balance,
	stake: Balance,
	slash_fraction: Perbill,
	miss_slash: Balance,
	reputation: &Reputation,
) -> Perbill {
	let at_risk = slash_fraction.mul_floor(stake).min(miss_slash);
	let deterrence = if fee.is_zero() {
		Perbill::zero()
	} else {
		Perbill::from_rational(fee.saturating_mul(2u32.into()), fee.saturating_add(at_risk))
	};
	let mut suspicion = base;
	if reputation.jobs_completed < NEWCOMER_JOBS {
		suspicion = suspicion.saturating_add(base);
	}
	for _ in 0..reputation.audits_failed.min(30) {
		suspicion = suspicion.saturating_add(suspicion);
	}
	suspicion.max(deterrence)
}

/// The slash for a missed commit or reveal deadline: `fee_multiple` times the job's fee,
/// and at least `floor`. It is proportionate to what the job was worth, never a share of
/// the whole stake, so a worker that drops a job loses a bounded amount per job; the
/// staking pallet caps it at what the account has bonded.
pub fn missed_deadline_slash<Balance: AtLeast32BitUnsigned + Copy>(
	fee: Balance,
	fee_multiple: u32,
	floor: Balance,
) -> Balance {
	fee.saturating_mul(fee_multiple.into()).max(floor)
}

/// What taking a job and not delivering it is worth to a worker, against handing it back
/// with `release_jobs` (which costs and pays nothing): it is not paid, and it loses the
/// missed-deadline slash. Negative whenever the slash is positive, so non-delivery never
/// pays; a worker that cannot run a job in time releases it.
pub fn expected_non_delivery_gain(miss_slash: u128) -> i128 {
	0i128.saturating_sub(i128::try_from(miss_slash).unwrap_or(i128::MAX))
}

/// The most a worker that stops answering (crashed, offline) can lose before the chain
/// stops giving it work: each of the `held` jobs it holds when it goes silent (assigned,
/// which is at most its declared capacity, or committed and not yet revealed), plus fewer
/// than `chill_after` assigned to it while its misses come in, each slashed
/// [`missed_deadline_slash`] of at most `max_fee`; after `chill_after` misses in a row it
/// is off duty. Jobs beyond its capacity are never assigned to it, so a burst of jobs adds
/// nothing to this bound, whatever a griefer spends on them; and a worker that answers
/// releases what it cannot run, so it loses nothing.
pub fn max_loss_while_silent<Balance: AtLeast32BitUnsigned + Copy>(
	max_fee: Balance,
	fee_multiple: u32,
	floor: Balance,
	held: u32,
	chill_after: u32,
) -> Balance {
	let misses = held.saturating_add(chill_after.saturating_sub(1));
	missed_deadline_slash(max_fee, fee_multiple, floor).saturating_mul(misses.into())
}

/// What cheating on one job is worth to a worker on average, in the balance's units:
/// positive means cheating pays. Used by the simulation tests to check the parameters.
pub fn expected_cheating_gain(p: Perbill, fee: u128, slash: u128) -> i128 {
	let kept = p.left_from_one().mul_floor(fee) as i128;
	let lost = p.mul_ceil(slash) as i128;
	kept.saturating_sub(lost)
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn fee_split_adds_up_exactly() {
		let s = split_fee(
			1_000u128,
			&[Perbill::from_percent(5), Perbill::from_percent(3)],
			Perbill::from_percent(10),
			Perbill::from_percent(20),
			true,
		);
		assert_eq!(s.royalties, [50, 30]);
		assert_eq!((s.treasury, s.auditors, s.worker), (100, 200, 620));
		let unaudited = split_fee(
			1_000u128,
			&[Perbill::from_percent(5)],
			Perbill::from_percent(10),
			Perbill::from_percent(20),
			false,
		);
		assert_eq!((unaudited.auditors, unaudited.worker), (0, 850));
		// Rounding leaves the dust with the worker, never lost.
		let odd = split_fee(
			7u128,
			&[Perbill::from_percent(33)],
			Perbill::from_percent(33),
			Perbill::from_percent(33),
			true,
		);
		assert_eq!(odd.royalties[0] + odd.treasury + odd.auditors + odd.worker, 7);
		// Shares over 100 % in total are cut, not paid twice.
		let over = split_fee(
			100u128,
			&[Perbill::from_percent(90)],
			Perbill::from_percent(50),
			Perbill::from_percent(50),
			true,
		);
		assert_eq!((over.royalties[0], over.treasury, over.auditors, over.worker), (90, 10, 0, 0));
	}

	#[test]
	fn fee_split_never_creates_or_loses_funds() {
		for fee in [0u128, 1, 2, 3, 99, 1_000_003, u128::MAX] {
			for shares in
				[&[][..], &[Perbill::from_parts(333_333_333)][..], &[Perbill::one(); 2][..]]
			{
				let s = split_fee(
					fee,
					shares,
					Perbill::from_parts(123_456_789),
					Perbill::from_percent(20),
					true,
				);
				let total = s
					.royalties
					.iter()
					.fold(0u128, |a, b| a.saturating_add(*b))
					.saturating_add(s.treasury)
					.saturating_add(s.auditors)
					.saturating_add(s.worker);
				assert_eq!(total, fee);
			}
		}
	}

	#[test]
	fn equal_split_adds_up() {
		assert_eq!(split_equally(10u128, 3), [4, 3, 3]);
		assert_eq!(split_equally(9u128, 3), [3, 3, 3]);
		assert_eq!(split_equally(2u128, 3), [1, 1, 0]);
		assert!(split_equally(5u128, 0).is_empty());
	}

	#[test]
	fn pro_rata_never_exceeds_the_budget() {
		assert_eq!(pro_rata(1_000, 1, 3), 333);
		assert_eq!(pro_rata(1_000, 3, 3), 1_000);
		assert_eq!(pro_rata(1_000, 5, 3), 1_000);
		assert_eq!(pro_rata(1_000, 1, 0), 0);
		assert_eq!(pro_rata(u128::MAX, u128::MAX - 1, u128::MAX), u128::MAX - 1);
		let parts: u128 = (0..7).map(|_| pro_rata(1_000, 1, 7)).sum();
		assert!(parts <= 1_000);
	}

	#[test]
	fn weighted_split_adds_up() {
		assert_eq!(split_by_weight(10, &[1, 1, 1]), [4, 3, 3]);
		assert_eq!(split_by_weight(100, &[50_000_000, 30_000_000]), [63, 37]);
		assert_eq!(split_by_weight(7, &[0, 1, 0, 1]), [0, 4, 0, 3]);
		assert_eq!(split_by_weight(7, &[0, 0]), [0, 0]);
		assert!(split_by_weight(7, &[]).is_empty());
		for amount in [0u128, 1, 999, 1_000_000_007, u128::MAX] {
			let sum = split_by_weight(amount, &[333_333_333, 1, 7, 1_000_000_000])
				.iter()
				.fold(0u128, |a, b| a.saturating_add(*b));
			assert_eq!(sum, amount);
		}
	}

	fn veteran() -> Reputation {
		Reputation { jobs_completed: NEWCOMER_JOBS, ..Default::default() }
	}

	#[test]
	fn audit_probability_deters_cheating() {
		let base = Perbill::from_percent(10);
		// A well-staked veteran on a cheap job: governance's base rate.
		let p = audit_probability(
			base,
			1_000u128,
			1_000_000,
			Perbill::from_percent(10),
			u128::MAX,
			&veteran(),
		);
		assert_eq!(p, base);
		assert!(expected_cheating_gain(p, 1_000, 100_000) < 0);
		// A valuable job against a small stake is audited more, enough to deter.
		let p = audit_probability(
			base,
			50_000u128,
			100_000,
			Perbill::from_percent(50),
			u128::MAX,
			&veteran(),
		);
		assert!(p > base);
		assert!(expected_cheating_gain(p, 50_000, 50_000) < 0);
		// A fee above the slash is always audited.
		let p =
			audit_probability(base, 10u128, 5, Perbill::from_percent(100), u128::MAX, &veteran());
		assert_eq!(p, Perbill::one());
	}

	#[test]
	fn audit_probability_follows_reputation() {
		let base = Perbill::from_percent(10);
		let newcomer = Reputation::default();
		assert_eq!(
			audit_probability(base, 1u128, u128::MAX / 2, Perbill::one(), u128::MAX, &newcomer),
			Perbill::from_percent(20)
		);
		let caught_twice = Reputation { audits_failed: 2, ..veteran() };
		assert_eq!(
			audit_probability(base, 1u128, u128::MAX / 2, Perbill::one(), u128::MAX, &caught_twice),
			Perbill::from_percent(40)
		);
		let caught_often = Reputation { audits_failed: 1_000, ..veteran() };
		assert_eq!(
			audit_probability(base, 1u128, u128::MAX / 2, Perbill::one(), u128::MAX, &caught_often),
			Perbill::one()
		);
	}

	#[test]
	fn a_cheater_that_hides_behind_a_missed_reveal_still_loses() {
		// A worker that cheats and, when audited, does not reveal loses only the miss slash.
		// The audit probability accounts for that cheaper escape, so cheating still has a
		// negative expected value, at every fee, with the shipped parameters' ratio (a miss
		// costs 20 fees, at least 1 INF = 10^12 units; the stake is 2,000 INF).
		let base = Perbill::from_percent(10);
		let stake = 2_000u128 * 1_000_000_000_000;
		for fee in
			[1u128, 10_000_000_000, 1_000_000_000_000, 100_000_000_000_000, 10_000_000_000_000_000]
		{
			let miss = missed_deadline_slash(fee, 20, 1_000_000_000_000);
			let p =
				audit_probability(base, fee, stake, Perbill::from_percent(30), miss, &veteran());
			let escape = Perbill::from_percent(30).mul_floor(stake).min(miss);
			assert!(expected_cheating_gain(p, fee, escape) < 0, "fee {fee}: p {p:?}");
		}
		// Without the miss slash in the bound, a job whose miss costs only its fee would be
		// under-audited: cheating on it would pay.
		let fee = 10_000_000_000_000u128;
		let naive =
			audit_probability(base, fee, stake, Perbill::from_percent(30), u128::MAX, &veteran());
		let miss = missed_deadline_slash(fee, 1, 0);
		assert!(expected_cheating_gain(naive, fee, miss) > 0);
	}

	#[test]
	fn missed_deadlines_cost_in_proportion_to_the_job() {
		assert_eq!(missed_deadline_slash(10u128, 20, 1_000), 1_000, "the floor");
		assert_eq!(missed_deadline_slash(100u128, 20, 1_000), 2_000, "20 fees");
		assert_eq!(missed_deadline_slash(u128::MAX, 20, 1), u128::MAX, "saturates");
		// Non-delivery never pays against a release.
		assert!(expected_non_delivery_gain(missed_deadline_slash(0u128, 20, 1)) < 0);
		assert_eq!(expected_non_delivery_gain(u128::MAX), -i128::MAX);
		// A miner that goes silent holding 64 jobs loses 66 misses' worth at most before it
		// is chilled: with the shipped parameters (1 INF floor, 20 fees, jobs of 0.01 INF)
		// 66 INF of a 2,000 INF bond, where the old rule (5 % of the stake per miss,
		// compounding) took everything within a few hundred jobs.
		let inf = 1_000_000_000_000u128;
		assert_eq!(max_loss_while_silent(inf / 100, 20, inf, 64, 3), 66 * inf);
	}

	/// A miner that hands in text it did not sample with the chain's seed keeps an LLM
	/// job's fee `F` unless it is audited and caught (probability `p · d`, `d` the audit's
	/// detection rate for that cheat, measured by `verinfer-worker calibrate-llm`). Once
	/// audited it may also refuse to reveal and pay the missed-deadline slash instead. Its
	/// expected gain, in thousandths of a fee unit, is
	/// `(1 - p) F + p · max(F - d (F + slash), -miss)`.
	fn llm_cheating_gain(p: Perbill, d: Perbill, fee: u128, slash: u128, miss: u128) -> i128 {
		let (fee, slash, miss) = (fee as i128, slash as i128, miss as i128);
		let p = i128::from(p.deconstruct());
		let d = i128::from(d.deconstruct());
		let billion = 1_000_000_000i128;
		let revealed = fee * billion - d * (fee + slash);
		let best = revealed.max(-miss * billion);
		((billion - p) * fee * billion + p * best) / billion / billion
	}

	#[test]
	fn cheating_on_an_llm_job_has_a_negative_expected_value() {
		// SmolLM2's genesis price, 0.2 INF; the local testnet's terms: 10 % base audits,
		// 30 % worker_slash, a missed deadline 20 fees and at least 1 INF. In milli-INF.
		let (fee, base, slash) = (200u128, Perbill::from_percent(10), Perbill::from_percent(30));
		let miss = missed_deadline_slash(fee, 20, 1_000);
		// The lowest detection rate of a cheat that saves compute (calibrate-llm over 200
		// audited jobs each, docs/llm.md): 91.5 %, greedy text for a sampled job. The break-even rate is at most 50 % at any
		// stake (at the 1 INF minimum bond, where the audit rate is 80 %), and a few
		// percent from 100 INF of bond on.
		let stakes = [1_000u128, 10_000, 100_000, 2_000_000, 1_000_000_000];
		for d in [Perbill::from_parts(915_000_000), Perbill::from_percent(51)] {
			for stake in stakes {
				let p = audit_probability(base, fee, stake, slash, miss, &veteran());
				let gain = llm_cheating_gain(p, d, fee, slash.mul_floor(stake), miss);
				assert!(gain < 0, "stake {stake}, detection {d:?}: p {p:?}, gain {gain}");
			}
		}
		for stake in &stakes[2..] {
			let p = audit_probability(base, fee, *stake, slash, miss, &veteran());
			let d = Perbill::from_percent(7);
			assert!(llm_cheating_gain(p, d, fee, slash.mul_floor(*stake), miss) < 0, "{stake}");
		}
	}
}
