//! The auditor's side of a generation audit (`VerificationClass::Generation`): one
//! teacher-forced prefill over the prompt and the miner's published tokens, and from it a
//! `verinfer_primitives::GenerationReport`.
//!
//! At every generated position the auditor recomputes the sampler's choice from its own
//! logits and the job's seed (`verinfer_primitives::choose`); a position where the choice
//! is not the miner's token is a miss, with its gap (`token_gap`). It checks that the draft
//! as a whole is what generation would produce: the prompt's length, the sampling terms,
//! the termination (an end token only last, `max_tokens` ids unless an end or a stop came
//! first, nothing after a stop) and the text. It computes its own fingerprint of the hidden
//! states, which it commits to before it can see the miner's, and reveals its logits at the
//! chain's probe positions so that the chain recomputes those choices itself.

use bounded_collections::BoundedVec;
use burn::prelude::*;
use verinfer_primitives::{
    choose, fingerprint_chunk, fingerprint_chunks, fingerprint_index, probe_indices, token_gap,
    DraftProblem, FinishReason, GenerationDraft, GenerationReport, Miss, Probe, SamplingTerms,
    MAX_DETAILED_MISSES,
};

use super::generate::{self, Request};
use super::job::JobRequest;
use super::LlmModel;
use crate::WorkerError;

/// A report that rejects the draft outright, for a draft this model cannot even read.
fn rejection(problem: DraftProblem) -> GenerationReport {
    GenerationReport {
        fingerprint: BoundedVec::new(),
        checked: 0,
        misses: 0,
        worst: BoundedVec::new(),
        problems: BoundedVec::truncate_from(vec![problem]),
        probes: BoundedVec::new(),
    }
}

impl<B: Backend> LlmModel<B> {
    /// Audits `draft` for the job whose input (with the chain's seed, see
    /// [`super::job::with_seed`]) is `input`.
    pub fn audit_job(
        &self,
        input: &[u8],
        draft: &GenerationDraft,
    ) -> Result<GenerationReport, WorkerError> {
        let Ok(request) = JobRequest::parse(input).and_then(|r| r.to_request(self)) else {
            return Ok(rejection(DraftProblem::BadInput));
        };
        self.audit(&request, draft)
    }

    /// Audits `draft` against `request` with one prefill.
    pub fn audit(
        &self,
        request: &Request,
        draft: &GenerationDraft,
    ) -> Result<GenerationReport, WorkerError> {
        let vocab = self.llama.params().vocab;
        let dim = self.llama.params().embedding;
        let ids: Vec<u32> = draft.ids.to_vec();
        let n = ids.len();
        let p = request.prompt.len();
        let mut problems = Vec::new();
        if draft.prompt_tokens as usize != p {
            problems.push(DraftProblem::PromptTokens);
        }
        if draft.sampling != SamplingTerms::of(&request.sampling) {
            problems.push(DraftProblem::Sampling);
        }
        if n == 0
            || n > request.max_tokens
            || ids.iter().any(|&t| t as usize >= vocab)
            || p + n > self.llama.params().context
        {
            // Nothing the model could have generated: no prefill can check it.
            return Ok(rejection(DraftProblem::Termination));
        }
        if !self.termination_fits(request, draft)? {
            problems.push(DraftProblem::Termination);
        }
        if !self.text_fits(request, draft)? {
            problems.push(DraftProblem::Text);
        }

        // Row `t` predicts id `t + 1`: the last row needed predicts the last generated id.
        let sequence = [request.prompt.as_slice(), &ids[..n - 1]].concat();
        let (hidden, logits) = generate::prefill(&self.llama, &sequence)?;
        let row = |k: usize| &logits[(p + k - 1) * vocab..(p + k) * vocab];

        let mut misses: Vec<(f64, Miss)> = Vec::new();
        for (k, &token) in ids.iter().enumerate() {
            let position = (p + k) as u32;
            let logits_k = row(k);
            let choice = choose(logits_k, &request.sampling, &request.seed, position)
                .ok_or_else(|| WorkerError::Backend("the model produced no finite logit".into()))?;
            if choice.token == token {
                continue;
            }
            let gap = token_gap(logits_k, &request.sampling, &request.seed, position, token)
                .unwrap_or(f64::INFINITY);
            misses.push((
                gap,
                Miss {
                    index: k as u32,
                    choice: choice.token,
                    choice_logit: logits_k[choice.token as usize].to_bits(),
                    token_logit: logits_k[token as usize].to_bits(),
                    excluded: !gap.is_finite(),
                },
            ));
        }
        let total_misses = misses.len() as u32;
        misses.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.index.cmp(&b.1.index)));
        misses.truncate(MAX_DETAILED_MISSES as usize);

        let tokens = n as u32;
        let fingerprint = (0..fingerprint_chunks(tokens))
            .map(|c| {
                let at = p + fingerprint_index(c, tokens) as usize - 1;
                fingerprint_chunk(&hidden[at * dim..(at + 1) * dim])
            })
            .collect();
        let probes = probe_indices(&request.seed, tokens)
            .into_iter()
            .map(|index| Probe::from_logits(index, row(index as usize), ids[index as usize]))
            .collect();
        Ok(GenerationReport {
            fingerprint: BoundedVec::truncate_from(fingerprint),
            checked: tokens,
            misses: total_misses,
            worst: BoundedVec::truncate_from(misses.into_iter().map(|(_, m)| m).collect()),
            problems: BoundedVec::truncate_from(problems),
            probes: BoundedVec::truncate_from(probes),
        })
    }

    /// Whether the draft ends the way generation ends (see `generate`): at the first end
    /// token, at the first id whose text completes a stop sequence, or after `max_tokens`.
    fn termination_fits(
        &self,
        request: &Request,
        draft: &GenerationDraft,
    ) -> Result<bool, WorkerError> {
        let ids = &draft.ids[..];
        let n = ids.len();
        let is_end = |t: &u32| self.tokenizer.is_end(*t);
        // An end token anywhere but last would have ended generation there.
        if ids[..n - 1].iter().any(is_end) {
            return Ok(false);
        }
        let ends = is_end(&ids[n - 1]);
        let stops_at = |k: usize| -> Result<bool, WorkerError> {
            if request.stop.is_empty() {
                return Ok(false);
            }
            let text = self.tokenizer.decode(&ids[..k])?;
            Ok(request.stop.iter().any(|s| text.contains(s.as_str())))
        };
        // No shorter prefix may already contain a stop sequence.
        for k in 1..n {
            if stops_at(k)? {
                return Ok(false);
            }
        }
        Ok(match draft.finish {
            FinishReason::Eos => ends,
            FinishReason::Stop => !ends && stops_at(n)?,
            FinishReason::Length => !ends && n == request.max_tokens && !stops_at(n)?,
        })
    }

    /// Whether the draft's text is its ids' text, cut as generation cuts it.
    fn text_fits(&self, request: &Request, draft: &GenerationDraft) -> Result<bool, WorkerError> {
        let ids = &draft.ids[..];
        let text = match draft.finish {
            FinishReason::Eos => self.tokenizer.decode(&ids[..ids.len() - 1])?,
            FinishReason::Length => self.tokenizer.decode(ids)?,
            FinishReason::Stop => {
                let full = self.tokenizer.decode(ids)?;
                match request
                    .stop
                    .iter()
                    .filter_map(|s| full.find(s.as_str()))
                    .min()
                {
                    Some(cut) => full[..cut].to_string(),
                    None => return Ok(false),
                }
            }
        };
        Ok(text.as_bytes() == &draft.text[..])
    }
}
