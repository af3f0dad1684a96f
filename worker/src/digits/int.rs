//! The integer-only digits model on burn `Int` tensors.
//!
//! Layout is NHWC so that a 3×3 convolution is an im2col (nine shifted views concatenated
//! along channels) followed by one 2-D integer matmul, with no transposes. Every operation
//! is integer: matmul, add, clamp, shift, multiply and max. Integer arithmetic has one
//! right answer, so the logits are bit-identical on any backend and for any batch size.

use burn::prelude::*;
use burn::tensor::ElementConversion;

use super::quant::{QuantLayer, QuantizedDigits};
use super::{DigitImage, IntLogits, IMAGE_PIXELS, IMAGE_SIDE, NUM_CLASSES};
use crate::{InferenceModel, WorkerError};

/// Largest quantized activation.
const QMAX: i32 = 127;

/// One quantized layer, uploaded to the device.
#[derive(Debug)]
struct IntLayer<B: Backend> {
    /// `[k, o]`.
    weights: Tensor<B, 2, Int>,
    /// `[1, o]`, broadcast over rows.
    bias: Tensor<B, 2, Int>,
    /// `[1, o]`.
    multiplier: Tensor<B, 2, Int>,
    pre_shift: u32,
    shift: u32,
}

impl<B: Backend> IntLayer<B> {
    fn new(q: &QuantLayer, device: &B::Device) -> Self {
        let t = |v: &[i32], shape: [usize; 2]| {
            Tensor::<B, 2, Int>::from_data(TensorData::new(v.to_vec(), shape), device)
        };
        Self {
            weights: t(&q.weights, [q.k, q.o]),
            bias: t(&q.bias, [1, q.o]),
            multiplier: t(&q.multiplier, [1, q.o]),
            pre_shift: q.pre_shift,
            shift: q.shift,
        }
    }

    /// ReLU then requantization to [0, 127] (see `quant.rs` for why it stays in int32).
    fn relu_requantize<const D: usize>(&self, acc: Tensor<B, D, Int>) -> Tensor<B, D, Int> {
        let mult = self
            .multiplier
            .clone()
            .reshape(broadcast_shape::<D>(self.multiplier.dims()[1]));
        acc.clamp_min(0)
            .bitwise_right_shift_scalar((self.pre_shift as i32).elem())
            .mul(mult)
            .add_scalar(1i32 << (self.shift - 1))
            .bitwise_right_shift_scalar((self.shift as i32).elem())
            .clamp_max(QMAX)
    }
}

/// `[1, …, 1, o]`.
fn broadcast_shape<const D: usize>(o: usize) -> [usize; D] {
    let mut s = [1; D];
    s[D - 1] = o;
    s
}

/// The integer-only digits model on backend `B`.
#[derive(Debug)]
pub struct DigitsInt<B: Backend> {
    input_lut: Vec<i32>,
    convs: [IntLayer<B>; 3],
    fc1: IntLayer<B>,
    fc2: IntLayer<B>,
    digest: [u8; 32],
    device: B::Device,
}

impl<B: Backend> DigitsInt<B> {
    /// Uploads a quantized model to `device`.
    pub fn new(q: &QuantizedDigits, device: &B::Device) -> Self {
        Self {
            input_lut: q.input_lut.clone(),
            convs: [0, 1, 2].map(|i| IntLayer::new(&q.convs[i], device)),
            fc1: IntLayer::new(&q.fc1, device),
            fc2: IntLayer::new(&q.fc2, device),
            digest: q.digest(),
            device: device.clone(),
        }
    }

    /// The digest of the integer model (see [`QuantizedDigits::digest`]).
    pub fn digest(&self) -> [u8; 32] {
        self.digest
    }

    /// conv 3×3 (padding 1) + bias, 2×2 max-pool, ReLU, requantize; NHWC in and out.
    fn conv_stage(&self, layer: &IntLayer<B>, x: Tensor<B, 4, Int>) -> Tensor<B, 4, Int> {
        let [n, h, w, c] = x.dims();
        let o = layer.weights.dims()[1];
        let padded = Tensor::<B, 4, Int>::zeros([n, h + 2, w + 2, c], &self.device)
            .slice_assign([0..n, 1..h + 1, 1..w + 1, 0..c], x);
        // Column (ki·3 + kj)·c + ci of the im2col matrix is input channel ci shifted by
        // (ki - 1, kj - 1); quant.rs laid the weight rows out in the same order.
        let mut views = Vec::with_capacity(9);
        for ki in 0..3 {
            for kj in 0..3 {
                views.push(padded.clone().slice([0..n, ki..ki + h, kj..kj + w, 0..c]));
            }
        }
        let cols = Tensor::cat(views, 3).reshape([n * h * w, 9 * c]);
        let acc = cols.matmul(layer.weights.clone()).reshape([n, h, w, o]);
        // Bias is per channel and ReLU and requantization are monotonic, so pooling the raw
        // accumulator first gives the same result on a quarter of the values.
        let pooled = max_pool_2x2(acc) + layer.bias.clone().reshape([1, 1, 1, o]);
        layer.relu_requantize(pooled)
    }

    fn forward(&self, images: &[DigitImage]) -> Tensor<B, 2, Int> {
        let n = images.len();
        let x: Vec<i32> = images
            .iter()
            .flat_map(|im| im.0.iter().map(|&p| self.input_lut[usize::from(p)]))
            .collect();
        let mut x =
            Tensor::<B, 1, Int>::from_data(TensorData::new(x, [n * IMAGE_PIXELS]), &self.device)
                .reshape([n, IMAGE_SIDE, IMAGE_SIDE, 1]);
        for layer in &self.convs {
            x = self.conv_stage(layer, x);
        }
        let [_, h, w, c] = x.dims();
        let flat = x.reshape([n, h * w * c]);
        let h1 = self
            .fc1
            .relu_requantize(flat.matmul(self.fc1.weights.clone()) + self.fc1.bias.clone());
        h1.matmul(self.fc2.weights.clone()) + self.fc2.bias.clone()
    }
}

/// 2×2 max-pool with stride 2 on NHWC, dropping an odd last row or column (floor mode).
fn max_pool_2x2<B: Backend>(x: Tensor<B, 4, Int>) -> Tensor<B, 4, Int> {
    let [n, h, w, c] = x.dims();
    let (h2, w2) = (h / 2, w / 2);
    let x = if h % 2 == 1 || w % 2 == 1 {
        x.slice([0..n, 0..2 * h2, 0..2 * w2, 0..c])
    } else {
        x
    };
    x.reshape([n, h2, 2, w2, 2, c])
        .max_dim(4)
        .max_dim(2)
        .reshape([n, h2, w2, c])
}

impl<B: Backend> InferenceModel for DigitsInt<B> {
    type Input = DigitImage;
    type Output = IntLogits;

    fn run_batch(&self, inputs: &[DigitImage]) -> Result<Vec<IntLogits>, WorkerError> {
        if inputs.is_empty() {
            return Ok(Vec::new());
        }
        let logits = self.forward(inputs);
        let values: Vec<i32> = logits
            .into_data()
            .convert::<i32>()
            .to_vec()
            .map_err(|e| WorkerError::Backend(format!("{e:?}")))?;
        Ok(values
            .chunks_exact(NUM_CLASSES)
            .map(|c| IntLogits(c.try_into().expect("chunks are NUM_CLASSES long")))
            .collect())
    }
}
