//! Local inference, without a chain: what `verinfer-worker infer`, `accuracy`,
//! `calibrate-digits`, `time-minilm` and `compare-devices` do. The chain roles load the
//! digits model through the same functions (`engine.rs`).

use burn::prelude::*;

use crate::digits::{self, DigitsFloat, DigitsInt, LabelledDigit, QuantizedDigits};
use crate::minilm::MiniLm;
use crate::models::ModelDir;
use crate::{InferenceModel, WorkerError};

/// Images used to calibrate activation scales: the first 512 of the 1,797.
pub const CALIBRATION_IMAGES: usize = 512;
/// Quantile of each stage's activations that maps to 127.
pub const CALIBRATION_QUANTILE: f64 = 0.9999;

/// The float digits model (`handwriting_model.pth`).
pub fn load_digits_float<B: Backend>(
    models: &ModelDir,
    device: &B::Device,
) -> Result<DigitsFloat<B>, WorkerError> {
    DigitsFloat::load(&models.digits_weights(), device)
}

/// The labelled sklearn digits, upscaled to 28×28.
pub fn load_digits_data(models: &ModelDir) -> Result<Vec<LabelledDigit>, WorkerError> {
    digits::load_sklearn_digits(&models.digits_data())
}

/// The registered integer model: the float checkpoint quantized with the pinned scales.
pub fn load_digits_int<B: Backend>(
    models: &ModelDir,
    device: &B::Device,
) -> Result<DigitsInt<B>, WorkerError> {
    digits_int_from_file(&models.digits_weights(), device)
}

/// The integer digits model from a checkpoint file of the digits CNN's architecture,
/// quantized with the pinned activation scales.
pub fn digits_int_from_file<B: Backend>(
    path: &std::path::Path,
    device: &B::Device,
) -> Result<DigitsInt<B>, WorkerError> {
    let float = DigitsFloat::<B>::load(path, device)?;
    let q = QuantizedDigits::from_float(&float, &digits::PINNED_ACTIVATION_SCALES)?;
    Ok(DigitsInt::new(&q, device))
}

/// Recomputes the activation scales from the data; `calibrate-digits` prints them to pin in
/// `digits/quant.rs`.
pub fn calibrate_digits<B: Backend>(
    models: &ModelDir,
    device: &B::Device,
) -> Result<digits::ActivationScales, WorkerError> {
    let float = load_digits_float::<B>(models, device)?;
    let data = load_digits_data(models)?;
    let images: Vec<_> = data
        .iter()
        .take(CALIBRATION_IMAGES)
        .map(|d| d.image.clone())
        .collect();
    digits::calibrate(&float, &images, CALIBRATION_QUANTILE)
}

/// Accuracy of both digits models over the whole data set.
#[derive(Clone, Debug)]
pub struct DigitsAccuracy {
    /// Images evaluated.
    pub total: usize,
    /// Correct predictions of the float model.
    pub float_correct: usize,
    /// Correct predictions of the integer model.
    pub int_correct: usize,
    /// Images where the two models predict different digits.
    pub disagreements: usize,
    /// The integer model's digest.
    pub int_digest: [u8; 32],
}

impl DigitsAccuracy {
    /// Float accuracy in percent.
    pub fn float_percent(&self) -> f64 {
        100.0 * self.float_correct as f64 / self.total as f64
    }

    /// Integer accuracy in percent.
    pub fn int_percent(&self) -> f64 {
        100.0 * self.int_correct as f64 / self.total as f64
    }
}

/// Runs both digits models over all 1,797 sklearn digits, `batch` images at a time.
pub fn digits_accuracy<B: Backend>(
    models: &ModelDir,
    device: &B::Device,
    batch: usize,
) -> Result<DigitsAccuracy, WorkerError> {
    let float = load_digits_float::<B>(models, device)?;
    let q = QuantizedDigits::from_float(&float, &digits::PINNED_ACTIVATION_SCALES)?;
    let int = DigitsInt::<B>::new(&q, device);
    let data = load_digits_data(models)?;
    let mut acc = DigitsAccuracy {
        total: data.len(),
        float_correct: 0,
        int_correct: 0,
        disagreements: 0,
        int_digest: int.digest(),
    };
    for chunk in data.chunks(batch.max(1)) {
        let images: Vec<_> = chunk.iter().map(|d| d.image.clone()).collect();
        let f = float.run_batch(&images)?;
        let i = int.run_batch(&images)?;
        for ((d, f), i) in chunk.iter().zip(&f).zip(&i) {
            acc.float_correct += usize::from(f.predicted() == d.label);
            acc.int_correct += usize::from(i.predicted() == d.label);
            acc.disagreements += usize::from(f.predicted() != i.predicted());
        }
    }
    Ok(acc)
}

/// Embeds texts with all-MiniLM-L6-v2.
pub fn embed_texts<B: Backend>(
    models: &ModelDir,
    device: &B::Device,
    texts: &[String],
) -> Result<Vec<crate::minilm::Embedding>, WorkerError> {
    models.require(&["model.safetensors", "vocab.txt"])?;
    MiniLm::<B>::load(models.path(), device)?.run_batch(texts)
}

/// Mean seconds per `run_batch` call for MiniLM at each batch size, over at least 5 calls
/// and at least `min_seconds` (after one warm-up call). Inputs cycle through `texts`. The time includes
/// tokenization and copying the result back to the host, as a miner would see it.
pub fn time_minilm<B: Backend>(
    models: &ModelDir,
    device: &B::Device,
    texts: &[String],
    batches: &[usize],
    min_seconds: f64,
) -> Result<Vec<(usize, f64)>, WorkerError> {
    let model = MiniLm::<B>::load(models.path(), device)?;
    let mut out = Vec::new();
    for &b in batches {
        let batch: Vec<String> = texts.iter().cycle().take(b).cloned().collect();
        model.run_batch(&batch)?;
        let (mut calls, start) = (0u32, std::time::Instant::now());
        while calls < 5 || start.elapsed().as_secs_f64() < min_seconds {
            model.run_batch(&batch)?;
            calls += 1;
        }
        out.push((b, start.elapsed().as_secs_f64() / f64::from(calls)));
    }
    Ok(out)
}

/// How far the CUDA backend's results are from the CPU backend's.
#[derive(Clone, Debug)]
pub struct DeviceDivergence {
    /// Sentences compared.
    pub sentences: usize,
    /// Largest element-wise |cpu − cuda| over all MiniLM embeddings.
    pub minilm_max_abs_diff: f32,
    /// Smallest cosine between a CPU and a CUDA embedding.
    pub minilm_min_cosine: f64,
    /// Digits images compared.
    pub digit_images: usize,
    /// Images whose integer logits differ between the backends (must be 0: class Exact).
    pub digits_int_mismatches: usize,
}

/// Runs MiniLM (one sentence at a time and as one batch) and the integer digits model on
/// both the CPU and the GPU, and measures the difference. This is the measurement that
/// governance sets the `Tolerance` bound from.
#[cfg(feature = "cuda")]
pub fn compare_cpu_cuda(
    models: &ModelDir,
    texts: &[String],
    digit_images: usize,
) -> Result<DeviceDivergence, WorkerError> {
    use crate::backend::{cpu, cuda};
    crate::DeviceKind::Cuda.ensure_available()?;
    let cpu_model = MiniLm::<cpu::Cpu>::load(models.path(), &cpu::device())?;
    let gpu_model = MiniLm::<cuda::Cuda>::load(models.path(), &cuda::device())?;
    let mut max_abs = 0f32;
    let mut min_cos = 1f64;
    let cpu_batch = cpu_model.run_batch(texts)?;
    let gpu_batch = gpu_model.run_batch(texts)?;
    for (i, t) in texts.iter().enumerate() {
        let c = cpu_model.run(t.clone())?;
        let g = gpu_model.run(t.clone())?;
        for (a, b) in [
            (&c, &g),
            (&c, &gpu_batch[i]),
            (&cpu_batch[i], &gpu_batch[i]),
        ] {
            max_abs = max_abs.max(a.max_abs_diff(&b.0));
            min_cos = min_cos.min(a.cosine(&b.0));
        }
    }

    let data = load_digits_data(models)?;
    let images: Vec<_> = data
        .iter()
        .take(digit_images)
        .map(|d| d.image.clone())
        .collect();
    let cpu_int = load_digits_int::<cpu::Cpu>(models, &cpu::device())?.run_batch(&images)?;
    let gpu_int = load_digits_int::<cuda::Cuda>(models, &cuda::device())?.run_batch(&images)?;
    let mismatches = cpu_int.iter().zip(&gpu_int).filter(|(a, b)| a != b).count();
    Ok(DeviceDivergence {
        sentences: texts.len(),
        minilm_max_abs_diff: max_abs,
        minilm_min_cosine: min_cos,
        digit_images: images.len(),
        digits_int_mismatches: mismatches,
    })
}

/// Without the `cuda` feature there is nothing to compare against.
#[cfg(not(feature = "cuda"))]
pub fn compare_cpu_cuda(
    _models: &ModelDir,
    _texts: &[String],
    _digit_images: usize,
) -> Result<DeviceDivergence, WorkerError> {
    Err(WorkerError::CudaNotCompiled)
}
