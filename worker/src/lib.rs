//! verinfer's off-chain worker: the inference core.
//!
//! Miners and auditors run the registered models here, off-chain, with burn. Each model
//! has a verification class that decides how two results are compared on-chain:
//!
//! | model | module | input | output | class |
//! |---|---|---|---|---|
//! | digits CNN, integer-only | [`digits`] | 28×28 u8 image | 10 × i32 logits | `Exact` (hash) |
//! | all-MiniLM-L6-v2 | [`minilm`] | UTF-8 text | 384 × f32, unit length | `Tolerance` |
//! | Llama-family LLMs (GGUF), e.g. SmolLM2-135M-Instruct | [`llm`] | a JSON generation request | canonical JSON: tokens, text, finish | `Exact` until the generation audit lands |
//!
//! Every model implements [`InferenceModel`]: `run_batch` takes several inputs of one model
//! and returns one output each, so the miner can batch the waiting jobs of a model. Outputs
//! have a `canonical_bytes()` encoding, which is what the commitment covers.
//!
//! Backends live in [`backend`]: burn-flex on the CPU by default, burn-cuda behind the
//! `cuda` feature. [`local`] holds the commands that run models without a chain.
//!
//! The chain side: [`chain`] (subxt client and keys), [`engine`] (registry models built by
//! family from the weights files the registry pins, behind an inference thread), [`roles`]
//! (`mine`, `verify`, `submit`) and [`metrics`] (Prometheus).

pub mod backend;
pub mod chain;
pub mod dapp;
pub mod digits;
pub mod engine;
mod error;
pub mod gateway;
pub mod llm;
pub mod local;
pub mod metrics;
pub mod minilm;
pub mod models;
pub mod roles;

pub use backend::DeviceKind;
pub use error::WorkerError;

/// A model the worker can run.
pub trait InferenceModel {
    /// One job's input.
    type Input;
    /// One job's output.
    type Output;

    /// Runs the model on several inputs at once. The output at index `i` belongs to
    /// `inputs[i]`, and is the same as running `inputs[i]` alone (bit for bit for `Exact`
    /// models, within the tolerance for the others).
    fn run_batch(&self, inputs: &[Self::Input]) -> Result<Vec<Self::Output>, WorkerError>;

    /// Runs the model on one input.
    fn run(&self, input: Self::Input) -> Result<Self::Output, WorkerError> {
        let mut out = self.run_batch(std::slice::from_ref(&input))?;
        out.pop()
            .ok_or_else(|| WorkerError::Backend("a batch of one returned nothing".into()))
    }
}
