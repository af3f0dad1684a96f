//! Large language models of the Llama family, from GGUF files (SmolLM2-135M-Instruct
//! first): the weights reader ([`gguf`]), the tokenizer built from the file's metadata
//! ([`tokenizer`]), chat templates ([`chat`]), the forward pass in burn ([`llama`]) and
//! generation with replayable seeded sampling ([`generate`]).
//!
//! Nothing here is specific to one file: every size, the vocabulary, the special tokens
//! and the chat template come from the file, and a file this code cannot run is refused
//! with the reason when it is loaded.

pub mod audit;
pub mod calibrate;
pub mod chat;
pub mod generate;
pub mod gguf;
pub mod job;
pub mod kernel;
pub mod llama;
pub mod tokenizer;

use std::path::{Path, PathBuf};
use std::time::Instant;

use burn::prelude::*;

pub use chat::{ChatTemplate, Message};
pub use generate::{Finish, Generation, Request};
pub use gguf::{Gguf, LlamaParams};
pub use job::{JobOutput, JobRequest};
pub use llama::Llama;
pub use tokenizer::Tokenizer;

use crate::models::ModelDir;
use crate::WorkerError;

/// A loaded LLM: the network, its tokenizer and its chat template.
#[derive(Debug)]
pub struct LlmModel<B: Backend> {
    /// The network.
    pub llama: Llama<B>,
    /// The tokenizer from the same file.
    pub tokenizer: Tokenizer,
    /// The chat template, if the file has one.
    pub template: Option<ChatTemplate>,
    /// `general.name`, or the file name.
    pub name: String,
}

impl<B: Backend> LlmModel<B> {
    /// Reads, checks and loads a GGUF file of the llama architecture.
    pub fn load(path: &Path, device: &B::Device) -> Result<Self, WorkerError> {
        let started = Instant::now();
        let file = Gguf::open(path)?;
        let tokenizer = Tokenizer::new(&file.tokenizer_spec()?)?;
        let template = file
            .chat_template()
            .map(|t| ChatTemplate::new(&t))
            .transpose()?;
        let llama = Llama::load(&file, device)?;
        if tokenizer.vocab_size() != llama.params().vocab {
            return Err(WorkerError::BadFile {
                path: path.to_owned(),
                reason: format!(
                    "the tokenizer has {} tokens but the embedding {} rows",
                    tokenizer.vocab_size(),
                    llama.params().vocab
                ),
            });
        }
        let name = file.name().unwrap_or_else(|| {
            path.file_stem()
                .map_or("llm".into(), |s| s.to_string_lossy().into_owned())
        });
        tracing::info!(
            "{name}: {} blocks, width {}, {} heads ({} key-value), vocabulary {}, loaded in {:.1?}",
            llama.params().blocks,
            llama.params().embedding,
            llama.params().heads,
            llama.params().kv_heads,
            llama.params().vocab,
            started.elapsed()
        );
        Ok(Self {
            llama,
            tokenizer,
            template,
            name,
        })
    }

    /// The prompt ids of a chat, rendered with the model's template.
    pub fn chat_ids(&self, messages: &[Message]) -> Result<Vec<u32>, WorkerError> {
        let template = self.template.as_ref().ok_or_else(|| {
            WorkerError::InvalidInput(format!(
                "{} has no chat template: give a raw prompt instead",
                self.name
            ))
        })?;
        self.tokenizer.encode(&template.render(messages)?)
    }

    /// Runs several generations together.
    pub fn generate(&self, requests: &[Request]) -> Result<Vec<Generation>, WorkerError> {
        generate::generate(&self.llama, &self.tokenizer, requests)
    }
}

/// The GGUF file that `--model` names: a path to a `.gguf` file, or a registry name such
/// as `SmolLM2-135M-Instruct`, found in the models folder as `<name>.gguf` or
/// `<name>.<quantization>.gguf`.
pub fn resolve(model: &str, dir: &ModelDir) -> Result<PathBuf, WorkerError> {
    let direct = Path::new(model);
    if direct.extension().is_some_and(|e| e == "gguf") {
        return if direct.is_file() {
            Ok(direct.to_owned())
        } else {
            Err(WorkerError::MissingFile {
                path: direct.to_owned(),
            })
        };
    }
    let exact = dir.path().join(format!("{model}.gguf"));
    if exact.is_file() {
        return Ok(exact);
    }
    let prefix = format!("{model}.");
    let mut found: Vec<PathBuf> = std::fs::read_dir(dir.path())
        .map_err(|_| WorkerError::MissingFile {
            path: dir.path().to_owned(),
        })?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.extension().is_some_and(|e| e == "gguf")
                && p.file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with(&prefix))
        })
        .collect();
    found.sort();
    match found.len() {
        1 => Ok(found.remove(0)),
        0 => Err(WorkerError::MissingFile { path: exact }),
        _ => Err(WorkerError::InvalidInput(format!(
            "several GGUF files match `{model}` in {}: {found:?}; pass the file's path",
            dir.path().display()
        ))),
    }
}

/// Throughput of one model on this machine, as `scripts/bench-llm.sh` reports it.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Timing {
    /// Tokens in each prompt.
    pub prompt_tokens: usize,
    /// Tokens generated per sequence.
    pub generated_tokens: usize,
    /// Prefill of one prompt, tokens per second.
    pub prefill_tokens_per_s: f64,
    /// Decode tokens per second (all sequences together), by batch size.
    pub decode_tokens_per_s: Vec<(usize, f64)>,
    /// Seconds to generate `generated_tokens` at batch 1 (after the prompt's prefill).
    pub generate_s: f64,
    /// Seconds of the auditor's one prefill over prompt plus generated tokens.
    pub audit_prefill_s: f64,
}

impl<B: Backend> LlmModel<B> {
    /// Times prefill, decode at each of `batches`, and the audit prefill against the
    /// generation it checks. Greedy, with end tokens ignored so every run is full length.
    pub fn time(
        &self,
        prompt_tokens: usize,
        generated_tokens: usize,
        batches: &[usize],
    ) -> Result<Timing, WorkerError> {
        let text =
            "Verifiable inference lets anyone check that a model really produced an answer. ";
        let mut prompt = self.tokenizer.encode(&text.repeat(1 + prompt_tokens / 8))?;
        prompt.truncate(prompt_tokens);
        // Warm-up.
        generate::prefill_logits(&self.llama, &prompt)?;
        let started = Instant::now();
        generate::prefill_logits(&self.llama, &prompt)?;
        let prefill = started.elapsed().as_secs_f64();

        let mut decode = Vec::new();
        let mut generate_s = 0.0;
        let mut generated = Vec::new();
        for &batch in batches {
            let (seconds, ids) =
                generate::time_decode(&self.llama, &prompt, generated_tokens, batch)?;
            decode.push((batch, (batch * generated_tokens) as f64 / seconds));
            if batch == 1 || generated.is_empty() {
                generate_s = seconds;
                generated = ids;
            }
        }
        let all = [prompt.clone(), generated].concat();
        let started = Instant::now();
        generate::prefill_logits(&self.llama, &all)?;
        let audit_prefill_s = started.elapsed().as_secs_f64();
        Ok(Timing {
            prompt_tokens: prompt.len(),
            generated_tokens,
            prefill_tokens_per_s: prompt.len() as f64 / prefill,
            decode_tokens_per_s: decode,
            generate_s,
            audit_prefill_s,
        })
    }
}
