//! Generation: one batched prefill over the prompts, then decode steps for all sequences
//! at once, each step's token chosen by the replayable sampler of `verinfer-primitives`
//! (`choose`), keyed by the job's seed and the token's position.

use burn::prelude::*;
use verinfer_primitives::{
    choose, fingerprint_chunk, FingerprintChunk, SamplingParams, FINGERPRINT_CHUNK,
    MAX_FINGERPRINT_CHUNKS,
};

use super::llama::Llama;
use super::tokenizer::Tokenizer;
use crate::backend::to_f32s;
use crate::WorkerError;

/// What one generation is asked to do.
#[derive(Clone, Debug, PartialEq)]
pub struct Request {
    /// The prompt's token ids (already templated and tokenized).
    pub prompt: Vec<u32>,
    /// The most tokens to generate.
    pub max_tokens: usize,
    /// Temperature, top-k and top-p.
    pub sampling: SamplingParams,
    /// Generation stops once its text contains one of these.
    pub stop: Vec<String>,
    /// The 32-byte sampling seed.
    pub seed: [u8; 32],
}

/// Why a generation ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Finish {
    /// The model produced an end-of-generation token (which is the last id).
    Eos,
    /// The text reached a stop sequence (its last token completed it; the text is cut
    /// before it).
    Stop,
    /// `max_tokens` were generated.
    Length,
}

/// One finished generation.
#[derive(Clone, Debug, PartialEq)]
pub struct Generation {
    /// The generated ids, the end-of-generation token included when there was one.
    pub ids: Vec<u32>,
    /// Their text, up to (not including) a stop sequence or end token.
    pub text: String,
    /// Why it ended.
    pub finish: Finish,
    /// Each step's distance from a tie (see `verinfer_primitives::Choice::margin`).
    pub margins: Vec<f64>,
    /// The fingerprint: a chunk of the final-norm hidden state that predicted the last id
    /// of every `FINGERPRINT_CHUNK` ids (and of the last, shorter run), see
    /// `verinfer_primitives::generation`.
    pub fingerprint: Vec<FingerprintChunk>,
}

/// Runs `requests` together: one prefill over all prompts (padded to the longest), then
/// one decode step per new token for every sequence still going.
pub fn generate<B: Backend>(
    model: &Llama<B>,
    tokenizer: &Tokenizer,
    requests: &[Request],
) -> Result<Vec<Generation>, WorkerError> {
    if requests.is_empty() {
        return Ok(Vec::new());
    }
    let context = model.params().context;
    for r in requests {
        if r.prompt.is_empty() {
            return Err(WorkerError::InvalidInput("the prompt has no tokens".into()));
        }
        if r.prompt.len() + r.max_tokens > context {
            return Err(WorkerError::InvalidInput(format!(
                "a prompt of {} tokens plus max_tokens {} exceeds the model's context of {context}",
                r.prompt.len(),
                r.max_tokens
            )));
        }
        if !r.sampling.is_valid() {
            return Err(WorkerError::InvalidInput(format!(
                "invalid sampling parameters {:?}: temperature must be finite and at least 0, top_p in (0, 1]",
                r.sampling
            )));
        }
    }
    let rows = requests.len();
    let longest = requests.iter().map(|r| r.prompt.len()).max().unwrap_or(1);
    let capacity = requests
        .iter()
        .map(|r| r.prompt.len() + r.max_tokens)
        .max()
        .unwrap_or(1)
        .max(longest);
    let mut cache = model.cache(rows, capacity);
    let padded: Vec<Vec<u32>> = requests
        .iter()
        .map(|r| {
            let pad = r.prompt.last().copied().unwrap_or(0);
            let mut ids = r.prompt.clone();
            ids.resize(longest, pad);
            ids
        })
        .collect();
    let last: Vec<usize> = requests.iter().map(|r| r.prompt.len() - 1).collect();
    let (mut hidden, mut logits) =
        model.forward_with_hidden(&mut cache, &padded, &vec![0; rows], Some(&last))?;
    let dim = model.params().embedding;

    let mut out: Vec<Generation> = requests
        .iter()
        .map(|_| Generation {
            ids: Vec::new(),
            text: String::new(),
            finish: Finish::Length,
            margins: Vec::new(),
            fingerprint: Vec::new(),
        })
        .collect();
    // Each row's chunk of its latest step, kept until its run of ids is complete.
    let mut latest: Vec<Option<FingerprintChunk>> = vec![None; rows];
    let mut done: Vec<bool> = requests.iter().map(|r| r.max_tokens == 0).collect();
    let mut next: Vec<u32> = vec![0; rows];
    let vocab = model.params().vocab;
    while done.iter().any(|d| !d) {
        let values: Vec<f32> = to_f32s(logits)?;
        let states: Vec<f32> = to_f32s(hidden)?;
        for (r, row) in values.chunks_exact(vocab).enumerate() {
            if done[r] {
                continue;
            }
            let req = &requests[r];
            let position = (req.prompt.len() + out[r].ids.len()) as u32;
            let choice = choose(row, &req.sampling, &req.seed, position)
                .ok_or_else(|| WorkerError::Backend("the model produced no finite logit".into()))?;
            let g = &mut out[r];
            g.ids.push(choice.token);
            g.margins.push(choice.margin);
            let chunk = fingerprint_chunk(&states[r * dim..(r + 1) * dim]);
            if g.ids.len().is_multiple_of(FINGERPRINT_CHUNK as usize) {
                g.fingerprint.push(chunk);
                latest[r] = None;
            } else {
                latest[r] = Some(chunk);
            }
            next[r] = choice.token;
            if tokenizer.is_end(choice.token) {
                g.finish = Finish::Eos;
                done[r] = true;
                continue;
            }
            // Only a request with stop sequences needs its text at every step.
            if !req.stop.is_empty() {
                let text = tokenizer.decode(&g.ids)?;
                if let Some(cut) = req.stop.iter().filter_map(|s| text.find(s.as_str())).min() {
                    g.text = text[..cut].to_string();
                    g.finish = Finish::Stop;
                    done[r] = true;
                    continue;
                }
            }
            if g.ids.len() >= req.max_tokens {
                done[r] = true;
            }
        }
        if done.iter().all(|d| *d) {
            break;
        }
        // Each row's next position; a finished row repeats a harmless step in place.
        let start: Vec<usize> = requests
            .iter()
            .zip(&out)
            .map(|(req, g)| {
                (req.prompt.len() + g.ids.len())
                    .saturating_sub(1)
                    .min(capacity - 1)
            })
            .collect();
        let ids: Vec<Vec<u32>> = next.iter().map(|&t| vec![t]).collect();
        (hidden, logits) = model.forward_with_hidden(&mut cache, &ids, &start, None)?;
    }
    for (g, last) in out.iter_mut().zip(latest) {
        g.fingerprint.extend(last);
        g.fingerprint.truncate(MAX_FINGERPRINT_CHUNKS as usize);
    }
    for g in out.iter_mut().filter(|g| g.finish != Finish::Stop) {
        let text_ids = match g.finish {
            Finish::Eos => &g.ids[..g.ids.len() - 1],
            _ => &g.ids[..],
        };
        g.text = tokenizer.decode(text_ids)?;
    }
    Ok(out)
}

/// Teacher-forced logits of every position of `ids` (one prefill), `[ids.len(), vocab]`
/// row-major: row `t` predicts token `t + 1`.
pub fn prefill_logits<B: Backend>(model: &Llama<B>, ids: &[u32]) -> Result<Vec<f32>, WorkerError> {
    prefill(model, ids).map(|(_, logits)| logits)
}

/// [`prefill_logits`] and the final-norm hidden states of every position
/// (`[ids.len(), dim]`): `(hidden, logits)`.
pub fn prefill<B: Backend>(
    model: &Llama<B>,
    ids: &[u32],
) -> Result<(Vec<f32>, Vec<f32>), WorkerError> {
    if ids.is_empty() || ids.len() > model.params().context {
        return Err(WorkerError::InvalidInput(format!(
            "prefill needs 1..={} tokens, got {}",
            model.params().context,
            ids.len()
        )));
    }
    let mut cache = model.cache(1, ids.len());
    let (hidden, logits) = model.forward_with_hidden(&mut cache, &[ids.to_vec()], &[0], None)?;
    Ok((to_f32s(hidden)?, to_f32s(logits)?))
}

/// What an auditor sees at one generated position after a teacher-forced prefill.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct AuditStep {
    /// The position of the generated token in the whole sequence.
    pub pos: usize,
    /// The token the sequence has there.
    pub token: u32,
    /// The token the sampler chooses there from this machine's logits.
    pub choice: u32,
    /// How far that choice was from a tie.
    pub margin: f64,
    /// The token's rank by logit (0 = the most likely).
    pub rank: usize,
    /// The largest logit minus the token's.
    pub gap: f32,
}

/// One prefill over `ids`, then for each position after the first `prompt_len` ids, the
/// sampler's choice there (keyed by `seed` and the position) against the token given.
pub fn audit_steps<B: Backend>(
    model: &Llama<B>,
    ids: &[u32],
    prompt_len: usize,
    sampling: &SamplingParams,
    seed: &[u8; 32],
) -> Result<Vec<AuditStep>, WorkerError> {
    if prompt_len == 0 || prompt_len > ids.len() {
        return Err(WorkerError::InvalidInput(format!(
            "the prompt length must be between 1 and {}",
            ids.len()
        )));
    }
    let vocab = model.params().vocab;
    let logits = prefill_logits(model, ids)?;
    let mut steps = Vec::with_capacity(ids.len() - prompt_len);
    for pos in prompt_len..ids.len() {
        let row = &logits[(pos - 1) * vocab..pos * vocab];
        let token = ids[pos];
        let choice = choose(row, sampling, seed, pos as u32)
            .ok_or_else(|| WorkerError::Backend("the model produced no finite logit".into()))?;
        let own = row
            .get(token as usize)
            .copied()
            .unwrap_or(f32::NEG_INFINITY);
        let rank = row
            .iter()
            .enumerate()
            .filter(|&(i, &l)| l > own || (l == own && (i as u32) < token))
            .count();
        let top = row.iter().copied().fold(f32::NEG_INFINITY, f32::max);
        steps.push(AuditStep {
            pos,
            token,
            choice: choice.token,
            margin: choice.margin,
            rank,
            gap: top - own,
        });
    }
    Ok(steps)
}

/// Times `tokens` greedy decode steps (a choice and a forward pass each) for `batch` copies
/// of `prompt` after their prefill (not timed); returns the seconds and the first
/// sequence's tokens. End tokens do not stop it, so the step count is exact.
pub fn time_decode<B: Backend>(
    model: &Llama<B>,
    prompt: &[u32],
    tokens: usize,
    batch: usize,
) -> Result<(f64, Vec<u32>), WorkerError> {
    let rows = batch.max(1);
    let mut cache = model.cache(rows, prompt.len() + tokens);
    let ids: Vec<Vec<u32>> = vec![prompt.to_vec(); rows];
    let last = vec![prompt.len() - 1; rows];
    let mut logits = model.forward(&mut cache, &ids, &vec![0; rows], Some(&last))?;
    let vocab = model.params().vocab;
    let started = std::time::Instant::now();
    let mut out = Vec::with_capacity(tokens);
    for step in 0..tokens {
        let values: Vec<f32> = to_f32s(logits)?;
        let next: Vec<u32> = values
            .chunks_exact(vocab)
            .map(|row| choose(row, &SamplingParams::GREEDY, &[0; 32], 0).map_or(0, |c| c.token))
            .collect();
        out.push(next[0]);
        let start = vec![prompt.len() + step; rows];
        let ids: Vec<Vec<u32>> = next.iter().map(|&t| vec![t]).collect();
        logits = model.forward(&mut cache, &ids, &start, None)?;
    }
    Ok((started.elapsed().as_secs_f64(), out))
}
