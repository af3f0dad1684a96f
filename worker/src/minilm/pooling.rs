//! Sentence embedding from hidden states: mean over real tokens, then L2 normalisation,
//! as sentence-transformers' all-MiniLM-L6-v2 pipeline (Pooling + Normalize) does.

use burn::prelude::*;

/// `hidden`: `[batch, seq, hidden]`; `mask`: `[batch, seq]`, 1 for real tokens.
/// Returns `[batch, hidden]` unit vectors.
pub fn mean_pool_normalize<B: Backend>(
    hidden: Tensor<B, 3>,
    mask: Tensor<B, 2, Int>,
) -> Tensor<B, 2> {
    let [b, s, h] = hidden.dims();
    let m = mask.float().reshape([b, s, 1]);
    let summed = (hidden * m.clone()).sum_dim(1).reshape([b, h]);
    // Every sequence holds at least [CLS] and [SEP], so the count is never 0.
    let count = m.sum_dim(1).reshape([b, 1]);
    let mean = summed / count;
    let norm = mean
        .clone()
        .powi_scalar(2)
        .sum_dim(1)
        .sqrt()
        .clamp_min(1e-12);
    mean / norm
}
