//! Calibration of the generation audit (`VerificationClass::Generation`): the chain's
//! verdict (`verinfer_primitives::generation_agrees`, under a [`GenerationTolerance`]) on
//! the auditor's report ([`LlmModel::audit`]) for many honest jobs and many cheats, and the
//! noise the tolerances must absorb.
//!
//! An honest miner decodes jobs one token at a time, alone or in batches (the packed decode
//! products); an auditor runs one prefill over the prompt and the published tokens (gemm
//! over the whole sequence). The two sum in different orders, so their logits and hidden
//! states differ by float noise: the report measures it (the largest miss gap, the largest
//! fingerprint difference, the smallest fingerprint overlap, the largest probe gap), over
//! greedy and sampled jobs, several prompt lengths, and decode batches of 1 and `batch`.
//!
//! The cheats, each judged by the same verdict. Every cheater but the last hands in the
//! fingerprint an honest prefill of its own tokens gives (the strongest cheat: TOPLOC's
//! hole, a fingerprint that matches its text), so only the seed-bound token checks and the
//! termination checks can catch it:
//!
//! - `other_seed`: text sampled with another seed than the chain's;
//! - `greedy_for_sampled`: greedy text where sampling was asked for;
//! - `hand_written`: a fixed text, ended with an end token;
//! - `other_model`: the text another model (`--other-model`, e.g. SmolLM2 re-quantized to
//!   Q8_0 by `scripts/requantize_q8.py`) generates for the same request and seed;
//! - `foreign_text`: the honest text of another job's prompt;
//! - `truncated`: the first half of the honest ids, then an end token;
//! - `padded`: an honest generation that ended with an end token, the end token dropped and
//!   ids appended up to `max_tokens`;
//! - `fingerprint_copied`: the honest text with the fingerprint of another job.

use std::time::Instant;

use bounded_collections::BoundedVec;
use burn::prelude::*;
use serde::Serialize;
use verinfer_primitives::{
    generation_agrees, miss_gap, probe_gap, Fingerprint, FinishReason, GenerationDraft,
    GenerationReport, GenerationTolerance, SamplingParams,
};

use super::generate::{Generation, Request};
use super::job::JobOutput;
use super::{LlmModel, Message};
use crate::WorkerError;

/// Prompts of varied length and kind: the calibration cycles through them.
const TOPICS: [&str; 16] = [
    "What is the capital of France?",
    "Write a haiku about the sea.",
    "Explain in two sentences how a blockchain reaches consensus.",
    "List three prime numbers and say why they are prime.",
    "Translate 'good morning, how are you?' into Spanish.",
    "def fibonacci(n):\n    \"\"\"Return the n-th Fibonacci number.\"\"\"\n",
    "Once upon a time, in a village at the foot of the mountains,",
    "Give me a recipe for a simple tomato soup.",
    "Why is the sky blue? Answer for a ten-year-old.",
    "Summarize the plot of Romeo and Juliet in one paragraph.",
    "The three laws of thermodynamics are",
    "Write a short email asking a colleague to review a pull request.",
    "What are the health benefits of regular walking?",
    "Compose a limerick about a cat who loves to code.",
    "In 1969, the first humans landed on the Moon. Describe the mission.",
    "Name five countries in Africa and their capitals.",
];

/// The noise and the verdicts of one kind of run.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Tally {
    /// Jobs judged.
    pub jobs: usize,
    /// Generated positions checked.
    pub positions: usize,
    /// Positions where the auditor's choice was not the token.
    pub misses: usize,
    /// The largest share of missed positions in one job.
    pub max_miss_share: f64,
    /// The largest finite miss gap, as the chain recomputes it.
    pub max_miss_gap: f64,
    /// Misses whose token top-k or top-p removed.
    pub excluded: usize,
    /// The largest difference (thousandths) of a fingerprint value at a shared index.
    pub max_fingerprint_diff: i64,
    /// The fewest shared indices in a fingerprint chunk.
    pub min_fingerprint_overlap: usize,
    /// The largest probe gap, as the chain computes it.
    pub max_probe_gap: f64,
    /// Jobs with a problem of the draft as a whole (termination, text, ...).
    pub with_problems: usize,
    /// Jobs the chain's verdict rejects.
    pub rejected: usize,
}

impl Tally {
    fn add(
        &mut self,
        tolerance: &GenerationTolerance,
        seed: &[u8; 32],
        draft: &GenerationDraft,
        worker: &Fingerprint,
        report: &GenerationReport,
    ) {
        if self.jobs == 0 {
            self.min_fingerprint_overlap = usize::MAX;
        }
        self.jobs += 1;
        self.positions += report.checked as usize;
        self.misses += report.misses as usize;
        if report.checked > 0 {
            let share = f64::from(report.misses) / f64::from(report.checked);
            self.max_miss_share = self.max_miss_share.max(share);
        }
        let params = draft.sampling.params();
        let position = |index: u32| draft.prompt_tokens + index;
        for m in report.worst.iter() {
            if m.excluded {
                self.excluded += 1;
                continue;
            }
            let token = draft.ids.get(m.index as usize).copied().unwrap_or(0);
            if let Some(g) = miss_gap(&params, seed, position(m.index), token, m) {
                if g.is_finite() {
                    self.max_miss_gap = self.max_miss_gap.max(g);
                }
            }
        }
        for (a, b) in worker.iter().zip(report.fingerprint.iter()) {
            let mut shared = 0;
            for (i, v) in a.iter() {
                if let Some((_, w)) = b.iter().find(|(j, _)| j == i) {
                    shared += 1;
                    self.max_fingerprint_diff = self
                        .max_fingerprint_diff
                        .max((i64::from(*v) - i64::from(*w)).abs());
                }
            }
            self.min_fingerprint_overlap = self.min_fingerprint_overlap.min(shared);
        }
        for p in report.probes.iter() {
            let token = draft.ids.get(p.index as usize).copied().unwrap_or(0);
            if let Some(g) = probe_gap(&params, seed, position(p.index), token, p) {
                self.max_probe_gap = self.max_probe_gap.max(g);
            }
        }
        if !report.problems.is_empty() {
            self.with_problems += 1;
        }
        if !generation_agrees(tolerance, seed, draft, worker, report) {
            self.rejected += 1;
        }
    }
}

/// What one audit of a given output length costs against its generation.
#[derive(Clone, Debug, Serialize)]
pub struct Cost {
    /// Generated tokens asked for.
    pub max_tokens: usize,
    /// Jobs timed.
    pub jobs: usize,
    /// Tokens generated in all.
    pub tokens: usize,
    /// Seconds of generation, one job at a time.
    pub generate_s: f64,
    /// Seconds of the audits (one prefill and the checks each).
    pub audit_s: f64,
    /// `audit_s / generate_s`.
    pub share: f64,
}

/// What `calibrate-llm` prints.
#[derive(Clone, Debug, Serialize)]
pub struct Report {
    /// Generated tokens per job (at most).
    pub max_tokens: usize,
    /// The miner's decode batch for the batched share of the honest jobs.
    pub batch: usize,
    /// The tolerances the verdicts use.
    pub tolerance: GenerationTolerance,
    /// Honest jobs decoded one at a time.
    pub honest_batch_1: Tally,
    /// Honest jobs decoded `batch` at a time.
    pub honest_batched: Tally,
    /// Each cheat's verdicts.
    pub cheats: Vec<(String, Tally)>,
    /// Seconds of generation of the honest jobs, and of their audits.
    pub generate_s: f64,
    /// See `generate_s`.
    pub audit_s: f64,
    /// Audit cost at fixed output lengths.
    pub cost: Vec<Cost>,
}

/// One calibration job.
struct Job {
    request: Request,
}

fn seed_of(i: usize, salt: u8) -> [u8; 32] {
    sp_crypto_hashing::blake2_256(&[&(i as u64).to_le_bytes()[..], &[salt]].concat())
}

/// The draft a miner publishes for `generation` of `request`.
fn draft_of(request: &Request, generation: &Generation) -> Result<GenerationDraft, WorkerError> {
    JobOutput::new(request.prompt.len(), generation.clone())
        .to_draft(&request.sampling)
        .ok_or_else(|| WorkerError::Backend("a generation beyond a draft's bounds".into()))
}

/// What the calibration runs, besides the model.
#[derive(Clone, Debug)]
pub struct Plan {
    /// Honest jobs (half greedy, half sampled).
    pub jobs: usize,
    /// Tokens per job, at most.
    pub max_tokens: usize,
    /// The batched honest jobs' decode batch.
    pub batch: usize,
    /// Jobs per cheat.
    pub cheat_jobs: usize,
    /// The tolerances judged by.
    pub tolerance: GenerationTolerance,
    /// Output lengths whose audit cost is timed, and jobs per length.
    pub cost_tokens: Vec<usize>,
    /// See `cost_tokens`.
    pub cost_jobs: usize,
}

impl<B: Backend> LlmModel<B> {
    /// Audits `draft` as the auditor would, and adds the verdict to `tally`; `worker` is
    /// the fingerprint the miner hands in, or the one an honest prefill of the draft gives.
    fn judge(
        &self,
        tally: &mut Tally,
        tolerance: &GenerationTolerance,
        request: &Request,
        draft: &GenerationDraft,
        worker: Option<&Fingerprint>,
    ) -> Result<(), WorkerError> {
        let report = self.audit(request, draft)?;
        let own = report.fingerprint.clone();
        tally.add(
            tolerance,
            &request.seed,
            draft,
            worker.unwrap_or(&own),
            &report,
        );
        Ok(())
    }

    /// Runs the calibration of `plan`; `other` is the model that the `other_model` cheat
    /// generates with.
    pub fn calibrate(
        &self,
        plan: &Plan,
        other: Option<&LlmModel<B>>,
    ) -> Result<Report, WorkerError> {
        let (jobs, max_tokens) = (plan.jobs.max(2), plan.max_tokens);
        let tolerance = &plan.tolerance;
        let sampled = SamplingParams {
            temperature: 0.8,
            top_k: 0,
            top_p: 0.95,
        };
        let mut work = Vec::with_capacity(jobs);
        for i in 0..jobs {
            let topic = TOPICS[i % TOPICS.len()];
            // Several lengths: the topic alone, or after a longer preamble.
            let text = if (i / TOPICS.len()) % 2 == 1 {
                format!("Please answer carefully and in plain words. Take your time and be precise. {topic}")
            } else {
                topic.to_owned()
            };
            let prompt = if i % 3 == 2 || self.template.is_none() {
                self.tokenizer.encode(&text)?
            } else {
                self.chat_ids(&[Message::user(text)])?
            };
            work.push(Job {
                request: Request {
                    prompt,
                    max_tokens,
                    sampling: if i % 2 == 0 {
                        SamplingParams::GREEDY
                    } else {
                        sampled
                    },
                    stop: Vec::new(),
                    seed: seed_of(i, 0),
                },
            });
        }
        let singles = (jobs / 4).max(1).min(jobs);
        let started = Instant::now();
        let mut honest = Vec::with_capacity(jobs);
        for job in &work[..singles] {
            honest.extend(self.generate(std::slice::from_ref(&job.request))?);
        }
        for (k, chunk) in work[singles..].chunks(plan.batch.max(1)).enumerate() {
            let requests: Vec<Request> = chunk.iter().map(|j| j.request.clone()).collect();
            honest.extend(self.generate(&requests)?);
            if k % 16 == 0 {
                tracing::info!(
                    "calibrate-llm: {} of {jobs} honest jobs generated",
                    honest.len()
                );
            }
        }
        let generate_s = started.elapsed().as_secs_f64();
        let drafts: Vec<GenerationDraft> = work
            .iter()
            .zip(&honest)
            .map(|(j, g)| draft_of(&j.request, g))
            .collect::<Result<_, _>>()?;
        let prints: Vec<Fingerprint> = honest
            .iter()
            .map(|g| BoundedVec::truncate_from(g.fingerprint.clone()))
            .collect();

        let started = Instant::now();
        let (mut single, mut batched) = (Tally::default(), Tally::default());
        for (i, job) in work.iter().enumerate() {
            let tally = if i < singles {
                &mut single
            } else {
                &mut batched
            };
            self.judge(tally, tolerance, &job.request, &drafts[i], Some(&prints[i]))?;
            if i % 200 == 0 {
                tracing::info!("calibrate-llm: {i} of {jobs} honest jobs audited");
            }
        }
        let audit_s = started.elapsed().as_secs_f64();

        let n = plan.cheat_jobs.min(jobs);
        let sampled_jobs: Vec<usize> = (0..jobs).filter(|i| i % 2 == 1).take(n).collect();
        let mut cheats = Vec::new();
        tracing::info!("calibrate-llm: cheats, {n} jobs each");

        let mut other_seed = Tally::default();
        let mut greedy = Tally::default();
        for chunk in sampled_jobs.chunks(plan.batch.max(1)) {
            for (reseed, tally) in [(true, &mut other_seed), (false, &mut greedy)] {
                let requests: Vec<Request> = chunk
                    .iter()
                    .map(|&i| {
                        let r = work[i].request.clone();
                        if reseed {
                            Request {
                                seed: seed_of(i, 1),
                                ..r
                            }
                        } else {
                            Request {
                                sampling: SamplingParams::GREEDY,
                                ..r
                            }
                        }
                    })
                    .collect();
                for (&i, g) in chunk.iter().zip(self.generate(&requests)?) {
                    // The draft claims the job's own terms.
                    let draft = draft_of(&work[i].request, &g)?;
                    self.judge(tally, tolerance, &work[i].request, &draft, None)?;
                }
            }
        }
        cheats.push(("other_seed".to_owned(), other_seed));
        cheats.push(("greedy_for_sampled".to_owned(), greedy));

        let mut hand = Tally::default();
        let written = self.tokenizer.encode(
            "I am sorry, but I can only answer that question tomorrow. Please ask again.",
        )?;
        let end = self.tokenizer.end_ids().first().copied().unwrap_or(0);
        for i in 0..n {
            let r = &work[i].request;
            let mut ids: Vec<u32> = written
                .iter()
                .copied()
                .take(r.max_tokens.saturating_sub(1))
                .collect();
            ids.push(end);
            let text = self.tokenizer.decode(&ids[..ids.len() - 1])?;
            let draft = claim(ids, FinishReason::Eos, text, &drafts[i]);
            self.judge(&mut hand, tolerance, r, &draft, None)?;
        }
        cheats.push(("hand_written".to_owned(), hand));

        if let Some(other) = other {
            let mut tally = Tally::default();
            let chosen: Vec<usize> = (0..n).collect();
            for chunk in chosen.chunks(plan.batch.max(1)) {
                let requests: Vec<Request> =
                    chunk.iter().map(|&i| work[i].request.clone()).collect();
                for (&i, g) in chunk.iter().zip(other.generate(&requests)?) {
                    let draft = draft_of(&work[i].request, &g)?;
                    self.judge(&mut tally, tolerance, &work[i].request, &draft, None)?;
                }
            }
            cheats.push(("other_model".to_owned(), tally));
        }

        let mut foreign = Tally::default();
        let mut truncated = Tally::default();
        let mut padded = Tally::default();
        let mut copied = Tally::default();
        for i in 0..jobs {
            let r = &work[i].request;
            let d = &drafts[i];
            // Another topic's honest text (topics repeat every TOPICS.len() jobs).
            let donor = (i + 1 + TOPICS.len() / 2) % jobs;
            if foreign.jobs < n && work[donor].request.prompt != r.prompt {
                let ids: Vec<u32> = drafts[donor]
                    .ids
                    .iter()
                    .copied()
                    .take(r.max_tokens)
                    .collect();
                let finish = drafts[donor].finish;
                let text = String::from_utf8_lossy(&drafts[donor].text).into_owned();
                let draft = claim(ids, finish, text, d);
                self.judge(&mut foreign, tolerance, r, &draft, None)?;
            }
            if truncated.jobs < n && d.ids.len() >= 4 {
                let mut ids: Vec<u32> = d.ids[..d.ids.len() / 2].to_vec();
                ids.retain(|t| !self.tokenizer.is_end(*t));
                let text = self.tokenizer.decode(&ids)?;
                ids.push(end);
                let draft = claim(ids, FinishReason::Eos, text, d);
                self.judge(&mut truncated, tolerance, r, &draft, None)?;
            }
            if padded.jobs < n && d.finish == FinishReason::Eos && d.ids.len() < r.max_tokens {
                let mut ids: Vec<u32> = d.ids[..d.ids.len() - 1].to_vec();
                let filler = drafts[donor]
                    .ids
                    .iter()
                    .copied()
                    .filter(|t| !self.tokenizer.is_end(*t));
                ids.extend(
                    filler
                        .chain(written.iter().copied())
                        .take(r.max_tokens - ids.len()),
                );
                ids.resize(r.max_tokens, written[0]);
                let text = self.tokenizer.decode(&ids)?;
                let draft = claim(ids, FinishReason::Length, text, d);
                self.judge(&mut padded, tolerance, r, &draft, None)?;
            }
            if copied.jobs < n && prints[donor].len() == prints[i].len() && donor != i {
                self.judge(&mut copied, tolerance, r, d, Some(&prints[donor]))?;
            }
        }
        cheats.push(("foreign_text".to_owned(), foreign));
        cheats.push(("truncated".to_owned(), truncated));
        cheats.push(("padded".to_owned(), padded));
        cheats.push(("fingerprint_copied".to_owned(), copied));

        let mut cost = Vec::new();
        for &tokens in &plan.cost_tokens {
            cost.push(self.audit_cost(tokens, plan.cost_jobs)?);
        }
        Ok(Report {
            max_tokens,
            batch: plan.batch,
            tolerance: *tolerance,
            honest_batch_1: single,
            honest_batched: batched,
            cheats,
            generate_s,
            audit_s,
            cost,
        })
    }

    /// Times `jobs` generations of `tokens` tokens (sampled story continuations, which
    /// rarely end early) one at a time, and their audits.
    fn audit_cost(&self, tokens: usize, jobs: usize) -> Result<Cost, WorkerError> {
        let (mut generate_s, mut audit_s, mut total) = (0.0, 0.0, 0);
        for i in 0..jobs.max(1) {
            let prompt = self.tokenizer.encode(TOPICS[6])?;
            let request = Request {
                prompt,
                max_tokens: tokens,
                sampling: SamplingParams {
                    temperature: 1.0,
                    top_k: 0,
                    top_p: 1.0,
                },
                stop: Vec::new(),
                seed: seed_of(i, 7),
            };
            let started = Instant::now();
            let g = self
                .generate(std::slice::from_ref(&request))?
                .pop()
                .ok_or_else(|| WorkerError::Backend("no generation".into()))?;
            generate_s += started.elapsed().as_secs_f64();
            total += g.ids.len();
            let draft = draft_of(&request, &g)?;
            let started = Instant::now();
            self.audit(&request, &draft)?;
            audit_s += started.elapsed().as_secs_f64();
        }
        Ok(Cost {
            max_tokens: tokens,
            jobs: jobs.max(1),
            tokens: total,
            generate_s,
            audit_s,
            share: audit_s / generate_s.max(f64::MIN_POSITIVE),
        })
    }
}

/// A cheater's draft: `ids` and `text` claimed with `finish`, and the honest draft's prompt
/// length and sampling terms (which the auditor would check).
fn claim(
    ids: Vec<u32>,
    finish: FinishReason,
    text: String,
    honest: &GenerationDraft,
) -> GenerationDraft {
    GenerationDraft {
        prompt_tokens: honest.prompt_tokens,
        sampling: honest.sampling,
        ids: BoundedVec::truncate_from(ids),
        finish,
        text: BoundedVec::truncate_from(text.into_bytes()),
    }
}
