//! Loads `model.safetensors` (Hugging Face BERT names) into [`Bert`] with burn-store.

use std::path::Path;

use burn::prelude::*;
use burn_store::{ModuleSnapshot, PyTorchToBurnAdapter, SafetensorsStore};

use super::model::{Bert, BertConfig};
use crate::WorkerError;

/// Hugging Face name → our module path. `self` is a Rust keyword, hence the renames.
const REMAPS: &[(&str, &str)] = &[
    (r"^embeddings\.word_embeddings\.", "embeddings.word."),
    (
        r"^embeddings\.position_embeddings\.",
        "embeddings.position.",
    ),
    (
        r"^embeddings\.token_type_embeddings\.",
        "embeddings.token_type.",
    ),
    (r"^embeddings\.LayerNorm\.", "embeddings.norm."),
    (
        r"^encoder\.layer\.(\d+)\.attention\.self\.(query|key|value)\.",
        "layers.$1.$2.",
    ),
    (
        r"^encoder\.layer\.(\d+)\.attention\.output\.dense\.",
        "layers.$1.attn_out.",
    ),
    (
        r"^encoder\.layer\.(\d+)\.attention\.output\.LayerNorm\.",
        "layers.$1.attn_norm.",
    ),
    (
        r"^encoder\.layer\.(\d+)\.intermediate\.dense\.",
        "layers.$1.ffn_in.",
    ),
    (
        r"^encoder\.layer\.(\d+)\.output\.dense\.",
        "layers.$1.ffn_out.",
    ),
    (
        r"^encoder\.layer\.(\d+)\.output\.LayerNorm\.",
        "layers.$1.ffn_norm.",
    ),
];

/// Reads the weights; fails unless every module parameter was filled.
pub fn load_bert<B: Backend>(
    path: &Path,
    config: &BertConfig,
    device: &B::Device,
) -> Result<Bert<B>, WorkerError> {
    if !path.is_file() {
        return Err(WorkerError::MissingFile {
            path: path.to_owned(),
        });
    }
    let mut model = config.init::<B>(device);
    // The adapter transposes Linear weights (torch stores [out, in], burn [in, out]) and
    // maps LayerNorm weight/bias to gamma/beta.
    let mut store = SafetensorsStore::from_file(path)
        .with_from_adapter(PyTorchToBurnAdapter)
        // The filter sees the remapped names; it keeps the pooler and position_ids out.
        .with_regex(r"^(embeddings\.(word|position|token_type|norm)|layers)\.");
    for (from, to) in REMAPS {
        store = store.with_key_remapping(*from, *to);
    }
    let result = model
        .load_from(&mut store)
        .map_err(|e| WorkerError::Weights {
            path: path.to_owned(),
            reason: e.to_string(),
        })?;
    let expected = 5 + config.layers * 16;
    if !result.errors.is_empty() || !result.missing.is_empty() || result.applied.len() != expected {
        return Err(WorkerError::Weights {
            path: path.to_owned(),
            reason: format!(
                "applied {} of {expected} tensors; missing {:?}; errors {:?}",
                result.applied.len(),
                result.missing,
                result.errors
            ),
        });
    }
    tracing::debug!(applied = result.applied.len(), unused = ?result.unused, "loaded MiniLM weights");
    Ok(model)
}
