//! TESTING ONLY: the wrong outputs `--cheat-fraction-for-testing` commits on purpose, so
//! that tests can watch the chain catch and slash a cheater.

use crate::chain::JobId;
use verinfer_primitives::ModelFamily;

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
/// embedding points the other way, an LLM's text is substituted.
pub(super) fn corrupt(family: ModelFamily, output: Vec<u8>) -> Vec<u8> {
    match family {
        ModelFamily::DigitsCnn => {
            let mut logits = verinfer_primitives::decode_i32s(&output).unwrap_or_default();
            if let Some(best) = (0..logits.len()).max_by_key(|&i| logits[i]) {
                let other = (best + 1) % logits.len().max(1);
                logits[other] = logits[best].saturating_add(1_000);
            }
            verinfer_primitives::encode_i32s(&logits)
        }
        ModelFamily::Llama => match crate::llm::JobOutput::parse(&output) {
            Ok(mut out) => {
                out.text = "a substituted answer".into();
                out.ids.reverse();
                out.canonical_bytes()
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
