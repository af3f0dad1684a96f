//! The audit of LLM generation jobs (`VerificationClass::Generation`): what a miner
//! publishes and commits, what an auditor reports after one teacher-forced prefill, and the
//! verdict the chain reaches from both.
//!
//! # The protocol
//!
//! 1. The job's sampling seed is drawn on chain when the job is assigned (the `Jobs`
//!    pallet's `Job::seed`): neither the dApp nor the miner chooses it.
//! 2. The miner generates with that seed (`crate::choose` at every step) and publishes its
//!    [`GenerationDraft`] (the prompt's token count, the sampling terms it used, the token
//!    ids, the finish reason and the text) together with a commitment to its
//!    [`Fingerprint`]: the largest values of the final-norm hidden state at the end of every
//!    [`FINGERPRINT_CHUNK`] generated tokens. The fingerprint stays secret until every
//!    auditor has committed.
//! 3. Each auditor runs one prefill over the prompt and the draft's tokens, recomputes at
//!    every generated position the sampler's choice from its own logits and the seed, checks
//!    the termination, and commits to a [`GenerationReport`]: its own fingerprint, its
//!    misses, and its logits at the chain's probe positions ([`probe_indices`]).
//! 4. The miner reveals its fingerprint, the auditors their reports, and the chain judges
//!    each report with [`generation_agrees`], in integer fixed point for the fingerprints
//!    and with the seeded sampler's own noise for the probes and the misses.
//!
//! An auditor that does not run the model cannot produce a fingerprint within tolerance of
//! the miner's, which it never saw: it ends on the losing side of the majority, and is
//! slashed like any auditor that disagrees with it.

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;
use serde::{Deserialize, Serialize};
use sp_core::ConstU32;
use sp_runtime::{BoundedVec, Perbill};

use crate::sampling::{gumbel, top_p_prefix, SamplingParams};

/// The most tokens a generation job may produce.
pub const MAX_GENERATED_TOKENS: u32 = 256;
/// The most bytes of a draft's text (up to 16 bytes per token).
pub const MAX_DRAFT_TEXT: u32 = 4096;
/// Generated tokens per fingerprint chunk.
pub const FINGERPRINT_CHUNK: u32 = 32;
/// Values kept per fingerprint chunk.
pub const FINGERPRINT_TOP: u32 = 8;
/// The most fingerprint chunks (`MAX_GENERATED_TOKENS / FINGERPRINT_CHUNK`).
pub const MAX_FINGERPRINT_CHUNKS: u32 = MAX_GENERATED_TOKENS / FINGERPRINT_CHUNK;
/// Positions at which an auditor reveals its logits.
pub const PROBES: u32 = 4;
/// Logits revealed per probe: the auditor's most likely ids.
pub const PROBE_TOP: u32 = 8;
/// The most misses an auditor details (the largest-gap ones); it counts all of them.
pub const MAX_DETAILED_MISSES: u32 = 16;
/// Fixed-point scale of fingerprint values and of the tolerances: one unit is 1e-3.
pub const MILLI: f64 = 1000.0;

/// The tolerances of a generation audit, governed per model in its registry entry.
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
pub struct GenerationTolerance {
	/// The largest gap (in thousandths of a sampler score: a logit for greedy, a
	/// Gumbel-perturbed scaled logit otherwise) between the auditor's choice and the
	/// miner's token that is still float noise; a larger gap rejects the result.
	pub max_gap: u32,
	/// The share of generated positions at which the auditor's choice may differ from the
	/// miner's token (each within `max_gap`).
	pub soft_misses: Perbill,
	/// The largest difference, in thousandths, between a fingerprint value of the miner's
	/// and the auditor's at the same hidden index.
	pub fingerprint_max_diff: u32,
	/// The fewest hidden indices that a chunk's two top lists must share (of
	/// [`FINGERPRINT_TOP`]).
	pub fingerprint_min_overlap: u8,
}

impl GenerationTolerance {
	/// Every tolerance must allow some noise, and the overlap must be possible.
	pub fn is_valid(&self) -> bool {
		self.max_gap > 0
			&& self.fingerprint_max_diff > 0
			&& self.fingerprint_min_overlap > 0
			&& u32::from(self.fingerprint_min_overlap) <= FINGERPRINT_TOP
	}
}

/// Why a generation ended.
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
#[serde(rename_all = "lowercase")]
pub enum FinishReason {
	/// The last id is an end-of-generation token.
	Eos,
	/// The text reached one of the request's stop sequences.
	Stop,
	/// `max_tokens` ids were generated.
	Length,
}

/// The sampling terms a generation used, as the bits of their floats.
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
	Default,
)]
pub struct SamplingTerms {
	/// `temperature` as f32 bits.
	pub temperature: u32,
	/// `top_k` (0 keeps every id).
	pub top_k: u32,
	/// `top_p` as f32 bits.
	pub top_p: u32,
}

impl SamplingTerms {
	/// The terms of `params`.
	pub fn of(params: &SamplingParams) -> Self {
		Self {
			temperature: params.temperature.to_bits(),
			top_k: params.top_k,
			top_p: params.top_p.to_bits(),
		}
	}

	/// The sampler's parameters.
	pub fn params(&self) -> SamplingParams {
		SamplingParams {
			temperature: f32::from_bits(self.temperature),
			top_k: self.top_k,
			top_p: f32::from_bits(self.top_p),
		}
	}
}

/// What a miner publishes with its commitment, before any auditor commits: the result a
/// dApp reads once it is accepted.
#[derive(
	Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Clone, PartialEq, Eq, Debug,
)]
pub struct GenerationDraft {
	/// Tokens in the templated prompt: the first generated id is at this position.
	pub prompt_tokens: u32,
	/// The sampling terms the miner read from the job's input.
	pub sampling: SamplingTerms,
	/// The generated ids, an end token included when there was one.
	pub ids: BoundedVec<u32, ConstU32<MAX_GENERATED_TOKENS>>,
	/// Why generation ended.
	pub finish: FinishReason,
	/// The text of the ids, UTF-8, up to a stop sequence or end token.
	pub text: BoundedVec<u8, ConstU32<MAX_DRAFT_TEXT>>,
}

/// One fingerprint chunk: the [`FINGERPRINT_TOP`] hidden indices of largest magnitude and
/// their values in thousandths, by index ascending.
pub type FingerprintChunk = BoundedVec<(u16, i32), ConstU32<FINGERPRINT_TOP>>;

/// A generation's fingerprint: one chunk per [`FINGERPRINT_CHUNK`] generated tokens (the
/// last one possibly shorter).
pub type Fingerprint = BoundedVec<FingerprintChunk, ConstU32<MAX_FINGERPRINT_CHUNKS>>;

/// The number of fingerprint chunks of `tokens` generated tokens.
pub fn fingerprint_chunks(tokens: u32) -> u32 {
	tokens.div_ceil(FINGERPRINT_CHUNK).min(MAX_FINGERPRINT_CHUNKS)
}

/// The generated index (0-based) whose predicting hidden state chunk `chunk` records: the
/// chunk's last token.
pub fn fingerprint_index(chunk: u32, tokens: u32) -> u32 {
	chunk
		.saturating_add(1)
		.saturating_mul(FINGERPRINT_CHUNK)
		.min(tokens)
		.saturating_sub(1)
}

/// A fingerprint chunk from a hidden state (`f32`s): the [`FINGERPRINT_TOP`] largest
/// magnitudes (the lowest index on a tie), rounded to thousandths, by index ascending.
pub fn fingerprint_chunk(hidden: &[f32]) -> FingerprintChunk {
	let mut order: alloc::vec::Vec<(usize, f32)> =
		hidden.iter().copied().enumerate().filter(|(_, v)| v.is_finite()).collect();
	order.sort_by(|a, b| b.1.abs().total_cmp(&a.1.abs()).then(a.0.cmp(&b.0)));
	order.truncate(FINGERPRINT_TOP as usize);
	order.sort_by_key(|(i, _)| *i);
	BoundedVec::truncate_from(
		order
			.into_iter()
			.map(|(i, v)| {
				let milli = libm::round(f64::from(v) * MILLI);
				(u16::try_from(i).unwrap_or(u16::MAX), milli as i32)
			})
			.collect(),
	)
}

/// An auditor's logits at one probe position.
#[derive(
	Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Clone, PartialEq, Eq, Debug,
)]
pub struct Probe {
	/// The generated index (0-based) probed.
	pub index: u32,
	/// The auditor's [`PROBE_TOP`] most likely ids there, and their logits (f32 bits), by
	/// logit descending.
	pub top: BoundedVec<(u32, u32), ConstU32<PROBE_TOP>>,
	/// The auditor's logit (f32 bits) of the miner's token there.
	pub token_logit: u32,
}

impl Probe {
	/// An auditor's probe at generated index `index`: the [`PROBE_TOP`] largest finite
	/// `logits` (the lowest id on a tie) by logit descending, and the logit of the miner's
	/// `token`.
	pub fn from_logits(index: u32, logits: &[f32], token: u32) -> Self {
		let by_logit = |a: &(u32, f32), b: &(u32, f32)| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0));
		let mut order: alloc::vec::Vec<(u32, f32)> = logits
			.iter()
			.enumerate()
			.filter(|(_, l)| l.is_finite())
			.map(|(i, l)| (u32::try_from(i).unwrap_or(u32::MAX), *l))
			.collect();
		let top = PROBE_TOP as usize;
		if order.len() > top {
			order.select_nth_unstable_by(top.saturating_sub(1), by_logit);
			order.truncate(top);
		}
		order.sort_by(by_logit);
		Self {
			index,
			top: BoundedVec::truncate_from(
				order.into_iter().map(|(i, l)| (i, l.to_bits())).collect(),
			),
			token_logit: logits.get(token as usize).copied().unwrap_or(f32::NEG_INFINITY).to_bits(),
		}
	}
}

/// A position where the auditor's choice is not the miner's token.
#[derive(
	Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Clone, PartialEq, Eq, Debug,
)]
pub struct Miss {
	/// The generated index (0-based).
	pub index: u32,
	/// The auditor's choice there.
	pub choice: u32,
	/// Its logit (f32 bits).
	pub choice_logit: u32,
	/// The auditor's logit (f32 bits) of the miner's token.
	pub token_logit: u32,
	/// Whether top-k or top-p removed the miner's token from the candidates.
	pub excluded: bool,
}

/// Something an auditor found wrong with a draft as a whole.
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
pub enum DraftProblem {
	/// The job's input is not a generation request this model can run.
	BadInput,
	/// `prompt_tokens` is not the templated prompt's length.
	PromptTokens,
	/// The sampling terms are not the request's.
	Sampling,
	/// The finish reason does not fit the ids: an end token that is not last or not marked,
	/// fewer than `max_tokens` ids without an end or stop, more than `max_tokens`, tokens
	/// after a stop sequence, or a stop the text does not contain.
	Termination,
	/// The text is not the ids' text.
	Text,
}

/// What an auditor commits to and reveals.
#[derive(
	Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Clone, PartialEq, Eq, Debug,
)]
pub struct GenerationReport {
	/// The auditor's own fingerprint of the draft's tokens.
	pub fingerprint: Fingerprint,
	/// Generated positions checked (the draft's ids).
	pub checked: u32,
	/// Positions where the auditor's choice is not the miner's token.
	pub misses: u32,
	/// The misses with the largest gaps, at most [`MAX_DETAILED_MISSES`].
	pub worst: BoundedVec<Miss, ConstU32<MAX_DETAILED_MISSES>>,
	/// What is wrong with the draft as a whole.
	pub problems: BoundedVec<DraftProblem, ConstU32<5>>,
	/// The auditor's logits at [`probe_indices`].
	pub probes: BoundedVec<Probe, ConstU32<PROBES>>,
}

/// The generated indices at which auditors reveal their logits: [`PROBES`] distinct
/// indices below `tokens` (all of them when there are fewer), in ascending order, drawn
/// from the job's seed.
pub fn probe_indices(seed: &[u8; 32], tokens: u32) -> alloc::vec::Vec<u32> {
	if tokens <= PROBES {
		return (0..tokens).collect();
	}
	let mut chosen = alloc::vec::Vec::with_capacity(PROBES as usize);
	let mut state = sp_crypto_hashing::blake2_256(&(b"verinfer/probe", seed).encode());
	// Each round yields eight candidates; 8 rounds give 64, far more than 4 distinct
	// indices need. The fallback fill keeps the loop bounded whatever the hashes are.
	for _ in 0..8 {
		for word in state.as_chunks::<4>().0 {
			let x = u32::from_le_bytes(*word);
			// `tokens` is above PROBES here, so not zero.
			#[allow(clippy::arithmetic_side_effects)]
			let index = x % tokens;
			if chosen.len() < PROBES as usize && !chosen.contains(&index) {
				chosen.push(index);
			}
		}
		state = sp_crypto_hashing::blake2_256(&state);
	}
	let mut next = 0;
	while chosen.len() < PROBES as usize && next < tokens {
		if !chosen.contains(&next) {
			chosen.push(next);
		}
		next = next.saturating_add(1);
	}
	chosen.sort_unstable();
	chosen
}

/// The sampler's score of `id` with logit `logit` at `position`: the logit for greedy, else
/// the scaled logit plus the seeded Gumbel noise (see [`crate::choose`]).
fn score(params: &SamplingParams, seed: &[u8; 32], position: u32, id: u32, logit: f32) -> f64 {
	if params.temperature == 0.0 {
		f64::from(logit)
	} else {
		f64::from(logit) / f64::from(params.temperature) + gumbel(seed, position, id)
	}
}

/// A lower bound on the gap between the sampler's choice and `token` at a probe, from the
/// auditor's top logits there: only the candidates that top-k and top-p certainly keep (the
/// revealed ids are the most likely ones, so a prefix of them is kept whatever the
/// unrevealed logits are) are compared with the token. `None` if the probe is malformed.
pub fn probe_gap(
	params: &SamplingParams,
	seed: &[u8; 32],
	position: u32,
	token: u32,
	probe: &Probe,
) -> Option<f64> {
	let logits: alloc::vec::Vec<(u32, f32)> =
		probe.top.iter().map(|(id, bits)| (*id, f32::from_bits(*bits))).collect();
	let token_logit = f32::from_bits(probe.token_logit);
	if !token_logit.is_finite()
		|| logits.iter().any(|(_, l)| !l.is_finite())
		|| logits.iter().zip(logits.iter().skip(1)).any(|(a, b)| a.1 < b.1)
	{
		return None;
	}
	let mut kept = logits.len();
	if params.temperature != 0.0 {
		if params.top_k > 0 {
			kept = kept.min(params.top_k as usize);
		}
		if params.top_p < 1.0 {
			// The revealed weights are a part of the total: the prefix that reaches top_p of
			// the revealed part is kept by the true cut too.
			let t = f64::from(params.temperature);
			let z = logits.iter().map(|(_, l)| f64::from(*l) / t);
			kept = kept.min(top_p_prefix(z, params.top_p));
		}
	}
	let own = score(params, seed, position, token, token_logit);
	let best = logits
		.iter()
		.take(kept)
		.map(|(id, l)| score(params, seed, position, *id, *l))
		.fold(own, f64::max);
	Some(best - own)
}

/// The gap of a detailed miss, as the chain recomputes it: the auditor's choice's score
/// minus the miner's token's. `None` if a logit is not finite.
pub fn miss_gap(
	params: &SamplingParams,
	seed: &[u8; 32],
	position: u32,
	token: u32,
	miss: &Miss,
) -> Option<f64> {
	let (c, t) = (f32::from_bits(miss.choice_logit), f32::from_bits(miss.token_logit));
	if !c.is_finite() || !t.is_finite() {
		return None;
	}
	Some(score(params, seed, position, miss.choice, c) - score(params, seed, position, token, t))
}

/// Whether two fingerprints agree: the same number of chunks, and in each chunk at least
/// `fingerprint_min_overlap` shared indices whose values differ by at most
/// `fingerprint_max_diff` thousandths.
pub fn fingerprints_agree(t: &GenerationTolerance, a: &Fingerprint, b: &Fingerprint) -> bool {
	a.len() == b.len()
		&& a.iter().zip(b.iter()).all(|(x, y)| {
			let mut shared = 0u32;
			for (i, v) in x.iter() {
				if let Some((_, w)) = y.iter().find(|(j, _)| j == i) {
					if i64::from(*v).abs_diff(i64::from(*w)) > u64::from(t.fingerprint_max_diff) {
						return false;
					}
					shared = shared.saturating_add(1);
				}
			}
			shared >= u32::from(t.fingerprint_min_overlap)
		})
}

/// Whether an auditor's report supports the miner's result:
///
/// - the report checked every generated position and found nothing wrong with the draft as
///   a whole;
/// - its fingerprint agrees with the miner's, and the miner's has one chunk per
///   [`FINGERPRINT_CHUNK`] tokens;
/// - it has at most `soft_misses` of the positions as misses, each of the detailed ones
///   within `max_gap` as the chain recomputes it from the revealed logits and the seed;
/// - it has a probe at each of [`probe_indices`], and at each the miner's token is within
///   `max_gap` of every candidate the sampler certainly kept.
pub fn generation_agrees(
	t: &GenerationTolerance,
	seed: &[u8; 32],
	draft: &GenerationDraft,
	worker_fingerprint: &Fingerprint,
	report: &GenerationReport,
) -> bool {
	let tokens = draft.ids.len() as u32;
	let params = draft.sampling.params();
	let max_gap = f64::from(t.max_gap) / MILLI;
	if !params.is_valid() || report.checked != tokens || !report.problems.is_empty() {
		return false;
	}
	if worker_fingerprint.len() as u32 != fingerprint_chunks(tokens)
		|| !fingerprints_agree(t, worker_fingerprint, &report.fingerprint)
	{
		return false;
	}
	let allowed = t.soft_misses.mul_floor(tokens);
	if report.misses > allowed
		|| report.worst.len() as u32 != report.misses.min(MAX_DETAILED_MISSES)
	{
		return false;
	}
	let token_at = |index: u32| draft.ids.get(index as usize).copied();
	let position = |index: u32| draft.prompt_tokens.saturating_add(index);
	let misses_fine = report.worst.iter().all(|m| {
		!m.excluded
			&& token_at(m.index).is_some_and(|token| {
				miss_gap(&params, seed, position(m.index), token, m).is_some_and(|g| g <= max_gap)
			})
	});
	if !misses_fine {
		return false;
	}
	let wanted = probe_indices(seed, tokens);
	report.probes.len() == wanted.len()
		&& report.probes.iter().zip(&wanted).all(|(p, &index)| {
			p.index == index
				&& token_at(index).is_some_and(|token| {
					probe_gap(&params, seed, position(index), token, p)
						.is_some_and(|g| g <= max_gap)
				})
		})
}

#[cfg(test)]
mod tests {
	use super::*;
	use crate::sampling::choose;

	const SEED: [u8; 32] = [3; 32];
	const TOL: GenerationTolerance = GenerationTolerance {
		max_gap: 100,
		soft_misses: Perbill::from_percent(2),
		fingerprint_max_diff: 50,
		fingerprint_min_overlap: 6,
	};

	/// A toy model: logits of position `pos` over 16 ids, a fixed function of the position.
	fn logits(pos: u32) -> alloc::vec::Vec<f32> {
		(0..16u32)
			.map(|i| ((i * 7 + pos * 3) % 11) as f32 * 0.4 - (i as f32) * 0.01)
			.collect()
	}

	fn hidden(index: u32) -> alloc::vec::Vec<f32> {
		(0..64u32).map(|i| ((i * 13 + index * 5) % 29) as f32 * 0.25 - 3.0).collect()
	}

	/// The honest draft, fingerprint and report of `tokens` tokens after a 5-token prompt.
	fn honest(
		params: SamplingParams,
		tokens: u32,
	) -> (GenerationDraft, Fingerprint, GenerationReport) {
		let prompt = 5;
		let ids: alloc::vec::Vec<u32> = (0..tokens)
			.map(|k| choose(&logits(prompt + k), &params, &SEED, prompt + k).unwrap().token)
			.collect();
		let fp: Fingerprint = BoundedVec::truncate_from(
			(0..fingerprint_chunks(tokens))
				.map(|c| fingerprint_chunk(&hidden(fingerprint_index(c, tokens))))
				.collect(),
		);
		let probes = probe_indices(&SEED, tokens)
			.into_iter()
			.map(|index| Probe::from_logits(index, &logits(prompt + index), ids[index as usize]))
			.collect();
		let draft = GenerationDraft {
			prompt_tokens: prompt,
			sampling: SamplingTerms::of(&params),
			ids: BoundedVec::truncate_from(ids),
			finish: FinishReason::Length,
			text: BoundedVec::truncate_from(b"text".to_vec()),
		};
		let report = GenerationReport {
			fingerprint: fp.clone(),
			checked: tokens,
			misses: 0,
			worst: BoundedVec::new(),
			problems: BoundedVec::new(),
			probes: BoundedVec::truncate_from(probes),
		};
		(draft, fp, report)
	}

	const SAMPLED: SamplingParams = SamplingParams { temperature: 0.8, top_k: 0, top_p: 0.95 };

	#[test]
	fn an_honest_report_agrees_greedy_and_sampled() {
		for params in [
			SamplingParams::GREEDY,
			SAMPLED,
			SamplingParams { temperature: 1.0, top_k: 3, top_p: 1.0 },
		] {
			for tokens in [1, 4, 31, 32, 33, 100, 256] {
				let (draft, fp, report) = honest(params, tokens);
				assert!(
					generation_agrees(&TOL, &SEED, &draft, &fp, &report),
					"{params:?} {tokens}"
				);
			}
		}
	}

	#[test]
	fn fingerprint_noise_within_tolerance_agrees_and_beyond_it_does_not() {
		let (draft, fp, mut report) = honest(SAMPLED, 64);
		report.fingerprint[0][0].1 += 50;
		assert!(generation_agrees(&TOL, &SEED, &draft, &fp, &report));
		report.fingerprint[0][0].1 += 1;
		assert!(!generation_agrees(&TOL, &SEED, &draft, &fp, &report), "a value off by 0.051");
		let (draft, fp, mut report) = honest(SAMPLED, 64);
		// Three of eight indices replaced: only five shared, six needed.
		for k in 0..3 {
			report.fingerprint[1][k].0 = 60_000 + k as u16;
		}
		assert!(!generation_agrees(&TOL, &SEED, &draft, &fp, &report), "overlap too small");
		let (draft, fp, mut report) = honest(SAMPLED, 64);
		report.fingerprint.pop();
		assert!(!generation_agrees(&TOL, &SEED, &draft, &fp, &report), "a chunk missing");
	}

	#[test]
	fn a_lazy_auditor_without_the_model_disagrees() {
		// It copies the draft (which is public) and claims nothing is wrong, but it never saw
		// the miner's fingerprint: a made-up one does not agree.
		let (draft, fp, mut report) = honest(SAMPLED, 96);
		report.fingerprint =
			BoundedVec::truncate_from((0..3).map(|_| fingerprint_chunk(&[1.0; 64])).collect());
		assert!(!generation_agrees(&TOL, &SEED, &draft, &fp, &report));
	}

	#[test]
	fn misses_are_counted_and_each_detailed_one_is_recomputed() {
		let (draft, fp, mut report) = honest(SamplingParams::GREEDY, 100);
		let token = draft.ids[10];
		let row = logits(15);
		// A near tie: the auditor prefers another id by 0.05.
		let near = Miss {
			index: 10,
			choice: (token + 1) % 16,
			choice_logit: (row[token as usize] + 0.05).to_bits(),
			token_logit: row[token as usize].to_bits(),
			excluded: false,
		};
		report.misses = 1;
		report.worst = BoundedVec::truncate_from(alloc::vec![near.clone()]);
		assert!(
			generation_agrees(&TOL, &SEED, &draft, &fp, &report),
			"one soft miss of 2 % allowed"
		);
		let far = Miss { choice_logit: (row[token as usize] + 0.5).to_bits(), ..near.clone() };
		report.worst = BoundedVec::truncate_from(alloc::vec![far]);
		assert!(!generation_agrees(&TOL, &SEED, &draft, &fp, &report), "a gap of 0.5 is not noise");
		report.misses = 3;
		report.worst =
			BoundedVec::truncate_from(alloc::vec![near.clone(), near.clone(), near.clone()]);
		assert!(!generation_agrees(&TOL, &SEED, &draft, &fp, &report), "3 of 100 is above 2 %");
		report.misses = 1;
		report.worst = BoundedVec::truncate_from(alloc::vec![Miss { excluded: true, ..near }]);
		assert!(!generation_agrees(&TOL, &SEED, &draft, &fp, &report), "a token top-p removed");
		report.worst = BoundedVec::new();
		assert!(
			!generation_agrees(&TOL, &SEED, &draft, &fp, &report),
			"a counted miss must be detailed"
		);
	}

	#[test]
	fn the_chain_checks_substituted_tokens_at_the_probes() {
		for params in [SamplingParams::GREEDY, SAMPLED] {
			let (mut draft, fp, report) = honest(params, 64);
			// The miner handed in other tokens, and the auditor's probes show it even if the
			// auditor's own word (no misses) is wrong.
			let index = probe_indices(&SEED, 64)[0] as usize;
			let row = logits(5 + index as u32);
			let worst =
				(0..16u32).min_by(|a, b| row[*a as usize].total_cmp(&row[*b as usize])).unwrap();
			draft.ids[index] = worst;
			let mut report = report;
			report.probes[0].token_logit = row[worst as usize].to_bits();
			assert!(!generation_agrees(&TOL, &SEED, &draft, &fp, &report), "{params:?}");
		}
	}

	#[test]
	fn probes_must_be_at_the_chains_positions() {
		let (draft, fp, mut report) = honest(SAMPLED, 64);
		report.probes[0].index = (report.probes[0].index + 1) % 64;
		assert!(!generation_agrees(&TOL, &SEED, &draft, &fp, &report));
		let (draft, fp, mut report) = honest(SAMPLED, 64);
		report.probes.pop();
		assert!(!generation_agrees(&TOL, &SEED, &draft, &fp, &report));
		let p = probe_indices(&SEED, 64);
		assert_eq!(p.len(), PROBES as usize);
		assert!(p.windows(2).all(|w| w[0] < w[1]) && p.iter().all(|&i| i < 64));
		assert_ne!(p, probe_indices(&[4; 32], 64), "another seed probes elsewhere");
		assert_eq!(probe_indices(&SEED, 3), alloc::vec![0, 1, 2]);
	}

	#[test]
	fn problems_and_a_short_check_reject() {
		let (draft, fp, mut report) = honest(SAMPLED, 40);
		report.problems = BoundedVec::truncate_from(alloc::vec![DraftProblem::Termination]);
		assert!(!generation_agrees(&TOL, &SEED, &draft, &fp, &report));
		let (draft, fp, mut report) = honest(SAMPLED, 40);
		report.checked = 39;
		assert!(!generation_agrees(&TOL, &SEED, &draft, &fp, &report));
	}

	#[test]
	fn the_bounds_keep_a_full_report_a_few_kib() {
		assert_eq!(MAX_FINGERPRINT_CHUNKS, 8);
		assert!(
			GenerationReport::max_encoded_len() < 4096,
			"{}",
			GenerationReport::max_encoded_len()
		);
		assert!(Fingerprint::max_encoded_len() < 512);
		assert!(GenerationDraft::max_encoded_len() < 6 * 1024);
	}

	#[test]
	fn tolerances_must_allow_noise() {
		assert!(TOL.is_valid());
		assert!(!GenerationTolerance { max_gap: 0, ..TOL }.is_valid());
		assert!(!GenerationTolerance { fingerprint_min_overlap: 9, ..TOL }.is_valid());
		assert!(!GenerationTolerance { fingerprint_max_diff: 0, ..TOL }.is_valid());
	}
}
