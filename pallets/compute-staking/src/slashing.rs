//! The arithmetic of slashing, as plain functions so that it is tested without a runtime.
//!
//! A slash takes a fraction of everything an account has bonded, the funds it is still
//! unbonding included: otherwise a worker who expects to be caught would unbond first and
//! let its stake escape. The amount is taken from the active bond first, and only the rest
//! from the unbonding chunks, newest first, so that the funds nearest to being released stay
//! predictable for an honest account that was slashed by a small fraction.

use sp_runtime::{traits::AtLeast32BitUnsigned, Perbill};

/// How much a slash of `fraction` takes from an account with `active` bonded and the
/// `unlocking` chunks still unbonding. Rounds down, so a slash never takes more than the
/// fraction.
pub fn slash_amount<B: AtLeast32BitUnsigned + Copy>(
	fraction: Perbill,
	active: B,
	unlocking: impl IntoIterator<Item = B>,
) -> B {
	let total = unlocking.into_iter().fold(active, |acc, chunk| acc.saturating_add(chunk));
	fraction.mul_floor(total)
}

/// Takes `amount` out of `active` first and then out of the `unlocking` chunks in the order
/// given (the caller passes them newest first). Returns what could not be taken, which is
/// zero unless `amount` exceeds everything bonded.
pub fn apply_slash<'a, B: AtLeast32BitUnsigned + Copy + 'a>(
	active: &'a mut B,
	unlocking: impl IntoIterator<Item = &'a mut B>,
	amount: B,
) -> B {
	let mut left = amount;
	for part in core::iter::once(active).chain(unlocking) {
		if left.is_zero() {
			break;
		}
		let taken = left.min(*part);
		*part = part.saturating_sub(taken);
		left = left.saturating_sub(taken);
	}
	left
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn the_amount_covers_unbonding_funds_and_rounds_down() {
		assert_eq!(slash_amount(Perbill::from_percent(10), 100u64, [50, 50]), 20);
		assert_eq!(slash_amount(Perbill::from_percent(10), 0u64, [55]), 5);
		assert_eq!(slash_amount(Perbill::one(), 7u64, []), 7);
		assert_eq!(slash_amount(Perbill::zero(), 7u64, [3]), 0);
		// Saturates instead of overflowing.
		assert_eq!(slash_amount(Perbill::one(), u64::MAX, [1]), u64::MAX);
	}

	#[test]
	fn active_funds_go_first_then_the_newest_chunks() {
		let (mut active, mut chunks) = (30u64, [10u64, 20]);
		let left = apply_slash(&mut active, chunks.iter_mut().rev(), 45);
		assert_eq!((left, active, chunks), (0, 0, [10, 5]));
	}

	#[test]
	fn an_amount_above_the_bond_takes_everything_and_reports_the_rest() {
		let (mut active, mut chunks) = (30u64, [10u64]);
		assert_eq!(apply_slash(&mut active, chunks.iter_mut(), 100), 60);
		assert_eq!((active, chunks), (0, [0]));
	}

	#[test]
	fn a_slash_of_the_computed_amount_always_fits() {
		for pct in [0u32, 1, 33, 50, 99, 100] {
			let (mut active, mut chunks) = (1_234u64, [17u64, 0, 999]);
			let before = active + chunks.iter().sum::<u64>();
			let amount = slash_amount(Perbill::from_percent(pct), active, chunks);
			assert_eq!(apply_slash(&mut active, chunks.iter_mut().rev(), amount), 0);
			assert_eq!(active + chunks.iter().sum::<u64>(), before - amount);
		}
	}
}
