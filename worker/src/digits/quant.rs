//! Post-training quantization of the digits CNN into an integer-only model.
//!
//! Scheme (symmetric, zero point 0 everywhere, so zero padding stays exact):
//! - weights: int8 range [-127, 127], one scale per output channel, `s_w = max|w| / 127`;
//! - activations: int8 range, non-negative after ReLU, so [0, 127], one scale per layer
//!   calibrated on real data ([`calibrate`]);
//! - biases: int32 at scale `s_in · s_w`;
//! - requantization of a non-negative int32 accumulator to the next layer's scale:
//!   `min((((acc >> pre_shift) · M[c]) + 2^(shift-1)) >> shift, 127)`.
//!
//! Why that requantization: backends' integer tensors are int32 (burn-flex and burn-cuda
//! both), so the arithmetic must never leave int32. `pre_shift` brings the largest possible
//! accumulator below 2^15 and the multipliers `M[c]` are below 2^15, so the product stays
//! below 2^30. Only non-negative values are shifted (ReLU comes first), so arithmetic and
//! logical shifts agree and no backend's rounding of negative numbers matters.
//!
//! Everything here runs once, on the host, in f64 with IEEE rounding, from the f32 weights
//! and the pinned activation scales, so every machine derives the same integers.

use burn::prelude::*;
use sha2::{Digest, Sha256};

use super::float::{Activations, DigitsFloat};
use super::{DigitImage, MNIST_MEAN, MNIST_STD};
use crate::backend::to_f32s;
use crate::WorkerError;

/// Largest magnitude of a quantized weight or activation.
const QMAX: f64 = 127.0;
/// Accumulators are shifted below this many bits before the multiply.
const ACC_BITS: u32 = 15;
/// Multipliers stay below 2^MULT_BITS.
const MULT_BITS: u32 = 15;

/// Activation scales (real value per integer step) after each ReLU stage.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ActivationScales {
    /// After conv1 + ReLU + pool, conv2 …, conv3 ….
    pub convs: [f32; 3],
    /// After fc1 + ReLU.
    pub fc1: f32,
}

/// The scales the registered integer model uses, from [`calibrate`] on the first 512
/// sklearn digits at the 99.99th percentile (`verinfer-worker calibrate-digits` reprints
/// them). Pinned rather than recomputed at start-up, because float calibration on another
/// CPU or on a GPU could differ in the last bit and change the integer model.
pub const PINNED_ACTIVATION_SCALES: ActivationScales = ActivationScales {
    convs: [0.020385653, 0.037871473, 0.05135072],
    fc1: 0.090582795,
};

/// The input scale: the largest normalised pixel, `(1 - mean) / std`, maps to 127.
pub fn input_scale() -> f64 {
    (1.0 - MNIST_MEAN) / MNIST_STD / QMAX
}

/// One integer layer: `acc = x · W + b` then, unless it is the output layer, requantization.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QuantLayer {
    /// Input features (rows of the weight matrix).
    pub k: usize,
    /// Output channels (columns).
    pub o: usize,
    /// Weights, `[k, o]` row-major, in [-127, 127]. Rows follow the integer model's NHWC
    /// im2col order, see [`QuantizedDigits::from_float`].
    pub weights: Vec<i32>,
    /// Bias per output channel, at scale `s_in · s_w[c]`.
    pub bias: Vec<i32>,
    /// Requantization multiplier per output channel, in [0, 2^15).
    pub multiplier: Vec<i32>,
    /// Right shift before the multiply.
    pub pre_shift: u32,
    /// Right shift after the multiply, with rounding.
    pub shift: u32,
}

/// The complete integer model: everything [`super::DigitsInt`] needs, and nothing float.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QuantizedDigits {
    /// Quantized input value for each pixel intensity 0..=255.
    pub input_lut: Vec<i32>,
    /// conv1, conv2, conv3.
    pub convs: [QuantLayer; 3],
    /// 1152 → 256, requantized.
    pub fc1: QuantLayer,
    /// 256 → 10, the int32 logits (no requantization).
    pub fc2: QuantLayer,
}

impl QuantizedDigits {
    /// Quantizes the float model with the given activation scales.
    pub fn from_float<B: Backend>(
        model: &DigitsFloat<B>,
        scales: &ActivationScales,
    ) -> Result<Self, WorkerError> {
        let s0 = input_scale();
        let input_lut = (0..=255u8)
            .map(|p| {
                let x = (f64::from(p) / 255.0 - MNIST_MEAN) / MNIST_STD;
                (x / s0).round().clamp(-QMAX, QMAX) as i32
            })
            .collect();

        let cnn = &model.cnn;
        let s_act = [
            s0,
            f64::from(scales.convs[0]),
            f64::from(scales.convs[1]),
            f64::from(scales.convs[2]),
        ];
        let mut convs = Vec::with_capacity(3);
        for (i, conv) in [&cnn.conv1, &cnn.conv2, &cnn.conv3].into_iter().enumerate() {
            let [o, c, kh, kw] = conv.weight.dims();
            let w = to_f32s(conv.weight.val())?;
            let b = to_f32s(conv.bias.as_ref().map(|b| b.val()).ok_or_else(no_bias)?)?;
            // im2col row (ki·3 + kj)·c + ci holds torch's weight[o][ci][ki][kj].
            let k = kh * kw * c;
            let mut wk = vec![0f32; k * o];
            for oc in 0..o {
                for ci in 0..c {
                    for ki in 0..kh {
                        for kj in 0..kw {
                            wk[((ki * kw + kj) * c + ci) * o + oc] =
                                w[((oc * c + ci) * kh + ki) * kw + kj];
                        }
                    }
                }
            }
            convs.push(quantize_layer(&wk, &b, k, o, s_act[i], Some(s_act[i + 1]))?);
        }

        // fc1 consumes the NHWC [3, 3, 128] map flattened as (h·3 + w)·128 + c, whereas
        // torch flattened NCHW as c·9 + h·3 + w; burn's Linear weight is [in, out].
        let w1 = to_f32s(cnn.fc1.weight.val())?;
        let b1 = to_f32s(cnn.fc1.bias.as_ref().map(|b| b.val()).ok_or_else(no_bias)?)?;
        let [k1, o1] = cnn.fc1.weight.dims();
        let ch = 128;
        let mut w1k = vec![0f32; k1 * o1];
        for c in 0..ch {
            for hw in 0..k1 / ch {
                let src = (c * (k1 / ch) + hw) * o1;
                let dst = (hw * ch + c) * o1;
                w1k[dst..dst + o1].copy_from_slice(&w1[src..src + o1]);
            }
        }
        let fc1 = quantize_layer(&w1k, &b1, k1, o1, s_act[3], Some(f64::from(scales.fc1)))?;

        let [k2, o2] = cnn.fc2.weight.dims();
        let w2 = to_f32s(cnn.fc2.weight.val())?;
        let b2 = to_f32s(cnn.fc2.bias.as_ref().map(|b| b.val()).ok_or_else(no_bias)?)?;
        let fc2 = quantize_layer(&w2, &b2, k2, o2, f64::from(scales.fc1), None)?;

        let convs: [QuantLayer; 3] = convs.try_into().expect("three conv layers");
        Ok(Self {
            input_lut,
            convs,
            fc1,
            fc2,
        })
    }

    /// A digest of every integer in the model, in a fixed order. Two workers with the same
    /// digest run the same integer model; the registry can pin it.
    pub fn digest(&self) -> [u8; 32] {
        let mut h = Sha256::new();
        h.update(b"verinfer/digits-int8/v1");
        let mut put = |v: &[i32]| {
            h.update((v.len() as u64).to_le_bytes());
            for x in v {
                h.update(x.to_le_bytes());
            }
        };
        put(&self.input_lut);
        for l in self.convs.iter().chain([&self.fc1, &self.fc2]) {
            put(&[l.k as i32, l.o as i32, l.pre_shift as i32, l.shift as i32]);
            put(&l.weights);
            put(&l.bias);
            put(&l.multiplier);
        }
        h.finalize().into()
    }
}

fn no_bias() -> WorkerError {
    WorkerError::Quantization("a layer of the checkpoint has no bias".into())
}

/// Quantizes one `[k, o]` layer. `s_out = None` marks the output layer (no requantization).
fn quantize_layer(
    w: &[f32],
    b: &[f32],
    k: usize,
    o: usize,
    s_in: f64,
    s_out: Option<f64>,
) -> Result<QuantLayer, WorkerError> {
    let mut weights = vec![0i32; k * o];
    let mut bias = vec![0i32; o];
    let mut real_mult = vec![0f64; o];
    let mut max_acc: i64 = 0;
    for c in 0..o {
        let max_abs = (0..k)
            .map(|r| f64::from(w[r * o + c]).abs())
            .fold(0.0, f64::max);
        let s_w = if max_abs > 0.0 { max_abs / QMAX } else { 1.0 };
        let mut acc_bound: i64 = 0;
        for r in 0..k {
            let q = (f64::from(w[r * o + c]) / s_w).round().clamp(-QMAX, QMAX) as i32;
            weights[r * o + c] = q;
            acc_bound += i64::from(q.abs()) * QMAX as i64;
        }
        let bq = (f64::from(b[c]) / (s_in * s_w)).round();
        if bq.abs() >= f64::from(1u32 << 30) {
            return Err(WorkerError::Quantization(format!(
                "bias of channel {c} does not fit int32"
            )));
        }
        bias[c] = bq as i32;
        max_acc = max_acc.max(acc_bound + i64::from(bias[c].abs()));
        if let Some(s_out) = s_out {
            real_mult[c] = s_in * s_w / s_out;
        }
    }
    if max_acc >= i64::from(i32::MAX) {
        return Err(WorkerError::Quantization(format!(
            "a {k}→{o} layer can overflow int32 ({max_acc})"
        )));
    }
    let Some(_) = s_out else {
        return Ok(QuantLayer {
            k,
            o,
            weights,
            bias,
            multiplier: vec![0; o],
            pre_shift: 0,
            shift: 0,
        });
    };
    let acc_bits = 64 - (max_acc as u64).leading_zeros();
    let pre_shift = acc_bits.saturating_sub(ACC_BITS);
    let scaled: Vec<f64> = real_mult
        .iter()
        .map(|m| m * f64::from(1u32 << pre_shift))
        .collect();
    let largest = scaled.iter().copied().fold(0.0, f64::max);
    if largest <= 0.0 || !largest.is_finite() {
        return Err(WorkerError::Quantization(
            "activation scales must be positive; calibrate first".into(),
        ));
    }
    let shift = ((f64::from((1u32 << MULT_BITS) - 1) / largest)
        .log2()
        .floor()) as i64;
    if !(1..=30).contains(&shift) {
        return Err(WorkerError::Quantization(format!(
            "requantization shift {shift} is out of range for a {k}→{o} layer"
        )));
    }
    let shift = shift as u32;
    let multiplier = scaled
        .iter()
        .map(|m| (m * f64::from(1u32 << shift)).round() as i32)
        .collect();
    Ok(QuantLayer {
        k,
        o,
        weights,
        bias,
        multiplier,
        pre_shift,
        shift,
    })
}

/// Calibrates the activation scales: runs the float model over `images` and takes, per
/// stage, the `quantile` (e.g. 0.9999) of the activations as the value that maps to 127.
/// A quantile rather than the maximum keeps a few outliers from wasting resolution.
pub fn calibrate<B: Backend>(
    model: &DigitsFloat<B>,
    images: &[DigitImage],
    quantile: f64,
) -> Result<ActivationScales, WorkerError> {
    if images.is_empty() || !(0.0..=1.0).contains(&quantile) {
        return Err(WorkerError::InvalidInput(
            "calibration needs images and a quantile in [0, 1]".into(),
        ));
    }
    let mut stages: [Vec<f32>; 4] = Default::default();
    for chunk in images.chunks(64) {
        let Activations { convs, fc1, .. } = model.cnn.forward_all(model.input(chunk));
        for (i, a) in convs.into_iter().enumerate() {
            stages[i].extend(to_f32s(a)?);
        }
        stages[3].extend(to_f32s(fc1)?);
    }
    let mut scale = [0f32; 4];
    for (i, values) in stages.iter_mut().enumerate() {
        values.sort_by(f32::total_cmp);
        let idx = ((values.len() - 1) as f64 * quantile).round() as usize;
        scale[i] = (f64::from(values[idx]) / QMAX) as f32;
    }
    Ok(ActivationScales {
        convs: [scale[0], scale[1], scale[2]],
        fc1: scale[3],
    })
}
