//! The handwritten-digits CNN (PyPI `digit-recognizer-py`, `handwriting_model.pth`).
//!
//! Architecture, from the state dict: three 3×3 convolutions with padding 1
//! (1→32→64→128 channels), each followed by ReLU and 2×2 max-pooling (28→14→7→3), then
//! fully connected 1152→256 (ReLU) →10. Inputs are 28×28 grayscale, normalised with
//! MNIST's mean 0.1307 and standard deviation 0.3081.
//!
//! Two forms of the model:
//! - [`DigitsFloat`]: the float model as trained, for reference and accuracy checks.
//! - [`DigitsInt`]: a post-training-quantized integer-only model. It is the one registered
//!   with verification class `Exact`: its int logits are bit-identical on every backend,
//!   so miners and auditors compare hashes.

mod dataset;
mod float;
mod int;
mod quant;

pub use dataset::{load_sklearn_digits, upscale_8x8, LabelledDigit};
pub use float::DigitsFloat;
pub use int::DigitsInt;
pub use quant::{calibrate, ActivationScales, QuantizedDigits, PINNED_ACTIVATION_SCALES};

use crate::WorkerError;

/// Height and width of the input image.
pub const IMAGE_SIDE: usize = 28;
/// Pixels in one input image.
pub const IMAGE_PIXELS: usize = IMAGE_SIDE * IMAGE_SIDE;
/// Number of classes (digits 0..=9).
pub const NUM_CLASSES: usize = 10;
/// MNIST normalisation the network was trained with.
pub const MNIST_MEAN: f64 = 0.1307;
/// MNIST normalisation the network was trained with.
pub const MNIST_STD: f64 = 0.3081;

/// A 28×28 grayscale image, row-major, 0 = background, 255 = ink. This is the job input.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DigitImage(pub [u8; IMAGE_PIXELS]);

impl DigitImage {
    /// Parses the canonical input encoding: exactly 784 bytes, row-major.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, WorkerError> {
        let pixels: [u8; IMAGE_PIXELS] = bytes.try_into().map_err(|_| {
            WorkerError::InvalidInput(format!(
                "a digit image is {IMAGE_PIXELS} bytes (28×28), got {}",
                bytes.len()
            ))
        })?;
        Ok(Self(pixels))
    }

    /// The float network's input: `(p / 255 - mean) / std` per pixel.
    pub fn normalised(&self) -> impl Iterator<Item = f32> + '_ {
        self.0
            .iter()
            .map(|&p| ((f64::from(p) / 255.0 - MNIST_MEAN) / MNIST_STD) as f32)
    }
}

/// The float model's output.
#[derive(Clone, Debug, PartialEq)]
pub struct FloatLogits(pub [f32; NUM_CLASSES]);

/// The integer model's output: the int32 logits, exact on every backend.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct IntLogits(pub [i32; NUM_CLASSES]);

impl FloatLogits {
    /// The predicted digit (the first maximum).
    pub fn predicted(&self) -> u8 {
        argmax(self.0.iter().copied())
    }
}

impl IntLogits {
    /// The predicted digit (the first maximum, so ties break the same way everywhere).
    pub fn predicted(&self) -> u8 {
        argmax(self.0.iter().copied())
    }

    /// The canonical output encoding: 10 little-endian i32, 40 bytes. This is what the
    /// commitment hashes.
    pub fn canonical_bytes(&self) -> Vec<u8> {
        verinfer_primitives::encode_i32s(&self.0)
    }
}

fn argmax<T: PartialOrd>(values: impl Iterator<Item = T>) -> u8 {
    let mut best: Option<(usize, T)> = None;
    for (i, v) in values.enumerate() {
        if best.as_ref().is_none_or(|(_, b)| v > *b) {
            best = Some((i, v));
        }
    }
    best.map_or(0, |(i, _)| i as u8)
}
