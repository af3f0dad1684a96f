//! TESTING ONLY: the wrong outputs `--cheat-fraction-for-testing` commits on purpose, so
//! that tests can watch the chain catch and slash a cheater.

use codec::Encode as _;
use verinfer_primitives::{
    fingerprint_chunk, fingerprint_chunks, probe_indices, FinishReason, GenerationReport,
    ModelFamily, Probe,
};

use crate::chain::JobId;
use crate::llm::job::{decode_draft, MinerResult};

/// TESTING ONLY: how a cheating miner falsifies an LLM job.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum CheatKind {
    /// Hand in other tokens (the honest ones reversed) and another text.
    #[default]
    Substitute,
    /// Stop after half the tokens, claiming the model ended there.
    Truncate,
}

/// Whether a miner or auditor cheats on `job` (deterministic per job, so tests can predict it).
pub(super) fn cheats_on(job: JobId, fraction: f64) -> bool {
    if fraction <= 0.0 {
        return false;
    }
    let h = sp_crypto_hashing::blake2_256(&job.to_le_bytes());
    let x = u32::from_le_bytes([h[0], h[1], h[2], h[3]]) as f64 / u32::MAX as f64;
    x < fraction
}

/// A wrong output of the right shape: the digits logits favour another class, the
/// embedding points the other way, an LLM's tokens are substituted or truncated (`kind`).
pub(super) fn corrupt(family: ModelFamily, kind: CheatKind, output: Vec<u8>) -> Vec<u8> {
    match family {
        ModelFamily::DigitsCnn => {
            let mut logits = verinfer_primitives::decode_i32s(&output).unwrap_or_default();
            if let Some(best) = (0..logits.len()).max_by_key(|&i| logits[i]) {
                let other = (best + 1) % logits.len().max(1);
                logits[other] = logits[best].saturating_add(1_000);
            }
            verinfer_primitives::encode_i32s(&logits)
        }
        ModelFamily::Llama => match MinerResult::parse(&output) {
            Ok(mut result) => {
                let draft = &mut result.draft;
                match kind {
                    CheatKind::Substitute => {
                        let mut ids = draft.ids.to_vec();
                        ids.reverse();
                        draft.ids = bounded_collections::BoundedVec::truncate_from(ids);
                        draft.text = bounded(b"a substituted answer".to_vec());
                    }
                    CheatKind::Truncate if draft.ids.len() >= 2 => {
                        let keep = draft.ids.len() / 2;
                        draft.ids.truncate(keep);
                        draft.finish = FinishReason::Eos;
                        draft.text = bounded(b"a truncated answer".to_vec());
                    }
                    // One id cannot be cut short: it is replaced, and claimed to fill
                    // max_tokens.
                    CheatKind::Truncate => {
                        let ids = draft.ids.iter().map(|t| t.wrapping_add(1)).collect();
                        draft.ids = bounded_collections::BoundedVec::truncate_from(ids);
                        draft.finish = FinishReason::Length;
                    }
                }
                result.encode()
            }
            Err(_) => output,
        },
        ModelFamily::Bert => {
            let v: Vec<f32> = verinfer_primitives::decode_f32s(&output)
                .unwrap_or_default()
                .into_iter()
                .map(|x| -x)
                .collect();
            verinfer_primitives::encode_f32s(&v)
        }
    }
}

fn bounded<S: bounded_collections::Get<u32>>(v: Vec<u8>) -> bounded_collections::BoundedVec<u8, S> {
    bounded_collections::BoundedVec::truncate_from(v)
}

/// TESTING ONLY: a lazy auditor's report on a draft (as the chain holds it), made without
/// running the model: every token passes, a made-up fingerprint, and probes that put the
/// miner's token first.
pub(super) fn lazy_report(draft: &[u8]) -> Vec<u8> {
    let Ok(draft) = decode_draft(draft) else {
        return Vec::new();
    };
    let tokens = draft.ids.len() as u32;
    let seed = [0u8; 32];
    let probes = probe_indices(&seed, tokens)
        .into_iter()
        .map(|index| {
            let token = draft.ids.get(index as usize).copied().unwrap_or(0);
            Probe {
                index,
                top: bounded_collections::BoundedVec::truncate_from(vec![(
                    token,
                    1.0f32.to_bits(),
                )]),
                token_logit: 1.0f32.to_bits(),
            }
        })
        .collect();
    GenerationReport {
        fingerprint: bounded_collections::BoundedVec::truncate_from(
            (0..fingerprint_chunks(tokens))
                .map(|_| fingerprint_chunk(&[1.0; 8]))
                .collect(),
        ),
        checked: tokens,
        misses: 0,
        worst: bounded_collections::BoundedVec::new(),
        problems: bounded_collections::BoundedVec::new(),
        probes: bounded_collections::BoundedVec::truncate_from(probes),
    }
    .encode()
}
