//! The Llama family in burn: token embedding, blocks of RMSNorm → grouped-query attention
//! with RoPE → RMSNorm → SwiGLU, a final RMSNorm, and the output projection (tied to the
//! embedding when the file has no `output.weight`).
//!
//! Numerics: f32 activations over f32 weights dequantized from the file at load. The float
//! reference (`scripts/llm_reference.py`, numpy) computes the same thing; llama.cpp instead
//! quantizes activations to 8 bits for its quantized dot products, so the two differ by
//! up to a few tenths of a logit (see the reference tests for the stated tolerances).
//!
//! Shapes: `d` the embedding width, `h`/`kvh` the query and key-value heads, `hd` the head
//! width, `t` a sequence position. Every matrix is used as `x[tokens, in] · W[in, out]`.
//! RoPE is GGUF's layout for the llama architecture: it rotates adjacent pairs
//! `(x[2i], x[2i+1])` by `pos · base^(-2i/hd)` (the converter permuted Q and K to match).

use burn::prelude::*;
use burn::tensor::activation::{silu, softmax};

use gguf_rs_lib::format::types::GGUFTensorType;

use super::gguf::{decode, Gguf, LlamaParams};
use super::kernel::{Format, Packed, MAX_TOKENS};
use crate::backend::to_f32s;
use crate::WorkerError;

/// A weight matrix: dense f32 `[in, out]` for burn's matmul, and, on the CPU, its file
/// blocks for the decode-time products of [`super::kernel`].
#[derive(Debug)]
struct Weight<B: Backend> {
    dense: Tensor<B, 2>,
    packed: Option<Packed>,
}

impl<B: Backend> Weight<B> {
    /// `x · W` for `x` `[tokens, in]`: from the packed blocks for a few tokens, else
    /// with burn's matmul.
    fn apply(&self, x: Tensor<B, 2>) -> Result<Tensor<B, 2>, WorkerError> {
        let [tokens, _] = x.dims();
        match &self.packed {
            Some(p) if tokens <= MAX_TOKENS => {
                let device = x.device();
                let data: Vec<f32> = to_f32s(x)?;
                let y = p.apply(&data, tokens);
                Ok(Tensor::from_data(
                    TensorData::new(y, [tokens, p.rows()]),
                    &device,
                ))
            }
            _ => Ok(x.matmul(self.dense.clone())),
        }
    }
}

/// One transformer block's weights.
#[derive(Debug)]
struct Block<B: Backend> {
    attn_norm: Tensor<B, 1>,
    wq: Weight<B>,
    wk: Weight<B>,
    wv: Weight<B>,
    wo: Weight<B>,
    ffn_norm: Tensor<B, 1>,
    w_gate: Weight<B>,
    w_up: Weight<B>,
    w_down: Weight<B>,
}

/// A Llama-architecture model, sized by the file it was loaded from.
#[derive(Debug)]
pub struct Llama<B: Backend> {
    params: LlamaParams,
    /// `[vocab, d]`, for the lookup.
    embedding: Tensor<B, 2>,
    /// `[d, vocab]`: the output projection, a transposed view of the embedding when tied.
    output: Weight<B>,
    blocks: Vec<Block<B>>,
    norm: Tensor<B, 1>,
    /// `[context, hd/2]` cosines and sines of the RoPE angles.
    cos: Tensor<B, 2>,
    sin: Tensor<B, 2>,
    device: B::Device,
}

/// The keys and values of every position so far, for `rows` sequences: per block,
/// `[rows, kvh, context, hd]`. Written in place (each tensor is owned only here between
/// steps, so burn writes into its buffer instead of copying it).
#[derive(Debug)]
pub struct KvCache<B: Backend> {
    k: Vec<Option<Tensor<B, 4>>>,
    v: Vec<Option<Tensor<B, 4>>>,
    rows: usize,
    capacity: usize,
}

impl<B: Backend> KvCache<B> {
    /// How many sequences it holds.
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// How many positions each sequence may have.
    pub fn capacity(&self) -> usize {
        self.capacity
    }
}

impl<B: Backend> Llama<B> {
    /// Builds the model from a parsed GGUF file, dequantizing every tensor to f32 (and, on
    /// the CPU backend, keeping the Q4_1 and Q8_0 matrices packed for decode). Refuses a
    /// file whose tensors do not have the shapes its metadata implies.
    pub fn load(file: &Gguf, device: &B::Device) -> Result<Self, WorkerError> {
        let p = file.llama_params()?;
        let (d, hd) = (p.embedding, p.head_dim);
        let pack =
            std::any::TypeId::of::<B>() == std::any::TypeId::of::<crate::backend::cpu::Cpu>();
        // GGUF stores a weight as `ne = [in, out]`: `out` rows of `in` values, the layout
        // of a PyTorch `[out, in]` weight. Returns it `[out, in]`, and its packed blocks.
        let matrix = |name: &str,
                      rows: usize,
                      cols: usize|
         -> Result<(Tensor<B, 2>, Option<Packed>), WorkerError> {
            let (kind, bytes) = file.raw(name, &[cols, rows])?;
            let data = decode(kind, &bytes, rows * cols)
                .map_err(|why| file.bad(format!("tensor `{name}`: {why}")))?;
            let format = match kind {
                GGUFTensorType::Q4_1 => Some(Format::Q4_1),
                GGUFTensorType::Q8_0 => Some(Format::Q8_0),
                _ => None,
            };
            let packed = format
                .filter(|_| pack)
                .and_then(|f| Packed::new(f, rows, cols, bytes));
            Ok((
                Tensor::<B, 2>::from_data(TensorData::new(data, [rows, cols]), device),
                packed,
            ))
        };
        let weight = |name: &str, i: usize, o: usize| -> Result<Weight<B>, WorkerError> {
            let (w, packed) = matrix(name, o, i)?;
            Ok(Weight {
                dense: w.transpose(),
                packed,
            })
        };
        let vector = |name: &str, n: usize| -> Result<Tensor<B, 1>, WorkerError> {
            let data = file.dequantize(name, &[n])?;
            Ok(Tensor::<B, 1>::from_data(
                TensorData::new(data, [n]),
                device,
            ))
        };
        let (embedding, packed_embedding) = matrix("token_embd.weight", p.vocab, d)?;
        let output = if file.has_tensor("output.weight") {
            weight("output.weight", d, p.vocab)?
        } else {
            Weight {
                dense: embedding.clone().transpose(),
                packed: packed_embedding,
            }
        };
        let mut blocks = Vec::with_capacity(p.blocks);
        for i in 0..p.blocks {
            let n = |s: &str| format!("blk.{i}.{s}.weight");
            blocks.push(Block {
                attn_norm: vector(&n("attn_norm"), d)?,
                wq: weight(&n("attn_q"), d, p.heads * hd)?,
                wk: weight(&n("attn_k"), d, p.kv_heads * hd)?,
                wv: weight(&n("attn_v"), d, p.kv_heads * hd)?,
                wo: weight(&n("attn_output"), p.heads * hd, d)?,
                ffn_norm: vector(&n("ffn_norm"), d)?,
                w_gate: weight(&n("ffn_gate"), d, p.ffn)?,
                w_up: weight(&n("ffn_up"), d, p.ffn)?,
                w_down: weight(&n("ffn_down"), p.ffn, d)?,
            });
        }
        let norm = vector("output_norm.weight", d)?;
        let (cos, sin) = rope_tables(&p);
        let table = |v: Vec<f32>| {
            Tensor::<B, 2>::from_data(TensorData::new(v, [p.context, hd / 2]), device)
        };
        Ok(Self {
            embedding,
            output,
            blocks,
            norm,
            cos: table(cos),
            sin: table(sin),
            device: device.clone(),
            params: p,
        })
    }

    /// The hyper-parameters read from the file.
    pub fn params(&self) -> &LlamaParams {
        &self.params
    }

    /// An empty cache for `rows` sequences of at most `capacity` positions (capped at the
    /// model's context length).
    pub fn cache(&self, rows: usize, capacity: usize) -> KvCache<B> {
        let capacity = capacity.min(self.params.context).max(1);
        let p = &self.params;
        let zeros = || {
            Some(Tensor::<B, 4>::zeros(
                [rows, p.kv_heads, capacity, p.head_dim],
                &self.device,
            ))
        };
        KvCache {
            k: (0..p.blocks).map(|_| zeros()).collect(),
            v: (0..p.blocks).map(|_| zeros()).collect(),
            rows,
            capacity,
        }
    }

    /// Runs `s` new tokens for each of the cache's rows: `ids[r]` holds row `r`'s tokens,
    /// which take positions `start[r]..start[r] + s`. Rows that are done are still fed (a
    /// repeat of their last token at their last position, which rewrites the same cache
    /// slot); the caller ignores their logits. Returns the logits of every new position
    /// (`[rows · s, vocab]`) when `pick` is `None`, else of new position `pick[r]` of each
    /// row `r` (`[rows, vocab]`): a short row padded to the batch's `s` picks its last real
    /// token, and its padding is overwritten as it grows.
    pub fn forward(
        &self,
        cache: &mut KvCache<B>,
        ids: &[Vec<u32>],
        start: &[usize],
        pick: Option<&[usize]>,
    ) -> Result<Tensor<B, 2>, WorkerError> {
        self.forward_with_hidden(cache, ids, start, pick)
            .map(|(_, logits)| logits)
    }

    /// [`Self::forward`], also returning the final-norm hidden state of each position whose
    /// logits it returns (`[rows · s or rows, dim]`): what a generation's fingerprint is made
    /// of.
    pub fn forward_with_hidden(
        &self,
        cache: &mut KvCache<B>,
        ids: &[Vec<u32>],
        start: &[usize],
        pick: Option<&[usize]>,
    ) -> Result<(Tensor<B, 2>, Tensor<B, 2>), WorkerError> {
        let rows = cache.rows;
        let s = ids.first().map_or(0, Vec::len);
        if ids.len() != rows || start.len() != rows || s == 0 || ids.iter().any(|r| r.len() != s) {
            return Err(WorkerError::InvalidInput(format!(
                "a step needs the same number (at least one) of new tokens for each of the {rows} rows"
            )));
        }
        let end = start.iter().map(|p| p + s).max().unwrap_or(0);
        if end > cache.capacity {
            return Err(WorkerError::InvalidInput(format!(
                "the sequence would reach {end} positions; this model and cache hold {}",
                cache.capacity
            )));
        }
        if let Some(bad) = ids
            .iter()
            .flatten()
            .find(|&&t| t as usize >= self.params.vocab)
        {
            return Err(WorkerError::InvalidInput(format!(
                "token id {bad} is outside the vocabulary of {}",
                self.params.vocab
            )));
        }
        let p = &self.params;
        let n = rows * s;
        let flat: Vec<i32> = ids.iter().flatten().map(|&t| t as i32).collect();
        let token_ids = Tensor::<B, 1, Int>::from_data(TensorData::new(flat, [n]), &self.device);
        let mut x = self.embedding.clone().select(0, token_ids);

        let positions: Vec<i32> = start
            .iter()
            .flat_map(|&p0| (p0..p0 + s).map(|q| q as i32))
            .collect();
        let pos = Tensor::<B, 1, Int>::from_data(TensorData::new(positions, [n]), &self.device);
        let half = p.head_dim / 2;
        let cos = self
            .cos
            .clone()
            .select(0, pos.clone())
            .reshape([rows, s, 1, half, 1]);
        let sin = self
            .sin
            .clone()
            .select(0, pos)
            .reshape([rows, s, 1, half, 1]);
        let mask = self.causal_bias(start, s, end);

        for (i, block) in self.blocks.iter().enumerate() {
            let h = rms_norm(x.clone(), &block.attn_norm, p.rms_eps);
            let q = block.wq.apply(h.clone())?;
            let k = block.wk.apply(h.clone())?;
            let v = block.wv.apply(h)?;
            let q = rope(q.reshape([rows, s, p.heads, half, 2]), &cos, &sin);
            let k = rope(k.reshape([rows, s, p.kv_heads, half, 2]), &cos, &sin);
            // [rows, kvh, s, hd], into the cache at each row's positions.
            let k = k.reshape([rows, s, p.kv_heads, p.head_dim]).swap_dims(1, 2);
            let v = v.reshape([rows, s, p.kv_heads, p.head_dim]).swap_dims(1, 2);
            let (keys, values) = cache.write(i, k, v, start, s, end)?;
            let ctx = self.attend(q, keys, values, mask.clone(), rows, s, end);
            x = x + block.wo.apply(ctx)?;
            let h = rms_norm(x.clone(), &block.ffn_norm, p.rms_eps);
            let gate = silu(block.w_gate.apply(h.clone())?);
            let up = block.w_up.apply(h)?;
            x = x + block.w_down.apply(gate * up)?;
        }
        let x = match pick {
            None => x,
            Some(offsets) if offsets.len() == rows && offsets.iter().all(|&j| j < s) => {
                let at: Vec<i32> = offsets
                    .iter()
                    .enumerate()
                    .map(|(r, j)| (r * s + j) as i32)
                    .collect();
                let at = Tensor::<B, 1, Int>::from_data(TensorData::new(at, [rows]), &self.device);
                x.select(0, at)
            }
            Some(_) => {
                return Err(WorkerError::InvalidInput(format!(
                    "pick one of the {s} new positions for each of the {rows} rows"
                )))
            }
        };
        let x = rms_norm(x, &self.norm, p.rms_eps);
        let logits = self.output.apply(x.clone())?;
        Ok((x, logits))
    }

    /// Attention of the new queries `[rows, s, h, hd/2, 2]` over the first `end` cached
    /// positions. The query heads that share a key-value head are stacked as extra query
    /// rows, so keys and values are never repeated. Returns `[rows · s, h · hd]`.
    #[allow(clippy::too_many_arguments)]
    fn attend(
        &self,
        q: Tensor<B, 5>,
        keys: Tensor<B, 4>,
        values: Tensor<B, 4>,
        bias: Tensor<B, 4>,
        rows: usize,
        s: usize,
        end: usize,
    ) -> Tensor<B, 2> {
        let p = &self.params;
        let group = p.heads / p.kv_heads;
        // [rows, s, h, hd] → [rows, h, s, hd] → [rows, kvh, group · s, hd]: query head j
        // reads key-value head j / group, as in llama.cpp and Hugging Face.
        let q = q
            .reshape([rows, s, p.heads, p.head_dim])
            .swap_dims(1, 2)
            .reshape([rows, p.kv_heads, group * s, p.head_dim]);
        let scale = (p.head_dim as f64).sqrt().recip();
        let scores = q.matmul(keys.swap_dims(2, 3)).mul_scalar(scale)
            + bias.expand([rows, p.kv_heads, group * s, end]);
        let ctx = softmax(scores, 3).matmul(values);
        ctx.reshape([rows, p.heads, s, p.head_dim])
            .swap_dims(1, 2)
            .reshape([rows * s, p.heads * p.head_dim])
    }

    /// `[rows, 1, group · s, end]`: 0 where query `j` of row `r` (at `start[r] + j`) may
    /// read key position `t` (`t ≤ start[r] + j`), −∞ elsewhere (the future, and a short
    /// row's unused positions).
    fn causal_bias(&self, start: &[usize], s: usize, end: usize) -> Tensor<B, 4> {
        let group = self.params.heads / self.params.kv_heads;
        let rows = start.len();
        let mut bias = Vec::with_capacity(rows * group * s * end);
        for &p0 in start {
            for _ in 0..group {
                for j in 0..s {
                    bias.extend((0..end).map(|t| {
                        if t <= p0 + j {
                            0.0f32
                        } else {
                            f32::NEG_INFINITY
                        }
                    }));
                }
            }
        }
        Tensor::from_data(
            TensorData::new(bias, [rows, 1, group * s, end]),
            &self.device,
        )
    }
}

impl<B: Backend> KvCache<B> {
    /// Writes block `block`'s new keys and values `[rows, kvh, s, hd]` at each row's
    /// positions and returns views of the first `end` positions of every row.
    fn write(
        &mut self,
        block: usize,
        k: Tensor<B, 4>,
        v: Tensor<B, 4>,
        start: &[usize],
        s: usize,
        end: usize,
    ) -> Result<(Tensor<B, 4>, Tensor<B, 4>), WorkerError> {
        let missing = || WorkerError::Backend(format!("the cache of block {block} is missing"));
        let [_, kvh, _, hd] = k.dims();
        let mut keys = self
            .k
            .get_mut(block)
            .and_then(Option::take)
            .ok_or_else(missing)?;
        let mut vals = self
            .v
            .get_mut(block)
            .and_then(Option::take)
            .ok_or_else(missing)?;
        let same_start = start.windows(2).all(|w| w[0] == w[1]);
        if same_start {
            let p0 = start.first().copied().unwrap_or(0);
            let at = [0..self.rows, 0..kvh, p0..p0 + s, 0..hd];
            keys = keys.slice_assign(at.clone(), k);
            vals = vals.slice_assign(at, v);
        } else {
            for (r, &p0) in start.iter().enumerate() {
                let at = [r..r + 1, 0..kvh, p0..p0 + s, 0..hd];
                let src = [r..r + 1, 0..kvh, 0..s, 0..hd];
                keys = keys.slice_assign(at.clone(), k.clone().slice(src.clone()));
                vals = vals.slice_assign(at, v.clone().slice(src));
            }
        }
        let view = [0..self.rows, 0..kvh, 0..end, 0..hd];
        let out = (keys.clone().slice(view.clone()), vals.clone().slice(view));
        self.k[block] = Some(keys);
        self.v[block] = Some(vals);
        Ok(out)
    }
}

/// RMSNorm over the last dimension of `[tokens, d]`, scaled by `weight`.
fn rms_norm<B: Backend>(x: Tensor<B, 2>, weight: &Tensor<B, 1>, eps: f64) -> Tensor<B, 2> {
    let [tokens, d] = x.dims();
    let rms = (x.clone() * x.clone()).mean_dim(1).add_scalar(eps).sqrt();
    x / rms.expand([tokens, d]) * weight.clone().reshape([1, d]).expand([tokens, d])
}

/// Rotates adjacent pairs `[.., hd/2, 2]` by the angles whose cosines and sines are given
/// (`[rows, s, 1, hd/2, 1]`), in the same `[rows, s, heads, hd/2, 2]` layout.
fn rope<B: Backend>(x: Tensor<B, 5>, cos: &Tensor<B, 5>, sin: &Tensor<B, 5>) -> Tensor<B, 5> {
    let [rows, s, heads, half, _] = x.dims();
    let even = x.clone().slice([0..rows, 0..s, 0..heads, 0..half, 0..1]);
    let odd = x.slice([0..rows, 0..s, 0..heads, 0..half, 1..2]);
    let shape = [rows, s, heads, half, 1];
    let (c, sn) = (cos.clone().expand(shape), sin.clone().expand(shape));
    let re = even.clone() * c.clone() - odd.clone() * sn.clone();
    let im = even * sn + odd * c;
    Tensor::cat(vec![re, im], 4)
}

/// Cosine and sine tables `[context, hd/2]` of RoPE's angles `pos · base^(-2i/rope_dim)`,
/// computed in f64 and rounded once.
fn rope_tables(p: &LlamaParams) -> (Vec<f32>, Vec<f32>) {
    let half = p.head_dim / 2;
    let mut cos = Vec::with_capacity(p.context * half);
    let mut sin = Vec::with_capacity(p.context * half);
    for pos in 0..p.context {
        for i in 0..half {
            let freq = p.rope_base.powf(-2.0 * i as f64 / p.rope_dim as f64);
            let angle = pos as f64 * freq;
            cos.push(angle.cos() as f32);
            sin.push(angle.sin() as f32);
        }
    }
    (cos, sin)
}
