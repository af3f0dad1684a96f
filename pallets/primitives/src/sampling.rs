//! Seeded token sampling that anyone can replay: each step's choice is a pure function of
//! `(seed, position, logits, parameters)`. There is no stateful random number generator,
//! and no dependence on sort or summation order beyond what is specified here. A machine
//! that teacher-forces the same tokens recomputes every step's choice from its own logits,
//! and sees how far each step was from a tie ([`Choice::margin`]).
//!
//! # The algorithm, exactly
//!
//! Inputs: the logits `l[0..V]` of one position (f32), that position's index `position`
//! in the whole sequence (prompt included), the 32-byte `seed`, and [`SamplingParams`].
//!
//! 1. **Greedy** (`temperature == 0`): the token is the id with the largest logit, the
//!    lowest such id on a tie. The margin is the largest logit minus the second largest.
//! 2. Otherwise, `z[i] = l[i] as f64 / temperature as f64` for every id whose logit is
//!    finite; the others are never chosen. Order the ids by `z` descending, then by id
//!    ascending. This total order is the only order used below.
//! 3. **Top-k** (`top_k > 0`): keep the first `top_k` ids of that order.
//! 4. **Top-p** (`top_p < 1`): with `m` the first kept id's `z`, `w[i] = exp(z[i] - m)`
//!    (f64), summed in that order into `W`; keep the shortest prefix whose running sum of
//!    `w` reaches `top_p · W`.
//! 5. **Gumbel-max**: for each kept id `i`, `u[i] = uniform(seed, position, i)` and
//!    `s[i] = z[i] - ln(-ln(u[i]))` (f64). The token is the kept id with the largest `s`,
//!    the lowest such id on a tie. The margin is the largest `s` minus the second largest
//!    (infinite when only one id is kept).
//!
//! `uniform(seed, position, i)`: the ChaCha20 stream cipher (20 rounds, the `rand_chacha`
//! 0.3 `ChaCha20Rng` layout: a 256-bit key, a 64-bit block counter and a 64-bit stream
//! id) keyed by `seed`, on stream `position`, from block 0. Read its keystream as
//! little-endian u64 words; `x` is word `i` (bytes `8i..8i+8`), and
//! `u = ((x >> 11) | 1) as f64 / 2^53`: an odd multiple of 2^-53, exact in f64 and strictly
//! between 0 and 1.
//!
//! `exp` and `ln` are the pure-Rust `libm` crate's (`libm::exp`, `libm::log`), not the
//! platform's, so that every machine computes the same bits. The code is `no_std`: the
//! runtime, the worker and any other client run this one definition.
//!
//! Sampling `softmax(z)` restricted to the kept ids is what Gumbel-max does in
//! distribution; a fixed key per `(seed, position)` makes it a function.

use rand_chacha::{
	rand_core::{RngCore, SeedableRng},
	ChaCha20Rng,
};

/// How a generation step picks its token.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SamplingParams {
	/// Divides the logits; 0 means greedy.
	pub temperature: f32,
	/// Keep only the `top_k` most likely ids; 0 keeps all.
	pub top_k: u32,
	/// Keep the smallest most-likely set whose probability reaches `top_p`; 1 keeps all.
	pub top_p: f32,
}

impl SamplingParams {
	/// Greedy decoding.
	pub const GREEDY: Self = Self { temperature: 0.0, top_k: 0, top_p: 1.0 };

	/// Whether the parameters are usable: a finite temperature of at least 0, and `top_p`
	/// in `(0, 1]`.
	pub fn is_valid(&self) -> bool {
		self.temperature.is_finite()
			&& self.temperature >= 0.0
			&& self.top_p > 0.0
			&& self.top_p <= 1.0
	}
}

/// One step's choice.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Choice {
	/// The chosen token id.
	pub token: u32,
	/// How far the choice was from a tie: the best score minus the second best (logits
	/// for greedy, Gumbel-perturbed scaled logits otherwise).
	pub margin: f64,
}

/// The token that position `position` samples from `logits` (see the module docs).
/// `None` when no logit is finite or the parameters are invalid.
pub fn choose(
	logits: &[f32],
	params: &SamplingParams,
	seed: &[u8; 32],
	position: u32,
) -> Option<Choice> {
	best_two(scores(logits, params, seed, position)?.into_iter())
}

/// How far `token` is from being the choice at `position`: the chosen id's score minus
/// `token`'s (the scores of the module docs: logits for greedy, Gumbel-perturbed scaled
/// logits otherwise). 0 when `token` is the choice, infinite when top-k or top-p removed it
/// (or its logit is not finite). An auditor that teacher-forces a worker's tokens computes
/// this from its own logits: an honest worker's token is the choice, or within summation
/// noise of it. `None` when the parameters are invalid or no logit is finite.
pub fn token_gap(
	logits: &[f32],
	params: &SamplingParams,
	seed: &[u8; 32],
	position: u32,
	token: u32,
) -> Option<f64> {
	let scores = scores(logits, params, seed, position)?;
	let best = best_two(scores.iter().copied())?;
	let best_score = scores.iter().find(|(i, _)| *i == best.token as usize).map(|(_, s)| *s)?;
	let own = scores.iter().find(|(i, _)| *i == token as usize).map(|(_, s)| *s);
	Some(match own {
		Some(s) if s.is_finite() => best_score - s,
		_ => f64::INFINITY,
	})
}

/// Every candidate id and its score, in id order: all logits for greedy; for sampling the
/// ids that top-k and top-p keep, with their Gumbel-perturbed scaled logits.
fn scores(
	logits: &[f32],
	params: &SamplingParams,
	seed: &[u8; 32],
	position: u32,
) -> Option<alloc::vec::Vec<(usize, f64)>> {
	if !params.is_valid() {
		return None;
	}
	if params.temperature == 0.0 {
		return Some(logits.iter().map(|&l| f64::from(l)).enumerate().collect());
	}
	let t = f64::from(params.temperature);
	let mut order: alloc::vec::Vec<(usize, f64)> = logits
		.iter()
		.enumerate()
		.filter(|(_, l)| l.is_finite())
		.map(|(i, &l)| (i, f64::from(l) / t))
		.collect();
	order.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
	if params.top_k > 0 {
		order.truncate(params.top_k as usize);
	}
	if params.top_p < 1.0 {
		let keep = top_p_prefix(order.iter().map(|(_, z)| *z), params.top_p);
		order.truncate(keep);
	}
	order.sort_by_key(|(i, _)| *i);
	let mut rng = ChaCha20Rng::from_seed(*seed);
	rng.set_stream(u64::from(position));
	let mut word = 0usize;
	let mut scores = alloc::vec::Vec::with_capacity(order.len());
	for (i, z) in order {
		while word < i {
			rng.next_u64();
			word = word.saturating_add(1);
		}
		let x = rng.next_u64();
		word = word.saturating_add(1);
		scores.push((i, z - libm::log(-libm::log(uniform(x)))));
	}
	Some(scores)
}

/// Step 4's cut: how many of the scaled logits `z` (in the total order, most likely first)
/// top-p keeps, the shortest prefix whose weights `exp(z - z[0])` reach `top_p` of their
/// sum (all of them if none does).
pub(crate) fn top_p_prefix(z: impl Iterator<Item = f64> + Clone, top_p: f32) -> usize {
	let mut first = z.clone();
	let Some(m) = first.next() else { return 0 };
	let weights: alloc::vec::Vec<f64> = z.map(|v| libm::exp(v - m)).collect();
	let target = f64::from(top_p) * weights.iter().sum::<f64>();
	let mut running = 0.0;
	weights
		.iter()
		.position(|w| {
			running += w;
			running >= target
		})
		.map_or(weights.len(), |i| i.saturating_add(1))
}

/// The Gumbel noise `-ln(-ln(u))` that id `id` gets at `position` (step 5 of the module
/// docs), computed for one id alone: the chain recomputes it for the few ids an auditor
/// reveals.
pub fn gumbel(seed: &[u8; 32], position: u32, id: u32) -> f64 {
	let mut rng = ChaCha20Rng::from_seed(*seed);
	rng.set_stream(u64::from(position));
	// 64-bit word `id` starts at 32-bit word `2 · id`.
	rng.set_word_pos(u128::from(id).saturating_mul(2));
	-libm::log(-libm::log(uniform(rng.next_u64())))
}

/// A keystream word as a uniform draw strictly inside (0, 1).
fn uniform(x: u64) -> f64 {
	((x >> 11) | 1) as f64 / (1u64 << 53) as f64
}

/// The id with the largest score (the lowest id on a tie) and its margin over the next.
fn best_two(scores: impl Iterator<Item = (usize, f64)>) -> Option<Choice> {
	let mut best: Option<(usize, f64)> = None;
	let mut second = f64::NEG_INFINITY;
	for (i, s) in scores.filter(|(_, s)| !s.is_nan()) {
		match best {
			Some((_, b)) if s <= b => second = second.max(s),
			Some((_, b)) => {
				second = b;
				best = Some((i, s));
			},
			None => best = Some((i, s)),
		}
	}
	let (token, score) = best.filter(|(_, s)| s.is_finite())?;
	Some(Choice { token: u32::try_from(token).ok()?, margin: score - second })
}

#[cfg(test)]
mod tests {
	use super::*;

	const SEED: [u8; 32] = [7; 32];

	fn sample(logits: &[f32], t: f32, k: u32, p: f32, pos: u32) -> u32 {
		choose(logits, &SamplingParams { temperature: t, top_k: k, top_p: p }, &SEED, pos)
			.unwrap()
			.token
	}

	#[test]
	fn token_gap_is_zero_for_the_choice_and_the_score_distance_for_others() {
		let logits = [0.5f32, 2.0, 1.0, 1.75];
		let g = SamplingParams::GREEDY;
		assert_eq!(token_gap(&logits, &g, &SEED, 0, 1), Some(0.0));
		assert_eq!(token_gap(&logits, &g, &SEED, 0, 3), Some(0.25));
		let p = SamplingParams { temperature: 0.7, top_k: 2, top_p: 1.0 };
		let chosen = choose(&logits, &p, &SEED, 5).unwrap();
		assert_eq!(token_gap(&logits, &p, &SEED, 5, chosen.token), Some(0.0));
		let other = if chosen.token == 1 { 3 } else { 1 };
		let gap = token_gap(&logits, &p, &SEED, 5, other).unwrap();
		assert!(gap >= chosen.margin && gap.is_finite(), "{gap} {chosen:?}");
		assert_eq!(token_gap(&logits, &p, &SEED, 5, 0), Some(f64::INFINITY), "cut by top-k");
	}

	#[test]
	fn greedy_takes_the_largest_logit_and_the_lowest_id_on_a_tie() {
		let c = choose(&[0.5, 2.0, 2.0, 1.5], &SamplingParams::GREEDY, &SEED, 0).unwrap();
		assert_eq!((c.token, c.margin), (1, 0.0));
		let c = choose(&[0.5, 2.0, 1.0], &SamplingParams::GREEDY, &SEED, 0).unwrap();
		assert_eq!((c.token, c.margin), (1, 1.0));
		assert_eq!(choose(&[f32::NAN, f32::NEG_INFINITY], &SamplingParams::GREEDY, &SEED, 0), None);
	}

	#[test]
	fn the_same_seed_and_position_give_the_same_choice_and_others_differ() {
		let logits: alloc::vec::Vec<f32> = (0..64).map(|i| (i % 7) as f32 * 0.1).collect();
		let a: alloc::vec::Vec<u32> =
			(0..32).map(|pos| sample(&logits, 1.0, 0, 1.0, pos)).collect();
		let b: alloc::vec::Vec<u32> =
			(0..32).map(|pos| sample(&logits, 1.0, 0, 1.0, pos)).collect();
		assert_eq!(a, b);
		let distinct: alloc::collections::BTreeSet<u32> = a.iter().copied().collect();
		assert!(distinct.len() > 8, "positions draw different noise: {a:?}");
		let other = choose(
			&logits,
			&SamplingParams { temperature: 1.0, top_k: 0, top_p: 1.0 },
			&[8; 32],
			0,
		)
		.unwrap();
		let again = (0..32)
			.map(|pos| {
				choose(
					&logits,
					&SamplingParams { temperature: 1.0, top_k: 0, top_p: 1.0 },
					&[8; 32],
					pos,
				)
				.unwrap()
				.token
			})
			.collect::<alloc::vec::Vec<_>>();
		assert_ne!(again, a, "another seed draws other tokens");
		assert!(other.margin > 0.0);
	}

	#[test]
	fn top_k_and_top_p_restrict_the_candidates() {
		let logits = [3.0, 2.9, 0.0, -1.0, 2.8];
		for pos in 0..200 {
			assert!([0, 1].contains(&sample(&logits, 5.0, 2, 1.0, pos)));
			// Probabilities at T=1: 0.36, 0.33, 0.30 for ids 0, 1, 4; top_p 0.5 keeps two.
			assert!([0, 1].contains(&sample(&logits, 1.0, 0, 0.5, pos)));
			assert_eq!(sample(&logits, 1.0, 1, 1.0, pos), 0, "top_k 1 is greedy");
		}
	}

	#[test]
	fn sampling_follows_the_softmax_distribution() {
		// Two ids with probabilities 0.8 and 0.2 (logit difference ln 4).
		let logits = [4f32.ln(), 0.0];
		let n = 20_000u32;
		let zeros = (0..n).filter(|&pos| sample(&logits, 1.0, 0, 1.0, pos) == 0).count();
		let share = zeros as f64 / f64::from(n);
		// 4.5 standard deviations of a binomial share at n = 20,000.
		assert!((share - 0.8).abs() < 4.5 * (0.8f64 * 0.2 / f64::from(n)).sqrt(), "{share}");
	}

	#[test]
	fn invalid_parameters_choose_nothing() {
		for params in [
			SamplingParams { temperature: -1.0, top_k: 0, top_p: 1.0 },
			SamplingParams { temperature: f32::INFINITY, top_k: 0, top_p: 1.0 },
			SamplingParams { temperature: 1.0, top_k: 0, top_p: 0.0 },
			SamplingParams { temperature: 1.0, top_k: 0, top_p: 1.5 },
		] {
			assert_eq!(choose(&[1.0, 2.0], &params, &SEED, 0), None);
		}
	}

	#[test]
	fn the_keystream_matches_an_independent_chacha20() {
		// Computed with a pure-Python ChaCha20 (key [7; 32], stream 5, 32-bit word 6: the 64-bit word 3).
		let mut rng = ChaCha20Rng::from_seed(SEED);
		rng.set_stream(5);
		rng.set_word_pos(6);
		let x = rng.next_u64();
		assert_eq!(x, 0x2733_c9c3_0cd7_7c44);
		assert_eq!(uniform(x), 0.1531339741894423);
		assert_eq!(-libm::log(-libm::log(uniform(x))), -0.6293774797770542);
	}

	#[test]
	fn one_ids_noise_is_the_noise_the_sampler_uses() {
		let logits: alloc::vec::Vec<f32> = (0..40).map(|i| (i % 5) as f32 * 0.3).collect();
		let p = SamplingParams { temperature: 0.9, top_k: 0, top_p: 1.0 };
		for pos in [0u32, 7, 300] {
			let all = scores(&logits, &p, &SEED, pos).unwrap();
			for (id, s) in all {
				let own = f64::from(logits[id]) / f64::from(0.9f32) + gumbel(&SEED, pos, id as u32);
				assert!((s - own).abs() < 1e-12, "{pos} {id}");
			}
		}
	}

	#[test]
	fn the_uniform_draw_is_the_documented_chacha20_word() {
		// Word i of the stream for (seed, position) is what id i's noise uses.
		let mut rng = ChaCha20Rng::from_seed(SEED);
		rng.set_stream(5);
		let words: alloc::vec::Vec<u64> = (0..3).map(|_| rng.next_u64()).collect();
		let expected = (0..3)
			.map(|i| (i, -libm::log(-libm::log(uniform(words[i])))))
			.max_by(|a, b| a.1.total_cmp(&b.1).then(b.0.cmp(&a.0)))
			.unwrap()
			.0;
		assert_eq!(sample(&[0.0, 0.0, 0.0], 1.0, 0, 1.0, 5) as usize, expected);
	}
}
