//! The float CNN as trained, in burn modules, loaded from the PyTorch checkpoint.

use std::path::Path;

use burn::module::Module;
use burn::nn::conv::{Conv2d, Conv2dConfig};
use burn::nn::{Linear, LinearConfig, PaddingConfig2d};
use burn::prelude::*;
use burn::tensor::activation::relu;
use burn::tensor::module::max_pool2d;
use burn_store::{ModuleSnapshot, PytorchStore};

use super::{DigitImage, FloatLogits, IMAGE_PIXELS, IMAGE_SIDE, NUM_CLASSES};
use crate::backend::to_f32s;
use crate::{InferenceModel, WorkerError};

/// The CNN's modules. Field names are ours; [`DigitsFloat::load`] maps the checkpoint's
/// `nn.Sequential` keys onto them.
#[derive(Module, Debug)]
pub struct DigitsCnn<B: Backend> {
    pub(super) conv1: Conv2d<B>,
    pub(super) conv2: Conv2d<B>,
    pub(super) conv3: Conv2d<B>,
    pub(super) fc1: Linear<B>,
    pub(super) fc2: Linear<B>,
}

/// Activations after each ReLU + pool stage, kept for quantization calibration.
pub(super) struct Activations<B: Backend> {
    /// After conv1/2/3 + ReLU + pool, NCHW.
    pub convs: [Tensor<B, 4>; 3],
    /// After fc1 + ReLU.
    pub fc1: Tensor<B, 2>,
    /// The logits.
    pub logits: Tensor<B, 2>,
}

impl<B: Backend> DigitsCnn<B> {
    fn new(device: &B::Device) -> Self {
        let conv = |i, o| {
            Conv2dConfig::new([i, o], [3, 3])
                .with_padding(PaddingConfig2d::Explicit(1, 1, 1, 1))
                .init(device)
        };
        Self {
            conv1: conv(1, 32),
            conv2: conv(32, 64),
            conv3: conv(64, 128),
            fc1: LinearConfig::new(128 * 3 * 3, 256).init(device),
            fc2: LinearConfig::new(256, NUM_CLASSES).init(device),
        }
    }

    pub(super) fn forward_all(&self, x: Tensor<B, 4>) -> Activations<B> {
        let stage = |conv: &Conv2d<B>, x| {
            max_pool2d(relu(conv.forward(x)), [2, 2], [2, 2], [0, 0], [1, 1], false)
        };
        let a1 = stage(&self.conv1, x);
        let a2 = stage(&self.conv2, a1.clone());
        let a3 = stage(&self.conv3, a2.clone());
        // Flattening NCHW in (c, h, w) order, as torch's `x.view(n, -1)` does.
        let flat = a3.clone().flatten::<2>(1, 3);
        let h = relu(self.fc1.forward(flat));
        let logits = self.fc2.forward(h.clone());
        Activations {
            convs: [a1, a2, a3],
            fc1: h,
            logits,
        }
    }
}

/// The float digits model on backend `B`.
#[derive(Debug)]
pub struct DigitsFloat<B: Backend> {
    pub(super) cnn: DigitsCnn<B>,
    pub(super) device: B::Device,
}

impl<B: Backend> DigitsFloat<B> {
    /// Loads `handwriting_model.pth` with burn-store's PyTorch reader.
    pub fn load(path: &Path, device: &B::Device) -> Result<Self, WorkerError> {
        if !path.is_file() {
            return Err(WorkerError::MissingFile {
                path: path.to_owned(),
            });
        }
        let mut cnn = DigitsCnn::new(device);
        // The checkpoint is an nn.Sequential pair: conv_layers.{0,3,6} (ReLU and pool sit at
        // the other indices) and fc_layers.{0,2}. Index renumbering is off so the explicit
        // renames below see the original indices.
        let mut store = PytorchStore::from_file(path)
            .map_indices_contiguous(false)
            .with_key_remapping(r"^conv_layers\.0\.", "conv1.")
            .with_key_remapping(r"^conv_layers\.3\.", "conv2.")
            .with_key_remapping(r"^conv_layers\.6\.", "conv3.")
            .with_key_remapping(r"^fc_layers\.0\.", "fc1.")
            .with_key_remapping(r"^fc_layers\.2\.", "fc2.");
        let result = cnn
            .load_from(&mut store)
            .map_err(|e| WorkerError::Weights {
                path: path.to_owned(),
                reason: e.to_string(),
            })?;
        if !result.errors.is_empty() || !result.missing.is_empty() || result.applied.len() != 10 {
            return Err(WorkerError::Weights {
                path: path.to_owned(),
                reason: format!(
                    "applied {} of 10 tensors; missing {:?}; errors {:?}",
                    result.applied.len(),
                    result.missing,
                    result.errors
                ),
            });
        }
        tracing::debug!(applied = result.applied.len(), "loaded digits CNN weights");
        Ok(Self {
            cnn,
            device: device.clone(),
        })
    }

    /// The normalised NCHW input batch.
    pub(super) fn input(&self, images: &[DigitImage]) -> Tensor<B, 4> {
        let data: Vec<f32> = images.iter().flat_map(DigitImage::normalised).collect();
        Tensor::<B, 1>::from_data(
            TensorData::new(data, [images.len() * IMAGE_PIXELS]),
            &self.device,
        )
        .reshape([images.len(), 1, IMAGE_SIDE, IMAGE_SIDE])
    }
}

impl<B: Backend> InferenceModel for DigitsFloat<B> {
    type Input = DigitImage;
    type Output = FloatLogits;

    fn run_batch(&self, inputs: &[DigitImage]) -> Result<Vec<FloatLogits>, WorkerError> {
        if inputs.is_empty() {
            return Ok(Vec::new());
        }
        let logits = self.cnn.forward_all(self.input(inputs)).logits;
        let values: Vec<f32> = to_f32s(logits)?;
        Ok(values
            .chunks_exact(NUM_CLASSES)
            .map(|c| FloatLogits(c.try_into().expect("chunks are NUM_CLASSES long")))
            .collect())
    }
}
