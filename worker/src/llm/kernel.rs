//! Decode-time products straight from the file's quantized blocks, on the CPU.
//!
//! A decode step multiplies a few activation rows by every weight matrix: it is bound by
//! reading the weights, and f32 weights are 6.4 times the bytes of Q4_1 ones (538 MB per
//! token for SmolLM2 against 84 MB). [`Packed`] keeps a matrix in its Q4_1 or Q8_0 blocks
//! and computes `y[t][n] = Σ_k x[t][k] · w[n][k]` for up to [`MAX_TOKENS`] rows `t`,
//! decoding each block once for all of them.
//!
//! Numerics: each weight is decoded exactly as [`super::gguf::decode`] does, so `w` is the
//! same f32 value as in the dense path, and activations stay f32. The summation order is
//! fixed by the code, not by the machine: 32 lanes, lane `j` summing the products of the
//! elements `k ≡ j (mod 32)` in increasing `k`, then the lanes added pairwise (see
//! `dot_row_portable`), with no fused multiply-add. The AVX2 build of the loop (picked at run
//! time when the CPU has it) and the portable one compute the same bits; only the order
//! differs from the dense gemm, by f32 rounding.

use rayon::prelude::*;

use super::gguf::{half, BLOCK};

/// The most activation rows one call takes; longer inputs (prefill) use the dense gemm.
pub const MAX_TOKENS: usize = 16;

/// Output rows per parallel task.
const ROWS_PER_TASK: usize = 32;

/// A block format [`Packed`] reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// 20 bytes per 32 weights: f16 scale, f16 minimum, 16 bytes of nibbles.
    Q4_1,
    /// 34 bytes per 32 weights: f16 scale, 32 signed bytes.
    Q8_0,
}

impl Format {
    fn block_bytes(self) -> usize {
        match self {
            Format::Q4_1 => 20,
            Format::Q8_0 => 34,
        }
    }

    /// Bytes of quantized values per block (after the f16 scale, and minimum for Q4_1).
    fn quant_bytes(self) -> usize {
        match self {
            Format::Q4_1 => 16,
            Format::Q8_0 => 32,
        }
    }
}

/// A `[rows, cols]` weight matrix from its file blocks, each row `cols / 32` blocks: the
/// blocks' scale and minimum widened to f32 once (exactly), and their quantized values.
#[derive(Clone, Debug)]
pub struct Packed {
    format: Format,
    rows: usize,
    cols: usize,
    /// `(d, m)` per block, row by row (`m` is 0 for Q8_0).
    scales: Vec<[f32; 2]>,
    /// The quantized bytes of each block, row by row.
    quants: Vec<u8>,
}

impl Packed {
    /// Unpacks the blocks of a `[rows, cols]` matrix; `None` if the sizes do not match.
    pub fn new(format: Format, rows: usize, cols: usize, bytes: Vec<u8>) -> Option<Self> {
        let fits =
            cols.is_multiple_of(BLOCK) && bytes.len() == rows * cols / BLOCK * format.block_bytes();
        if !fits {
            return None;
        }
        let blocks = bytes.chunks_exact(format.block_bytes());
        let (scales, quants) = match format {
            Format::Q4_1 => (
                blocks
                    .clone()
                    .map(|b| [half(&b[0..2]), half(&b[2..4])])
                    .collect(),
                blocks.flat_map(|b| b[4..20].iter().copied()).collect(),
            ),
            Format::Q8_0 => (
                blocks.clone().map(|b| [half(&b[0..2]), 0.0]).collect(),
                blocks.flat_map(|b| b[2..34].iter().copied()).collect(),
            ),
        };
        Some(Self {
            format,
            rows,
            cols,
            scales,
            quants,
        })
    }

    /// The output width.
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// `x` is `[tokens, cols]` row-major, with `tokens ≤ MAX_TOKENS`; returns
    /// `[tokens, rows]`.
    pub fn apply(&self, x: &[f32], tokens: usize) -> Vec<f32> {
        assert!(tokens <= MAX_TOKENS && x.len() == tokens * self.cols);
        let blocks = self.cols / BLOCK;
        let row_bytes = blocks * self.format.quant_bytes();
        // [rows][tokens], filled in parallel, then transposed.
        let mut by_row = vec![0f32; self.rows * tokens];
        by_row
            .par_chunks_mut(ROWS_PER_TASK * tokens)
            .enumerate()
            .for_each(|(task, out)| {
                let first = task * ROWS_PER_TASK;
                for (i, y) in out.chunks_mut(tokens).enumerate() {
                    let r = first + i;
                    let row = Row {
                        scales: &self.scales[r * blocks..][..blocks],
                        quants: &self.quants[r * row_bytes..][..row_bytes],
                    };
                    dot_row(self.format, row, x, self.cols, y);
                }
            });
        let mut out = vec![0f32; tokens * self.rows];
        for (n, ys) in by_row.chunks(tokens).enumerate() {
            for (t, y) in ys.iter().enumerate() {
                out[t * self.rows + n] = *y;
            }
        }
        out
    }
}

/// One row's blocks.
#[derive(Clone, Copy)]
struct Row<'a> {
    scales: &'a [[f32; 2]],
    quants: &'a [u8],
}

/// One output row for every token, through the widest loop this CPU runs.
fn dot_row(format: Format, row: Row<'_>, x: &[f32], cols: usize, y: &mut [f32]) {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: the CPU was just checked to support AVX2, the only feature the function
        // is compiled for.
        return unsafe { dot_row_avx2(format, row, x, cols, y) };
    }
    dot_row_portable(format, row, x, cols, y)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn dot_row_avx2(format: Format, row: Row<'_>, x: &[f32], cols: usize, y: &mut [f32]) {
    dot_row_portable(format, row, x, cols, y)
}

/// The products of one row with every token: lane `j` of 32 sums `w[k] · x[k]` over the
/// `k ≡ j (mod 32)` in increasing `k` (four independent 8-wide accumulators per token, so
/// the additions do not wait on each other); the lanes are then added pairwise, `j + 16`,
/// `j + 8`, `j + 4`, `j + 2`, `j + 1` onto `j`.
#[inline(always)]
fn dot_row_portable(format: Format, row: Row<'_>, x: &[f32], cols: usize, y: &mut [f32]) {
    let tokens = y.len();
    let mut acc = [[0f32; BLOCK]; MAX_TOKENS];
    let mut w = [0f32; BLOCK];
    let quants = row.quants.chunks_exact(format.quant_bytes());
    for (b, (&[d, m], q)) in row.scales.iter().zip(quants).enumerate() {
        // As super::gguf::decode computes each weight: q · d + m, two roundings.
        match format {
            Format::Q4_1 => {
                for j in 0..16 {
                    w[j] = f32::from(q[j] & 0x0f) * d + m;
                    w[j + 16] = f32::from(q[j] >> 4) * d + m;
                }
            }
            Format::Q8_0 => {
                for j in 0..BLOCK {
                    w[j] = f32::from(q[j] as i8) * d;
                }
            }
        }
        for (t, lanes) in acc.iter_mut().enumerate().take(tokens) {
            let xs = &x[t * cols + b * BLOCK..][..BLOCK];
            for j in 0..BLOCK {
                lanes[j] += w[j] * xs[j];
            }
        }
    }
    for (out, mut a) in y.iter_mut().zip(acc) {
        let mut width = BLOCK / 2;
        while width > 0 {
            for j in 0..width {
                a[j] += a[j + width];
            }
            width /= 2;
        }
        *out = a[0];
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use half::f16;

    fn q4_1_matrix(rows: usize, cols: usize) -> Vec<u8> {
        let mut bytes = Vec::new();
        for r in 0..rows {
            for b in 0..cols / BLOCK {
                bytes.extend(f16::from_f32(0.01 * (1 + r % 5) as f32).to_le_bytes());
                bytes.extend(f16::from_f32(-0.05 * (b % 3) as f32).to_le_bytes());
                bytes.extend((0..16).map(|j| ((r * 7 + b * 3 + j) % 256) as u8));
            }
        }
        bytes
    }

    #[test]
    fn packed_products_equal_the_dense_ones_within_f32_rounding() {
        let (rows, cols, tokens) = (70, 96, 3);
        let bytes = q4_1_matrix(rows, cols);
        let dense = super::super::gguf::decode(
            gguf_rs_lib::format::types::GGUFTensorType::Q4_1,
            &bytes,
            rows * cols,
        )
        .unwrap();
        let x: Vec<f32> = (0..tokens * cols)
            .map(|i| ((i * 37 % 101) as f32 - 50.0) / 25.0)
            .collect();
        let packed = Packed::new(Format::Q4_1, rows, cols, bytes).unwrap();
        let y = packed.apply(&x, tokens);
        for t in 0..tokens {
            for n in 0..rows {
                let want: f64 = (0..cols)
                    .map(|k| f64::from(dense[n * cols + k]) * f64::from(x[t * cols + k]))
                    .sum();
                let got = f64::from(y[t * rows + n]);
                assert!(
                    (got - want).abs() < 1e-4 * want.abs().max(1.0),
                    "{t},{n}: {got} vs {want}"
                );
            }
        }
        // The AVX2 and portable loops give the same bits.
        let row = Row {
            scales: &packed.scales[..cols / BLOCK],
            quants: &packed.quants[..cols / BLOCK * 16],
        };
        let mut a = vec![0f32; tokens];
        let mut b = vec![0f32; tokens];
        dot_row(Format::Q4_1, row, &x, cols, &mut a);
        dot_row_portable(Format::Q4_1, row, &x, cols, &mut b);
        assert_eq!(a, b);
    }

    #[test]
    fn mismatched_sizes_are_refused() {
        assert!(Packed::new(Format::Q4_1, 2, 32, vec![0; 39]).is_none());
        assert!(Packed::new(Format::Q8_0, 1, 33, vec![0; 34]).is_none());
    }
}
