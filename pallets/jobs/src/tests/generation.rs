//! Generation jobs (`VerificationClass::Generation`): the worker publishes its draft with
//! its commitment, auditors commit to reports over it, and the chain judges each report
//! against the worker's fingerprint, revealed only after every auditor committed.

use super::*;
use crate::{Error, Fingerprints, Outputs};
use codec::Encode;
use frame_support::{assert_noop, BoundedVec};
use pallet_compute_staking::Pallet as Staking;
use sp_runtime::Perbill;
use verinfer_primitives::ComputeStakingInterface;
use verinfer_primitives::{
	choose, fingerprint_chunk, fingerprint_chunks, fingerprint_index, probe_indices, Fingerprint,
	FinishReason, GenerationDraft, GenerationReport, Miss, Probe, SamplingParams, SamplingTerms,
};

const PROMPT: u32 = 6;
const TOKENS: u32 = 40;
const SAMPLED: SamplingParams = SamplingParams { temperature: 0.8, top_k: 0, top_p: 0.95 };

/// The toy model's logits at `pos`, over 16 ids.
fn logits(pos: u32) -> Vec<f32> {
	(0..16u32)
		.map(|i| ((i * 7 + pos * 3) % 11) as f32 * 0.4 - i as f32 * 0.01)
		.collect()
}

/// The toy model's final hidden state predicting generated index `index`.
fn hidden(index: u32) -> Vec<f32> {
	(0..64u32).map(|i| ((i * 13 + index * 5) % 29) as f32 * 0.25 - 3.0).collect()
}

/// What the toy model generates with `seed`.
fn honest_draft(seed: &[u8; 32]) -> GenerationDraft {
	let ids = (0..TOKENS)
		.map(|k| choose(&logits(PROMPT + k), &SAMPLED, seed, PROMPT + k).unwrap().token)
		.collect::<Vec<_>>();
	GenerationDraft {
		prompt_tokens: PROMPT,
		sampling: SamplingTerms::of(&SAMPLED),
		ids: BoundedVec::truncate_from(ids),
		finish: FinishReason::Length,
		text: BoundedVec::truncate_from(b"a toy text".to_vec()),
	}
}

fn fingerprint(tokens: u32) -> Fingerprint {
	BoundedVec::truncate_from(
		(0..fingerprint_chunks(tokens))
			.map(|c| fingerprint_chunk(&hidden(fingerprint_index(c, tokens))))
			.collect(),
	)
}

/// What an honest auditor running the toy model reports about `draft`.
fn report(draft: &GenerationDraft, seed: &[u8; 32]) -> GenerationReport {
	let tokens = draft.ids.len() as u32;
	let mut worst = Vec::new();
	let mut misses = 0;
	for (k, &token) in draft.ids.iter().enumerate() {
		let row = logits(PROMPT + k as u32);
		let choice = choose(&row, &SAMPLED, seed, PROMPT + k as u32).unwrap().token;
		if choice != token {
			misses += 1;
			if worst.len() < 16 {
				worst.push(Miss {
					index: k as u32,
					choice,
					choice_logit: row[choice as usize].to_bits(),
					token_logit: row[token as usize].to_bits(),
					excluded: false,
				});
			}
		}
	}
	let probes = probe_indices(seed, tokens)
		.into_iter()
		.map(|index| Probe::from_logits(index, &logits(PROMPT + index), draft.ids[index as usize]))
		.collect();
	GenerationReport {
		fingerprint: fingerprint(tokens),
		checked: tokens,
		misses,
		worst: BoundedVec::truncate_from(worst),
		problems: BoundedVec::new(),
		probes: BoundedVec::truncate_from(probes),
	}
}

/// Submits a generation job and runs until `WORKER` holds it; returns it and its seed.
fn assigned_generation() -> (JobId, [u8; 32]) {
	let id = submit(DAPP, GENERATION, b"{\"prompt\":\"hi\"}", 5_000);
	run_until(id, JobStatus::Assigned);
	assert_eq!(job(id).worker, Some(WORKER));
	(id, job(id).seed)
}

/// Submits a generation job; `WORKER` commits the draft `make` writes with the job's seed
/// and its fingerprint; runs until the auditors are drawn. Returns the job, its auditors,
/// the draft and the encoded fingerprint.
fn audited_generation(
	make: impl FnOnce(&[u8; 32]) -> GenerationDraft,
) -> (JobId, Vec<u64>, GenerationDraft, Vec<u8>) {
	let (id, seed) = assigned_generation();
	let draft = make(&seed);
	let fp = fingerprint(draft.ids.len() as u32).encode();
	assert_ok!(Jobs::commit_generation(
		RuntimeOrigin::signed(WORKER),
		id,
		commitment_of(id, WORKER, &fp),
		draft.clone()
	));
	assert_eq!(
		Outputs::<Test>::get(id, WORKER).map(|o| o.into_inner()),
		Some(draft.encode()),
		"the draft is public from the commit on"
	);
	run_until(id, JobStatus::Auditing);
	let auditors: Vec<u64> = job(id).auditors.iter().map(|a| a.who).collect();
	assert_eq!(auditors.len(), 3);
	(id, auditors, draft, fp)
}

/// The auditors commit to `reports`; the worker reveals its fingerprint, then the auditors.
fn judge(id: JobId, auditors: &[u64], fp: &[u8], reports: &[Vec<u8>]) {
	for (a, r) in auditors.iter().zip(reports) {
		commit_audit(id, *a, r);
	}
	assert!(Fingerprints::<Test>::get(id).is_none(), "nobody saw the fingerprint yet");
	reveal(id, WORKER, fp);
	for (a, r) in auditors.iter().zip(reports) {
		reveal_audit(id, *a, r);
	}
}

#[test]
fn an_honest_generation_is_accepted_and_its_draft_is_the_output() {
	new_test_ext().execute_with(|| {
		let issuance = genesis_issuance();
		let (id, auditors, draft, fp) = audited_generation(honest_draft);
		assert_ne!(draft, honest_draft(&[0; 32]), "sampled with the job's seed");
		let r = report(&draft, &job(id).seed).encode();
		judge(id, &auditors, &fp, &[r.clone(), r.clone(), r]);
		assert_eq!(last_verdict(id), Some(Verdict::AcceptedByAudit));
		assert_eq!(
			crate::Pallet::<Test>::job_result(id).and_then(|r| r.output),
			Some(draft.encode()),
			"the dApp reads the draft"
		);
		assert_settled(issuance);
	});
}

#[test]
fn text_not_sampled_with_the_chains_seed_is_rejected_and_slashed() {
	new_test_ext().execute_with(|| {
		let issuance = genesis_issuance();
		// The worker samples with a seed of its own (or writes the text itself).
		let (id, auditors, draft, fp) = audited_generation(|_| honest_draft(&[9; 32]));
		let r = report(&draft, &job(id).seed);
		assert!(r.misses > 0, "the auditors see the tokens are not the seed's choices");
		let stake = Staking::<Test>::stake(&WORKER);
		let r = r.encode();
		judge(id, &auditors, &fp, &[r.clone(), r.clone(), r]);
		assert_eq!(last_verdict(id), Some(Verdict::RejectedByAudit));
		assert_eq!(Staking::<Test>::stake(&WORKER), stake / 2, "worker_slash is 50 %");
		assert_eq!(Balances::balance(&DAPP), ENDOWMENT, "the dApp is refunded");
		assert_settled(issuance);
	});
}

#[test]
fn a_lazy_auditor_that_copies_the_draft_loses_to_the_majority() {
	new_test_ext().execute_with(|| {
		let issuance = genesis_issuance();
		let (id, auditors, draft, fp) = audited_generation(honest_draft);
		let honest = report(&draft, &job(id).seed);
		// It claims every token is fine without running the model: it cannot know the
		// worker's fingerprint, which is revealed only after every auditor committed.
		let lazy = GenerationReport {
			fingerprint: BoundedVec::truncate_from(
				(0..fingerprint_chunks(TOKENS)).map(|_| fingerprint_chunk(&[1.0; 64])).collect(),
			),
			..honest.clone()
		};
		let stake = Staking::<Test>::stake(&auditors[2]);
		judge(id, &auditors, &fp, &[honest.encode(), honest.encode(), lazy.encode()]);
		assert_eq!(last_verdict(id), Some(Verdict::AcceptedByAudit));
		assert_eq!(Staking::<Test>::stake(&auditors[2]), stake - stake / 5, "auditor_slash");
		assert!(events().iter().any(|e| matches!(
			e,
			Event::AuditRevealed { agrees: false, auditor, .. } if *auditor == auditors[2]
		)));
		assert_settled(issuance);
	});
}

#[test]
fn a_generation_needs_a_draft_and_only_a_generation_takes_one() {
	new_test_ext().execute_with(|| {
		let (id, seed) = assigned_generation();
		assert_noop!(
			Jobs::commit_result(RuntimeOrigin::signed(WORKER), id, [1; 32]),
			Error::<Test>::DraftRequired
		);
		let mut empty = honest_draft(&seed);
		empty.ids = BoundedVec::new();
		assert_noop!(
			Jobs::commit_generation(RuntimeOrigin::signed(WORKER), id, [1; 32], empty),
			Error::<Test>::MalformedDraft
		);
		let mut not_utf8 = honest_draft(&seed);
		not_utf8.text = BoundedVec::truncate_from(vec![0xff, 0xfe]);
		assert_noop!(
			Jobs::commit_generation(RuntimeOrigin::signed(WORKER), id, [1; 32], not_utf8),
			Error::<Test>::MalformedDraft
		);
		assert_noop!(
			Jobs::commit_generation(RuntimeOrigin::signed(DAPP), id, [1; 32], honest_draft(&seed)),
			Error::<Test>::NotAssignedWorker
		);
		let exact = assigned_job();
		assert_noop!(
			Jobs::commit_generation(
				RuntimeOrigin::signed(WORKER),
				exact,
				[1; 32],
				honest_draft(&seed)
			),
			Error::<Test>::NotAGeneration
		);
	});
}

#[test]
fn reveals_of_a_generation_must_decode_as_a_fingerprint_and_a_report() {
	new_test_ext().execute_with(|| {
		let (id, auditors, draft, fp) = audited_generation(honest_draft);
		let r = report(&draft, &job(id).seed).encode();
		for a in &auditors {
			commit_audit(id, *a, &r);
		}
		// The worker committed to its fingerprint: bytes that are not one are refused.
		let junk = vec![7u8; 5];
		assert_noop!(
			Jobs::reveal_result(
				RuntimeOrigin::signed(WORKER),
				id,
				BoundedVec::truncate_from(junk),
				salt_of(WORKER)
			),
			Error::<Test>::CommitmentMismatch
		);
		reveal(id, WORKER, &fp);
		assert_eq!(Fingerprints::<Test>::get(id).map(|f| f.encode()), Some(fp.clone()));
		assert_eq!(
			Outputs::<Test>::get(id, WORKER).map(|o| o.into_inner()),
			Some(draft.encode()),
			"the fingerprint does not replace the draft"
		);
		for a in &auditors {
			reveal_audit(id, *a, &r);
		}
		assert_eq!(last_verdict(id), Some(Verdict::AcceptedByAudit));
	});
}

#[test]
fn an_unaudited_generation_is_accepted_on_the_fingerprints_reveal() {
	new_test_ext().execute_with(|| {
		let mut p = params();
		p.audit_probability = Perbill::from_parts(1);
		assert_ok!(Jobs::set_params(RuntimeOrigin::root(), p));
		let (id, seed) = assigned_generation();
		let draft = honest_draft(&seed);
		let fp = fingerprint(TOKENS).encode();
		assert_ok!(Jobs::commit_generation(
			RuntimeOrigin::signed(WORKER),
			id,
			commitment_of(id, WORKER, &fp),
			draft.clone()
		));
		run_until(id, JobStatus::Revealing);
		reveal(id, WORKER, &fp);
		assert_eq!(last_verdict(id), Some(Verdict::AcceptedUnaudited));
		assert_eq!(
			crate::Pallet::<Test>::job_result(id).and_then(|r| r.output),
			Some(draft.encode())
		);
	});
}
