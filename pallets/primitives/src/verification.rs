//! Verification classes: how two results of the same job are compared
//! ([`VerificationClass`]), and the comparison itself ([`outputs_match`]).
//!
//! `Exact` results match when their bytes are equal. `Tolerance` results are vectors of
//! little-endian f32; they match when every pair of elements differs by at most `max_abs`
//! and the two vectors' cosine similarity is at least `min_cosine`.
//!
//! The runtime never computes with floats: each f32 is decoded from its bits into an exact
//! fixed-point integer of billionths (rounded toward negative infinity), and the checks are
//! done in integer arithmetic, so every validator reaches the same verdict.

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;
use serde::{Deserialize, Serialize};
use sp_core::U512;
use sp_runtime::Perbill;

/// How the results of two executions of the same job are compared.
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
	Serialize,
	Deserialize,
)]
pub enum VerificationClass {
	/// Integer-only models whose outputs are bit-identical on every backend: results match
	/// when their canonical encodings (and so their hashes) are equal.
	Exact,
	/// Float models. Results match when every element differs by at most `max_abs` and the
	/// cosine similarity of the two output vectors is at least `min_cosine`.
	Tolerance {
		/// The largest element-wise absolute difference, in billionths (1e-9) so that the
		/// runtime compares integers only: `1_000_000` is 1e-3.
		max_abs: u32,
		/// The smallest cosine similarity of the two outputs.
		min_cosine: Perbill,
	},
	/// LLM generation, audited by one teacher-forced prefill (see [`crate::generation`]): a
	/// miner's draft is accepted when an auditor's report agrees with it within these
	/// tolerances ([`crate::generation_agrees`]).
	Generation(crate::GenerationTolerance),
}

impl VerificationClass {
	/// A tolerance must allow some difference and ask for a positive similarity, or it
	/// would either reject every float result or accept noise.
	pub fn is_valid(&self) -> bool {
		match self {
			Self::Exact => true,
			Self::Tolerance { max_abs, min_cosine } => *max_abs > 0 && !min_cosine.is_zero(),
			Self::Generation(t) => t.is_valid(),
		}
	}
}

/// Fixed-point scale of decoded floats: one unit is 1e-9.
pub const NANO: i128 = 1_000_000_000;

/// An f32 (given by its bits) as a whole number of billionths, rounded down; `None` for NaN,
/// infinities, and magnitudes so large (above about 4e28) that their billionths overflow
/// `i128`. Such values never match anything; no embedding model produces them.
pub fn f32_bits_to_nano(bits: u32) -> Option<i128> {
	let negative = bits >> 31 == 1;
	let exponent = ((bits >> 23) & 0xff) as i32;
	let fraction = (bits & 0x7f_ffff) as i128;
	let (mantissa, shift) = match exponent {
		0xff => return None,
		// Subnormal: fraction * 2^-149.
		0 => (fraction, -149),
		// Normal: (2^23 + fraction) * 2^(exponent - 150).
		// `e` is in 1..=254 here, so the subtraction cannot overflow.
		e => (fraction | 0x80_0000, e.saturating_sub(150)),
	};
	let scaled = mantissa.checked_mul(NANO)?;
	let magnitude = if shift >= 0 {
		// At most 2^24 * 1e9 * 2^104 for the largest finite f32: too big for i128, so check.
		let shift = shift as u32;
		if scaled.leading_zeros() <= shift.saturating_add(1) {
			return None;
		}
		scaled << shift
	} else {
		let shift = shift.unsigned_abs();
		if shift >= 127 {
			0
		} else if negative {
			// Round toward negative infinity: a negative value loses its fractional part
			// upward in magnitude.
			let floor = scaled >> shift;
			if floor << shift == scaled {
				floor
			} else {
				// `scaled` is not negative and `shift` at least 1, so `floor` is at most
				// `i128::MAX / 2`.
				floor.saturating_add(1)
			}
		} else {
			scaled >> shift
		}
	};
	// `magnitude` is not negative, so negating it cannot overflow.
	Some(if negative { magnitude.saturating_neg() } else { magnitude })
}

/// Decodes a canonical f32 vector into fixed point; `None` if the length is not a multiple
/// of four or an element is not finite.
pub fn decode_f32_nano(bytes: &[u8]) -> Option<alloc::vec::Vec<i128>> {
	let (words, rest) = bytes.as_chunks::<4>();
	if !rest.is_empty() {
		return None;
	}
	words.iter().map(|w| f32_bits_to_nano(u32::from_le_bytes(*w))).collect()
}

/// Whether two results of a job match under `class`. A generation's draft and an auditor's
/// report are not two results of the same kind: they are judged by
/// [`crate::generation_agrees`], and never match here.
pub fn outputs_match(class: &VerificationClass, a: &[u8], b: &[u8]) -> bool {
	match class {
		VerificationClass::Generation(_) => false,
		VerificationClass::Exact => a == b,
		VerificationClass::Tolerance { max_abs, min_cosine } => {
			let (Some(x), Some(y)) = (decode_f32_nano(a), decode_f32_nano(b)) else {
				return false;
			};
			x.len() == y.len()
				&& within_abs(&x, &y, i128::from(*max_abs))
				&& cosine_at_least(&x, &y, *min_cosine)
		},
	}
}

fn within_abs(x: &[i128], y: &[i128], max_abs: i128) -> bool {
	x.iter()
		.zip(y)
		.all(|(a, b)| a.checked_sub(*b).is_some_and(|d| d.abs() <= max_abs))
}

/// cos(x, y) >= c, decided exactly: dot > 0 and dot^2 >= c^2 * |x|^2 * |y|^2. Two zero
/// vectors are identical, so they match; one zero vector has no direction and does not.
fn cosine_at_least(x: &[i128], y: &[i128], c: Perbill) -> bool {
	// Cosine does not change with scale. Shifting every element to at most 60 bits keeps
	// all sums and products below 2^330 (for up to 2^14 elements), far inside 512 bits.
	let widest = x
		.iter()
		.chain(y)
		.map(|v| 128u32.saturating_sub(v.unsigned_abs().leading_zeros()))
		.max()
		.unwrap_or(0);
	let shift = widest.saturating_sub(60);
	let scaled = |v: &i128| (v.unsigned_abs() >> shift, *v < 0);

	let (mut dot_pos, mut dot_neg, mut nx, mut ny) =
		(U512::zero(), U512::zero(), U512::zero(), U512::zero());
	for (a, b) in x.iter().zip(y) {
		let ((a, a_neg), (b, b_neg)) = (scaled(a), scaled(b));
		let (a, b) = (U512::from(a), U512::from(b));
		let product = a.saturating_mul(b);
		if a_neg == b_neg {
			dot_pos = dot_pos.saturating_add(product);
		} else {
			dot_neg = dot_neg.saturating_add(product);
		}
		nx = nx.saturating_add(a.saturating_mul(a));
		ny = ny.saturating_add(b.saturating_mul(b));
	}
	if nx.is_zero() && ny.is_zero() {
		return true;
	}
	if nx.is_zero() || ny.is_zero() || dot_pos <= dot_neg {
		return false;
	}
	// `dot_pos > dot_neg` here, so the difference is exact.
	let dot = dot_pos.saturating_sub(dot_neg);
	let parts = U512::from(c.deconstruct());
	let billion = U512::from(1_000_000_000u64);
	// dot^2 * (1e9)^2 >= parts^2 * nx * ny: c = parts / 1e9, both sides times 1e18.
	let lhs = dot.saturating_mul(dot).saturating_mul(billion).saturating_mul(billion);
	let rhs = parts.saturating_mul(parts).saturating_mul(nx).saturating_mul(ny);
	lhs >= rhs
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn tolerance_must_be_positive() {
		assert!(VerificationClass::Exact.is_valid());
		let ok = VerificationClass::Tolerance { max_abs: 1, min_cosine: Perbill::one() };
		assert!(ok.is_valid());
		let zero = VerificationClass::Tolerance { max_abs: 0, min_cosine: Perbill::one() };
		assert!(!zero.is_valid());
		let no_cos = VerificationClass::Tolerance { max_abs: 1, min_cosine: Perbill::zero() };
		assert!(!no_cos.is_valid());
	}

	fn bytes(v: &[f32]) -> alloc::vec::Vec<u8> {
		v.iter().flat_map(|f| f.to_le_bytes()).collect()
	}

	#[test]
	fn decodes_floats_exactly() {
		assert_eq!(f32_bits_to_nano(1.0f32.to_bits()), Some(NANO));
		assert_eq!(f32_bits_to_nano((-2.5f32).to_bits()), Some(-5 * NANO / 2));
		assert_eq!(f32_bits_to_nano(0.0f32.to_bits()), Some(0));
		assert_eq!(f32_bits_to_nano((-0.0f32).to_bits()), Some(0));
		assert_eq!(f32_bits_to_nano(0.5f32.to_bits()), Some(NANO / 2));
		// 0.1 is not exact in binary: 0.100000001490116..., rounded down to billionths.
		assert_eq!(f32_bits_to_nano(0.1f32.to_bits()), Some(100_000_001));
		assert_eq!(f32_bits_to_nano((-0.1f32).to_bits()), Some(-100_000_002));
		assert_eq!(f32_bits_to_nano(f32::NAN.to_bits()), None);
		assert_eq!(f32_bits_to_nano(f32::INFINITY.to_bits()), None);
		assert_eq!(f32_bits_to_nano(f32::MAX.to_bits()), None, "too large for i128 billionths");
		assert_eq!(f32_bits_to_nano(1e20f32.to_bits()), Some(100_000_002_004_087_734_272 * NANO));
		assert_eq!(f32_bits_to_nano(f32::MIN_POSITIVE.to_bits()), Some(0));
	}

	#[test]
	fn exact_compares_bytes() {
		assert!(outputs_match(&VerificationClass::Exact, b"\x01\x02", b"\x01\x02"));
		assert!(!outputs_match(&VerificationClass::Exact, b"\x01\x02", b"\x01\x03"));
		assert!(!outputs_match(&VerificationClass::Exact, b"\x01", b"\x01\x00"));
	}

	#[test]
	fn tolerance_bounds_each_element_and_the_angle() {
		let class = VerificationClass::Tolerance {
			max_abs: 1_000_000, // 1e-3
			min_cosine: Perbill::from_parts(999_000_000),
		};
		let a = bytes(&[0.6, -0.8, 0.0]);
		assert!(outputs_match(&class, &a, &bytes(&[0.6005, -0.7995, 0.0009])));
		assert!(!outputs_match(&class, &a, &bytes(&[0.602, -0.8, 0.0])), "element off by 2e-3");
		assert!(!outputs_match(&class, &a, &bytes(&[-0.6, 0.8, 0.0])), "opposite direction");
		assert!(!outputs_match(&class, &a, &bytes(&[0.6, -0.8])), "different length");
		assert!(!outputs_match(&class, &a, &bytes(&[0.6, -0.8, f32::NAN])), "NaN never matches");
		assert!(!outputs_match(&class, &a[..5], &a[..5]), "not whole floats");
		// A loose element bound still fails a strict angle.
		let angle_only = VerificationClass::Tolerance {
			max_abs: 1_000_000_000,
			min_cosine: Perbill::from_parts(999_999_000),
		};
		assert!(!outputs_match(&angle_only, &bytes(&[1.0, 0.0]), &bytes(&[1.0, 0.1])));
		assert!(outputs_match(&angle_only, &bytes(&[1.0, 0.0]), &bytes(&[1.0, 0.001])));
		assert!(outputs_match(&angle_only, &bytes(&[0.0, 0.0]), &bytes(&[0.0, 0.0])));
		assert!(!outputs_match(&angle_only, &bytes(&[0.0, 0.0]), &bytes(&[0.0, 0.5])));
	}
}
