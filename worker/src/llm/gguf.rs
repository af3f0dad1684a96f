//! The weights reader: GGUF v3 files through `gguf-rs-lib` (header, metadata, tensor table
//! and range-checked tensor reads), the llama hyper-parameters and tokenizer metadata read
//! from the file, and the decoding of its tensor types to f32.
//!
//! Decoding follows the GGML block formats exactly (the `gguf` PyPI package's
//! `quants.py` is the reference, and the tests compare against it through the llama.cpp
//! and numpy fixtures):
//! - `F32`: little-endian f32;
//! - `F16`: little-endian IEEE half, widened exactly;
//! - `Q8_0`: blocks of 32 along the innermost dimension, 34 bytes each: an f16 scale `d`,
//!   then 32 `i8` values `q`; `x = q · d`;
//! - `Q4_1`: blocks of 32, 20 bytes each: an f16 scale `d`, an f16 minimum `m`, then 16
//!   bytes whose low nibbles are elements 0..16 and high nibbles elements 16..32;
//!   `x = q · d + m` (two roundings, no fused multiply-add, as numpy computes it).
//!
//! No maintained crate decodes these blocks from bytes without an unsafe cast or a whole
//! inference framework (candle), so these few lines are ours.

use std::cell::RefCell;
use std::fs::File;
use std::io::BufReader;
use std::path::{Path, PathBuf};

use gguf_rs_lib::format::metadata::{Metadata, MetadataValue};
use gguf_rs_lib::format::types::GGUFTensorType;
use gguf_rs_lib::reader::file_reader::{open_gguf_file, GGUFFileReader};
use half::f16;

use super::tokenizer::TokenizerSpec;
use crate::WorkerError;

/// The hyper-parameters of a llama-architecture file, all read from its metadata.
#[derive(Clone, Debug, PartialEq)]
pub struct LlamaParams {
    /// `llama.block_count`.
    pub blocks: usize,
    /// `llama.embedding_length`.
    pub embedding: usize,
    /// `llama.feed_forward_length`.
    pub ffn: usize,
    /// `llama.attention.head_count`.
    pub heads: usize,
    /// `llama.attention.head_count_kv` (grouped-query attention when below `heads`).
    pub kv_heads: usize,
    /// `embedding / heads`.
    pub head_dim: usize,
    /// `llama.rope.dimension_count` (default: the head width).
    pub rope_dim: usize,
    /// `llama.rope.freq_base` (default 10,000).
    pub rope_base: f64,
    /// `llama.attention.layer_norm_rms_epsilon`.
    pub rms_eps: f64,
    /// `llama.context_length`.
    pub context: usize,
    /// The rows of `token_embd`.
    pub vocab: usize,
}

/// An open GGUF file.
pub struct Gguf {
    path: PathBuf,
    reader: RefCell<GGUFFileReader<BufReader<File>>>,
}

impl std::fmt::Debug for Gguf {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Gguf({})", self.path.display())
    }
}

impl Gguf {
    /// Opens `path` and reads its header, metadata and tensor table.
    pub fn open(path: &Path) -> Result<Self, WorkerError> {
        if !path.is_file() {
            return Err(WorkerError::MissingFile {
                path: path.to_owned(),
            });
        }
        let reader = open_gguf_file(path).map_err(|e| WorkerError::BadFile {
            path: path.to_owned(),
            reason: format!("not a GGUF v3 file this reader accepts: {e}"),
        })?;
        Ok(Self {
            path: path.to_owned(),
            reader: RefCell::new(reader),
        })
    }

    /// An error naming this file.
    pub(super) fn bad(&self, reason: String) -> WorkerError {
        WorkerError::BadFile {
            path: self.path.clone(),
            reason,
        }
    }

    fn with_metadata<R>(&self, f: impl FnOnce(&Metadata) -> R) -> R {
        f(self.reader.borrow().metadata())
    }

    fn string(&self, key: &str) -> Option<String> {
        self.with_metadata(|m| m.get_string(key).map(str::to_owned))
    }

    fn count(&self, key: &str) -> Result<usize, WorkerError> {
        self.with_metadata(|m| m.get_u64(key))
            .and_then(|v| usize::try_from(v).ok())
            .filter(|v| *v > 0)
            .ok_or_else(|| self.bad(format!("the metadata has no positive integer `{key}`")))
    }

    fn strings(&self, key: &str) -> Result<Vec<String>, WorkerError> {
        self.with_metadata(|m| match m.get(key) {
            Some(MetadataValue::Array(a)) => a
                .values
                .iter()
                .map(|v| v.as_str().map(str::to_owned))
                .collect::<Option<Vec<_>>>(),
            _ => None,
        })
        .ok_or_else(|| self.bad(format!("the metadata has no string array `{key}`")))
    }

    fn ints(&self, key: &str) -> Option<Vec<i32>> {
        self.with_metadata(|m| match m.get(key) {
            Some(MetadataValue::Array(a)) => a
                .values
                .iter()
                .map(|v| match v {
                    MetadataValue::I32(x) => Some(*x),
                    MetadataValue::U32(x) => i32::try_from(*x).ok(),
                    MetadataValue::I8(x) => Some(i32::from(*x)),
                    MetadataValue::U8(x) => Some(i32::from(*x)),
                    _ => None,
                })
                .collect(),
            _ => None,
        })
    }

    /// `general.name`.
    pub fn name(&self) -> Option<String> {
        self.string("general.name")
    }

    /// `tokenizer.chat_template`.
    pub fn chat_template(&self) -> Option<String> {
        self.string("tokenizer.chat_template")
    }

    /// Whether the file has a tensor called `name`.
    pub fn has_tensor(&self, name: &str) -> bool {
        self.reader.borrow().get_tensor_info(name).is_some()
    }

    /// The hyper-parameters, checked for a llama-architecture file this code can run.
    pub fn llama_params(&self) -> Result<LlamaParams, WorkerError> {
        let arch = self.string("general.architecture").unwrap_or_default();
        if arch != "llama" {
            return Err(self.bad(format!(
                "general.architecture is `{arch}`; this worker runs the `llama` architecture"
            )));
        }
        let heads = self.count("llama.attention.head_count")?;
        let kv_heads = self.count("llama.attention.head_count_kv").unwrap_or(heads);
        let embedding = self.count("llama.embedding_length")?;
        let head_dim = embedding / heads;
        let rope_dim = self.count("llama.rope.dimension_count").unwrap_or(head_dim);
        let vocab = self
            .reader
            .borrow()
            .get_tensor_info("token_embd.weight")
            .and_then(|t| t.shape().dims().get(1).copied())
            .and_then(|v| usize::try_from(v).ok())
            .ok_or_else(|| self.bad("there is no 2-D `token_embd.weight`".into()))?;
        let p = LlamaParams {
            blocks: self.count("llama.block_count")?,
            embedding,
            ffn: self.count("llama.feed_forward_length")?,
            heads,
            kv_heads,
            head_dim,
            rope_dim,
            rope_base: self
                .with_metadata(|m| m.get_f64("llama.rope.freq_base"))
                .unwrap_or(10_000.0),
            rms_eps: self
                .with_metadata(|m| m.get_f64("llama.attention.layer_norm_rms_epsilon"))
                .ok_or_else(|| {
                    self.bad("the metadata has no `llama.attention.layer_norm_rms_epsilon`".into())
                })?,
            context: self.count("llama.context_length")?,
            vocab,
        };
        let refuse = |why: &str| Err(self.bad(format!("unsupported llama shape: {why} ({p:?})")));
        if embedding % heads != 0 || head_dim % 2 != 0 {
            return refuse("the embedding must split into heads of an even width");
        }
        if heads % kv_heads != 0 {
            return refuse("the query heads must be a multiple of the key-value heads");
        }
        if rope_dim != head_dim {
            return refuse("RoPE over part of each head is not supported");
        }
        if !(p.rope_base.is_finite()
            && p.rope_base > 1.0
            && p.rms_eps.is_finite()
            && p.rms_eps > 0.0)
        {
            return refuse("the RoPE base and RMSNorm epsilon must be positive and finite");
        }
        if self
            .string("llama.rope.scaling.type")
            .is_some_and(|t| t != "none")
        {
            return refuse("RoPE scaling is not supported");
        }
        Ok(p)
    }

    /// What the file says about its tokenizer.
    pub fn tokenizer_spec(&self) -> Result<TokenizerSpec, WorkerError> {
        let id = |key: &str| {
            self.with_metadata(|m| m.get_u64(key))
                .and_then(|v| u32::try_from(v).ok())
        };
        Ok(TokenizerSpec {
            model: self.string("tokenizer.ggml.model").unwrap_or_default(),
            pre: self
                .string("tokenizer.ggml.pre")
                .unwrap_or_else(|| "default".into()),
            tokens: self.strings("tokenizer.ggml.tokens")?,
            merges: self.strings("tokenizer.ggml.merges")?,
            token_types: self.ints("tokenizer.ggml.token_type").unwrap_or_default(),
            bos: id("tokenizer.ggml.bos_token_id"),
            eos: id("tokenizer.ggml.eos_token_id"),
            add_bos: self
                .with_metadata(|m| m.get_bool("tokenizer.ggml.add_bos_token"))
                .unwrap_or(false),
        })
    }

    /// Tensor `name` decoded to f32, row-major with `ne[0]` innermost; `ne` is the shape
    /// the caller expects, in GGUF order, and any other shape is refused.
    pub fn dequantize(&self, name: &str, ne: &[usize]) -> Result<Vec<f32>, WorkerError> {
        let (kind, bytes) = self.raw(name, ne)?;
        decode(kind, &bytes, ne.iter().product())
            .map_err(|why| self.bad(format!("tensor `{name}`: {why}")))
    }

    /// Tensor `name`'s type and bytes as stored, with the shape checked as for
    /// [`Self::dequantize`].
    pub fn raw(&self, name: &str, ne: &[usize]) -> Result<(GGUFTensorType, Vec<u8>), WorkerError> {
        let mut reader = self.reader.borrow_mut();
        let (dims, kind) = {
            let info = reader
                .get_tensor_info(name)
                .ok_or_else(|| self.bad(format!("tensor `{name}` is missing")))?;
            let dims: Vec<usize> = info.shape().dims().iter().map(|&d| d as usize).collect();
            (dims, info.tensor_type())
        };
        if dims != ne {
            return Err(self.bad(format!(
                "tensor `{name}` has shape {dims:?}; the metadata implies {ne:?}"
            )));
        }
        let data = reader
            .load_tensor_data(name)
            .map_err(|e| self.bad(format!("reading tensor `{name}`: {e}")))?
            .ok_or_else(|| self.bad(format!("tensor `{name}` has no data")))?;
        Ok((kind, data.into_owned()))
    }
}

/// Weights per Q4_1 or Q8_0 block.
pub const BLOCK: usize = 32;

/// A little-endian IEEE half, widened exactly.
pub(super) fn half(b: &[u8]) -> f32 {
    f16::from_le_bytes([b[0], b[1]]).to_f32()
}

/// One Q4_1 block (20 bytes) into 32 weights: `q · d + m`, low nibbles first.
#[inline(always)]
fn q4_1_block(b: &[u8], out: &mut [f32; BLOCK]) {
    let (d, m) = (half(&b[0..2]), half(&b[2..4]));
    for (j, &q) in b[4..20].iter().enumerate() {
        out[j] = f32::from(q & 0x0f) * d + m;
        out[j + 16] = f32::from(q >> 4) * d + m;
    }
}

/// One Q8_0 block (34 bytes) into 32 weights: `q · d`.
#[inline(always)]
fn q8_0_block(b: &[u8], out: &mut [f32; BLOCK]) {
    let d = half(&b[0..2]);
    for (o, &q) in out.iter_mut().zip(&b[2..34]) {
        *o = f32::from(q as i8) * d;
    }
}

/// Decodes `count` values of GGML type `kind` from `bytes`.
pub fn decode(kind: GGUFTensorType, bytes: &[u8], count: usize) -> Result<Vec<f32>, String> {
    let (block, size) = match kind {
        GGUFTensorType::F32 => (1, 4),
        GGUFTensorType::F16 => (1, 2),
        GGUFTensorType::Q8_0 => (32, 34),
        GGUFTensorType::Q4_1 => (32, 20),
        other => {
            return Err(format!(
                "type {other:?} is not supported (F32, F16, Q8_0, Q4_1 are)"
            ))
        }
    };
    if !count.is_multiple_of(block) || bytes.len() != count / block * size {
        return Err(format!(
            "{} bytes do not hold {count} values of {kind:?}",
            bytes.len()
        ));
    }
    let mut out = Vec::with_capacity(count);
    let mut w = [0f32; BLOCK];
    match kind {
        GGUFTensorType::F32 => out.extend(
            bytes
                .chunks_exact(4)
                .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]])),
        ),
        GGUFTensorType::F16 => out.extend(bytes.chunks_exact(2).map(half)),
        GGUFTensorType::Q8_0 => {
            for b in bytes.chunks_exact(34) {
                q8_0_block(b, &mut w);
                out.extend_from_slice(&w);
            }
        }
        _ => {
            for b in bytes.chunks_exact(20) {
                q4_1_block(b, &mut w);
                out.extend_from_slice(&w);
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn q4_1_puts_low_nibbles_first_and_adds_the_minimum() {
        let mut block = Vec::new();
        block.extend(f16::from_f32(0.5).to_le_bytes());
        block.extend(f16::from_f32(-1.0).to_le_bytes());
        block.extend((0..16u8).map(|j| j | ((15 - j) << 4)));
        let x = decode(GGUFTensorType::Q4_1, &block, 32).unwrap();
        assert_eq!(x[0], -1.0);
        assert_eq!(x[15], 15.0 * 0.5 - 1.0);
        assert_eq!(x[16], 15.0 * 0.5 - 1.0);
        assert_eq!(x[31], -1.0);
    }

    #[test]
    fn q8_0_scales_signed_bytes() {
        let mut block = Vec::new();
        block.extend(f16::from_f32(0.25).to_le_bytes());
        block.extend((0..32).map(|j| (j as i8 - 16) as u8));
        let x = decode(GGUFTensorType::Q8_0, &block, 32).unwrap();
        assert_eq!((x[0], x[16], x[31]), (-4.0, 0.0, 3.75));
    }

    #[test]
    fn sizes_that_do_not_match_are_refused() {
        assert!(decode(GGUFTensorType::Q4_1, &[0; 19], 32).is_err());
        assert!(decode(GGUFTensorType::Q8_0, &[0; 34], 31).is_err());
        assert!(decode(GGUFTensorType::Q4_K, &[0; 144], 256).is_err());
    }
}
