//! LLM jobs as the chain carries them: a JSON request in the job's UTF-8 input, and a
//! result that the miner publishes as a `verinfer_primitives::GenerationDraft` (SCALE) with
//! its commitment to the generation's fingerprint (see `verinfer_primitives::generation`
//! and [`super::audit`]).
//!
//! # The request
//!
//! ```json
//! {"messages": [{"role": "user", "content": "Name a prime."}], "max_tokens": 32,
//!  "temperature": 0.7, "top_k": 40, "top_p": 0.95, "stop": ["\n\n"], "seed": "00ff…"}
//! ```
//!
//! - exactly one of `prompt` (raw text, continued as is) or `messages` (rendered with the
//!   model's own chat template, which adds its default system prompt when there is none);
//! - `max_tokens`: 1 to [`MAX_TOKENS`] (default 64);
//! - `temperature` (default 0, greedy), `top_k` (default 0, all) and `top_p` (default 1):
//!   the parameters of `verinfer_primitives::choose`;
//! - `stop`: at most [`MAX_STOPS`] sequences of 1 to [`MAX_STOP_BYTES`] bytes each;
//! - `seed`: up to 32 bytes as hex, right-padded with zeros (default: zeros), for local
//!   runs (`infer`). On chain the Jobs pallet draws each assignment's seed
//!   (`Job::seed`, `seed` in `jobs_getJob`), and miners and auditors sample with that one
//!   ([`with_seed`]): neither the dApp nor the miner chooses it.
//!
//! Unknown fields are refused, so that a typo is an error rather than a silent default.
//!
//! # The result
//!
//! On chain, the draft: the templated prompt's token count, the sampling terms, the ids,
//! the finish reason and the text. `submit` and the gateway show it as [`JobOutput`]:
//! `{"prompt_tokens":N,"ids":[…],"text":"…","finish":"eos"|"stop"|"length"}`.

use bounded_collections::BoundedVec;
use codec::{Decode, Encode};
use serde::{Deserialize, Serialize};
use verinfer_primitives::{
    Fingerprint, FinishReason, GenerationDraft, SamplingParams, SamplingTerms,
};

use super::{Finish, Generation, LlmModel, Message, Request};
use crate::WorkerError;

/// The most tokens one job may generate.
pub const MAX_TOKENS: u32 = 256;
/// The most stop sequences of one job.
pub const MAX_STOPS: usize = 4;
/// The longest stop sequence, in bytes.
pub const MAX_STOP_BYTES: usize = 64;
/// The most chat messages of one job.
pub const MAX_MESSAGES: usize = 32;

fn default_max_tokens() -> u32 {
    64
}

fn default_top_p() -> f32 {
    1.0
}

/// A generation job's input.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JobRequest {
    /// A raw prompt.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prompt: Option<String>,
    /// Chat messages.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub messages: Option<Vec<Message>>,
    /// The most tokens to generate.
    #[serde(default = "default_max_tokens")]
    pub max_tokens: u32,
    /// 0 is greedy.
    #[serde(default)]
    pub temperature: f32,
    /// Keep the K most likely tokens (0: all).
    #[serde(default)]
    pub top_k: u32,
    /// Keep the most likely tokens up to this probability (1: all).
    #[serde(default = "default_top_p")]
    pub top_p: f32,
    /// Generation stops once its text contains one of these.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub stop: Vec<String>,
    /// The sampling seed, hex, at most 32 bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seed: Option<String>,
}

impl Default for JobRequest {
    /// No prompt yet, and the defaults of the format: 64 tokens, greedy, no stop, a zero
    /// seed.
    fn default() -> Self {
        Self {
            prompt: None,
            messages: None,
            max_tokens: default_max_tokens(),
            temperature: 0.0,
            top_k: 0,
            top_p: default_top_p(),
            stop: Vec::new(),
            seed: None,
        }
    }
}

impl JobRequest {
    /// Parses a job's input bytes and checks every bound; the error says which.
    pub fn parse(bytes: &[u8]) -> Result<Self, WorkerError> {
        let text = std::str::from_utf8(bytes)
            .map_err(|e| WorkerError::InvalidInput(format!("the input is not UTF-8: {e}")))?;
        let request: Self = serde_json::from_str(text).map_err(|e| {
            WorkerError::InvalidInput(format!(
                "the input is not a generation request ({e}); see docs/llm.md for the format"
            ))
        })?;
        request.check()?;
        Ok(request)
    }

    fn check(&self) -> Result<(), WorkerError> {
        let bad = |m: String| Err(WorkerError::InvalidInput(m));
        match (&self.prompt, &self.messages) {
            (Some(_), Some(_)) => return bad("give `prompt` or `messages`, not both".into()),
            (None, None) => return bad("give a `prompt` or chat `messages`".into()),
            (Some(p), None) if p.is_empty() => return bad("the prompt is empty".into()),
            (None, Some(m)) if m.is_empty() || m.len() > MAX_MESSAGES => {
                return bad(format!(
                    "give 1 to {MAX_MESSAGES} messages, not {}",
                    m.len()
                ))
            }
            _ => {}
        }
        if !(1..=MAX_TOKENS).contains(&self.max_tokens) {
            return bad(format!(
                "max_tokens must be 1 to {MAX_TOKENS}, not {}",
                self.max_tokens
            ));
        }
        if !self.sampling().is_valid() {
            return bad(format!(
                "temperature {} and top_p {}: the temperature must be finite and at least 0, top_p in (0, 1]",
                self.temperature, self.top_p
            ));
        }
        if self.stop.len() > MAX_STOPS
            || self
                .stop
                .iter()
                .any(|s| s.is_empty() || s.len() > MAX_STOP_BYTES)
        {
            return bad(format!(
                "give at most {MAX_STOPS} stop sequences of 1 to {MAX_STOP_BYTES} bytes"
            ));
        }
        self.seed_bytes().map(|_| ())
    }

    /// The sampling parameters.
    pub fn sampling(&self) -> SamplingParams {
        SamplingParams {
            temperature: self.temperature,
            top_k: self.top_k,
            top_p: self.top_p,
        }
    }

    /// The 32-byte seed.
    pub fn seed_bytes(&self) -> Result<[u8; 32], WorkerError> {
        let mut seed = [0u8; 32];
        if let Some(hex_seed) = &self.seed {
            let bytes = hex::decode(hex_seed.trim_start_matches("0x"))
                .map_err(|e| WorkerError::InvalidInput(format!("the seed is not hex: {e}")))?;
            if bytes.len() > 32 {
                return Err(WorkerError::InvalidInput(
                    "the seed is at most 32 bytes (64 hex digits)".into(),
                ));
            }
            seed[..bytes.len()].copy_from_slice(&bytes);
        }
        Ok(seed)
    }

    /// The canonical input bytes of this request (what `submit` posts).
    pub fn to_bytes(&self) -> Vec<u8> {
        serde_json::to_vec(self).unwrap_or_default()
    }

    /// The generation this request asks `model` for: the prompt templated and tokenized.
    pub fn to_request<B: burn::prelude::Backend>(
        &self,
        model: &LlmModel<B>,
    ) -> Result<Request, WorkerError> {
        let prompt = match (&self.prompt, &self.messages) {
            (Some(p), _) => model.tokenizer.encode(p)?,
            (None, Some(m)) => model.chat_ids(m)?,
            (None, None) => return Err(WorkerError::InvalidInput("no prompt".into())),
        };
        Ok(Request {
            prompt,
            max_tokens: self.max_tokens as usize,
            sampling: self.sampling(),
            stop: self.stop.clone(),
            seed: self.seed_bytes()?,
        })
    }
}

/// The input a job runs with on chain: the request with its seed replaced by the one the
/// chain drew for the assignment. An input that is not a request is returned as it is
/// (the model then refuses it, with the reason).
pub fn with_seed(input: &[u8], seed: &[u8; 32]) -> Vec<u8> {
    match serde_json::from_slice::<JobRequest>(input) {
        Ok(mut request) => {
            request.seed = Some(hex::encode(seed));
            request.to_bytes()
        }
        Err(_) => input.to_vec(),
    }
}

/// A generation job's result.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct JobOutput {
    /// Tokens in the templated prompt.
    pub prompt_tokens: u32,
    /// The generated ids (an end token included, when there was one).
    pub ids: Vec<u32>,
    /// Their text, up to a stop sequence or end token.
    pub text: String,
    /// Why generation ended.
    pub finish: Finish,
}

impl JobOutput {
    /// The result of `generation` for a prompt of `prompt_tokens`.
    pub fn new(prompt_tokens: usize, generation: Generation) -> Self {
        Self {
            prompt_tokens: u32::try_from(prompt_tokens).unwrap_or(u32::MAX),
            ids: generation.ids,
            text: generation.text,
            finish: generation.finish,
        }
    }

    /// The result as JSON, for people and dApps.
    pub fn canonical_bytes(&self) -> Vec<u8> {
        serde_json::to_vec(self).unwrap_or_default()
    }

    /// The draft a miner publishes for this result, generated with `sampling`; `None` if
    /// it exceeds the draft's bounds.
    pub fn to_draft(&self, sampling: &SamplingParams) -> Option<GenerationDraft> {
        Some(GenerationDraft {
            prompt_tokens: self.prompt_tokens,
            sampling: SamplingTerms::of(sampling),
            ids: BoundedVec::try_from(self.ids.clone()).ok()?,
            finish: match self.finish {
                Finish::Eos => FinishReason::Eos,
                Finish::Stop => FinishReason::Stop,
                Finish::Length => FinishReason::Length,
            },
            text: BoundedVec::try_from(self.text.as_bytes().to_vec()).ok()?,
        })
    }

    /// The result a draft carries.
    pub fn from_draft(draft: &GenerationDraft) -> Self {
        Self {
            prompt_tokens: draft.prompt_tokens,
            ids: draft.ids.to_vec(),
            text: String::from_utf8_lossy(&draft.text).into_owned(),
            finish: match draft.finish {
                FinishReason::Eos => Finish::Eos,
                FinishReason::Stop => Finish::Stop,
                FinishReason::Length => Finish::Length,
            },
        }
    }

    /// Parses a job's output as the chain holds it: a SCALE-encoded draft.
    pub fn parse(bytes: &[u8]) -> Result<Self, WorkerError> {
        decode_draft(bytes).map(|d| Self::from_draft(&d))
    }
}

/// A draft from the bytes the chain holds (all of them).
pub fn decode_draft(bytes: &[u8]) -> Result<GenerationDraft, WorkerError> {
    let mut input = bytes;
    let draft = GenerationDraft::decode(&mut input)
        .map_err(|e| WorkerError::InvalidInput(format!("not an LLM job result: {e}")))?;
    if !input.is_empty() {
        return Err(WorkerError::InvalidInput(
            "not an LLM job result: bytes after the draft".into(),
        ));
    }
    Ok(draft)
}

/// What a miner holds for a generation job: the draft it publishes with its commitment and
/// the fingerprint it commits to and later reveals.
#[derive(Clone, Debug, PartialEq, Encode, Decode)]
pub struct MinerResult {
    /// Published with `commit_generation`.
    pub draft: GenerationDraft,
    /// Committed to, and revealed once every auditor has committed.
    pub fingerprint: Fingerprint,
}

impl MinerResult {
    /// Decodes what [`LlmModel::run_jobs`] returned for one job.
    pub fn parse(bytes: &[u8]) -> Result<Self, WorkerError> {
        let mut input = bytes;
        Self::decode(&mut input)
            .map_err(|e| WorkerError::Backend(format!("not a generation result: {e}")))
    }
}

impl<B: burn::prelude::Backend> LlmModel<B> {
    /// Runs jobs together (one batched prefill, then decode steps for all of them): each
    /// input's [`MinerResult`] (SCALE), or why it was refused. An input that does not parse
    /// is refused before compute and does not hold up the others. Batching changes the
    /// summation order, which the generation audit's tolerances absorb (`calibrate-llm`
    /// measures decode batches of 1 and 8 against the auditor's prefill).
    pub fn run_jobs(&self, inputs: &[Vec<u8>]) -> Vec<Result<Vec<u8>, WorkerError>> {
        let mut out: Vec<Result<Vec<u8>, WorkerError>> = Vec::with_capacity(inputs.len());
        let mut good = Vec::new();
        for (i, input) in inputs.iter().enumerate() {
            match JobRequest::parse(input).and_then(|r| r.to_request(self)) {
                Ok(request) => {
                    good.push((i, request));
                    out.push(Ok(Vec::new()));
                }
                Err(e) => out.push(Err(e)),
            }
        }
        if good.is_empty() {
            return out;
        }
        let requests: Vec<Request> = good.iter().map(|(_, r)| r.clone()).collect();
        let generations = match self.generate(&requests) {
            Ok(g) if g.len() == requests.len() => g,
            Ok(_) => {
                for (i, _) in &good {
                    out[*i] = Err(WorkerError::Backend(
                        "a batch returned too few generations".into(),
                    ));
                }
                return out;
            }
            Err(e) => {
                let msg = e.to_string();
                for (i, _) in &good {
                    out[*i] = Err(WorkerError::Backend(msg.clone()));
                }
                return out;
            }
        };
        for ((i, request), generation) in good.into_iter().zip(generations) {
            let fingerprint = BoundedVec::truncate_from(generation.fingerprint.clone());
            out[i] = JobOutput::new(request.prompt.len(), generation)
                .to_draft(&request.sampling)
                .map(|draft| MinerResult { draft, fingerprint }.encode())
                .ok_or_else(|| {
                    WorkerError::Backend("the generation exceeds a draft's bounds".into())
                });
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_chat_request_with_defaults() {
        let r = JobRequest::parse(br#"{"messages":[{"role":"user","content":"hi"}]}"#).unwrap();
        assert_eq!(r.max_tokens, 64);
        assert_eq!(r.sampling(), SamplingParams::GREEDY);
        assert_eq!(r.seed_bytes().unwrap(), [0; 32]);
    }

    #[test]
    fn refuses_requests_out_of_bounds() {
        for bad in [
            &br#"{"prompt":"a","messages":[{"role":"user","content":"b"}]}"#[..],
            br#"{"max_tokens":3}"#,
            br#"{"prompt":"a","max_tokens":257}"#,
            br#"{"prompt":"a","max_tokens":0}"#,
            br#"{"prompt":"a","top_p":0}"#,
            br#"{"prompt":"a","temperature":-1}"#,
            br#"{"prompt":"a","stop":["","x"]}"#,
            br#"{"prompt":"a","seed":"zz"}"#,
            br#"{"prompt":"a","temprature":1}"#,
            b"not json",
        ] {
            assert!(
                JobRequest::parse(bad).is_err(),
                "{} should be refused",
                String::from_utf8_lossy(bad)
            );
        }
    }

    #[test]
    fn the_chain_seed_replaces_the_requested_one() {
        let input = br#"{"prompt":"a","seed":"01"}"#;
        let seeded = with_seed(input, &[7; 32]);
        let r = JobRequest::parse(&seeded).unwrap();
        assert_eq!(r.seed_bytes().unwrap(), [7; 32]);
        assert_eq!(r.prompt.as_deref(), Some("a"));
        assert_eq!(with_seed(b"not json", &[7; 32]), b"not json");
    }

    #[test]
    fn a_result_has_one_encoding() {
        let out = JobOutput {
            prompt_tokens: 3,
            ids: vec![5, 2],
            text: "hé".into(),
            finish: Finish::Eos,
        };
        let bytes = out.canonical_bytes();
        assert_eq!(
            std::str::from_utf8(&bytes).unwrap(),
            r#"{"prompt_tokens":3,"ids":[5,2],"text":"hé","finish":"eos"}"#
        );
        let draft = out.to_draft(&SamplingParams::GREEDY).unwrap();
        assert_eq!(JobOutput::parse(&draft.encode()).unwrap(), out);
        assert!(JobOutput::parse(&[draft.encode(), vec![0]].concat()).is_err());
    }
}
