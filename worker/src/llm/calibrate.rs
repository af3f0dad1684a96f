//! Calibration data for a teacher-forced generation audit: how far honest generations are
//! from what an auditor recomputes, and how far cheats are.
//!
//! An honest miner decodes jobs in batches (the packed decode products, one token at a
//! time); an auditor runs one prefill over the prompt and the revealed tokens (gemm over
//! the whole sequence): the two sum in different orders, so their logits differ by float
//! noise. At every generated position the auditor recomputes, from its own logits and the
//! job's seed, how far the revealed token is from the sampler's choice
//! (`verinfer_primitives::token_gap`: 0 when it is the choice). `calibrate-llm` measures
//! those gaps over many honest jobs (greedy and sampled, several prompt lengths, batch 1
//! and `batch`), and over cheats that keep the right length and look plausible:
//!
//! - `other_seed`: text sampled with another seed than the chain's;
//! - `greedy_for_sampled`: greedy text where sampling was asked for;
//! - `foreign_text`: the honest text of another job's prompt, handed in for this one.
//!
//! It reports, for a threshold of twice the largest honest gap (or `floor` if that is
//! smaller), the share of positions and of jobs above it: an audit that flags a job with
//! any position above the threshold would reject those cheats, and no honest job.

use burn::prelude::*;
use serde::Serialize;
use verinfer_primitives::{token_gap, SamplingParams};

use super::generate::{self, Request};
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

/// Gaps of one kind of run.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Gaps {
    /// Jobs audited.
    pub jobs: usize,
    /// Generated positions audited.
    pub positions: usize,
    /// Positions whose token was not the auditor's choice (gap above 0).
    pub mismatches: usize,
    /// The largest finite gap at a mismatch.
    pub max_finite_gap: f64,
    /// Mismatches whose token top-k or top-p had removed (infinite gap).
    pub infinite_gaps: usize,
    /// Positions above the threshold.
    pub above_threshold: usize,
    /// Jobs with at least one position above the threshold.
    pub jobs_flagged: usize,
    /// The fewest positions above the threshold in a flagged job.
    pub min_flagged_positions: Option<usize>,
}

impl Gaps {
    fn add_job(&mut self, gaps: &[f64], threshold: Option<f64>) {
        self.jobs += 1;
        self.positions += gaps.len();
        for &g in gaps {
            if g > 0.0 {
                self.mismatches += 1;
                if g.is_finite() {
                    self.max_finite_gap = self.max_finite_gap.max(g);
                } else {
                    self.infinite_gaps += 1;
                }
            }
        }
        if let Some(t) = threshold {
            let above = gaps.iter().filter(|&&g| g > t).count();
            self.above_threshold += above;
            if above > 0 {
                self.jobs_flagged += 1;
                self.min_flagged_positions =
                    Some(self.min_flagged_positions.map_or(above, |m| m.min(above)));
            }
        }
    }
}

/// What `calibrate-llm` prints.
#[derive(Clone, Debug, Serialize)]
pub struct Report {
    /// Generated tokens per job (at most).
    pub max_tokens: usize,
    /// The miner's decode batch for the batched share of the honest jobs.
    pub batch: usize,
    /// Honest jobs decoded one at a time.
    pub honest_batch_1: Gaps,
    /// Honest jobs decoded `batch` at a time.
    pub honest_batched: Gaps,
    /// The threshold: twice the largest honest finite gap, at least `floor`.
    pub threshold: f64,
    /// Each cheat's gaps against the threshold.
    pub cheats: Vec<(String, Gaps)>,
    /// Seconds of generation (all honest jobs) and of the auditor's prefills over them.
    pub generate_s: f64,
    /// See `generate_s`.
    pub audit_s: f64,
}

struct Job {
    request: Request,
    prompt_len: usize,
}

fn seed_of(i: usize, salt: u8) -> [u8; 32] {
    sp_crypto_hashing::blake2_256(&[&(i as u64).to_le_bytes()[..], &[salt]].concat())
}

/// The auditor's gap at every generated position of `ids` after `job`'s prompt.
fn audit<B: Backend>(model: &LlmModel<B>, job: &Job, ids: &[u32]) -> Result<Vec<f64>, WorkerError> {
    let all = [job.request.prompt.clone(), ids.to_vec()].concat();
    let vocab = model.llama.params().vocab;
    let logits = generate::prefill_logits(&model.llama, &all)?;
    let mut gaps = Vec::with_capacity(ids.len());
    for (k, &token) in ids.iter().enumerate() {
        let pos = job.prompt_len + k;
        let row = logits
            .get((pos - 1) * vocab..pos * vocab)
            .ok_or_else(|| WorkerError::Backend("prefill returned too few logits".into()))?;
        let gap = token_gap(
            row,
            &job.request.sampling,
            &job.request.seed,
            pos as u32,
            token,
        )
        .ok_or_else(|| WorkerError::Backend("no finite logit".into()))?;
        gaps.push(gap);
    }
    Ok(gaps)
}

impl<B: Backend> LlmModel<B> {
    /// Runs the calibration over `jobs` jobs of at most `max_tokens` tokens; a quarter of
    /// the honest jobs decode one at a time, the rest `batch` at a time. `floor` is the
    /// smallest threshold reported.
    pub fn calibrate(
        &self,
        jobs: usize,
        max_tokens: usize,
        batch: usize,
        floor: f64,
    ) -> Result<Report, WorkerError> {
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
            let prompt_len = prompt.len();
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
                prompt_len,
            });
        }
        let singles = (jobs / 4).max(1).min(jobs);
        let started = std::time::Instant::now();
        let mut honest = Vec::with_capacity(jobs);
        for job in &work[..singles] {
            honest.extend(self.generate(std::slice::from_ref(&job.request))?);
        }
        for chunk in work[singles..].chunks(batch.max(1)) {
            let requests: Vec<Request> = chunk.iter().map(|j| j.request.clone()).collect();
            honest.extend(self.generate(&requests)?);
        }
        let generate_s = started.elapsed().as_secs_f64();

        let started = std::time::Instant::now();
        let mut honest_gaps = Vec::with_capacity(jobs);
        for (job, g) in work.iter().zip(&honest) {
            honest_gaps.push(audit(self, job, &g.ids)?);
        }
        let audit_s = started.elapsed().as_secs_f64();
        let largest = honest_gaps
            .iter()
            .flatten()
            .copied()
            .filter(|g| g.is_finite())
            .fold(0.0f64, f64::max);
        let threshold = (2.0 * largest).max(floor);
        let mut single_gaps = Gaps::default();
        let mut batched_gaps = Gaps::default();
        for (i, gaps) in honest_gaps.iter().enumerate() {
            let target = if i < singles {
                &mut single_gaps
            } else {
                &mut batched_gaps
            };
            target.add_job(gaps, Some(threshold));
        }

        // Cheats, each on the jobs it applies to, audited against the job's own terms.
        let mut other_seed = Gaps::default();
        let mut greedy_for_sampled = Gaps::default();
        let sampled_jobs: Vec<usize> = (0..jobs).filter(|i| i % 2 == 1).collect();
        for chunk in sampled_jobs.chunks(batch.max(1)) {
            let reseeded: Vec<Request> = chunk
                .iter()
                .map(|&i| Request {
                    seed: seed_of(i, 1),
                    ..work[i].request.clone()
                })
                .collect();
            let greedy: Vec<Request> = chunk
                .iter()
                .map(|&i| Request {
                    sampling: SamplingParams::GREEDY,
                    ..work[i].request.clone()
                })
                .collect();
            for (&i, g) in chunk.iter().zip(self.generate(&reseeded)?) {
                other_seed.add_job(&audit(self, &work[i], &g.ids)?, Some(threshold));
            }
            for (&i, g) in chunk.iter().zip(self.generate(&greedy)?) {
                greedy_for_sampled.add_job(&audit(self, &work[i], &g.ids)?, Some(threshold));
            }
        }
        let mut foreign = Gaps::default();
        for i in 0..jobs {
            // The honest text of a job with another topic.
            let donor = (i + 1 + TOPICS.len() / 2) % jobs.max(1);
            if donor == i || work[donor].request.prompt == work[i].request.prompt {
                continue;
            }
            foreign.add_job(&audit(self, &work[i], &honest[donor].ids)?, Some(threshold));
        }
        Ok(Report {
            max_tokens,
            batch,
            honest_batch_1: single_gaps,
            honest_batched: batched_gaps,
            threshold,
            cheats: vec![
                ("other_seed".into(), other_seed),
                ("greedy_for_sampled".into(), greedy_for_sampled),
                ("foreign_text".into(), foreign),
            ],
            generate_s,
            audit_s,
        })
    }
}
