//! The worker library's error type. Every variant says what went wrong and what to do.

use std::path::PathBuf;

/// Errors from loading models and running inference.
#[derive(Debug, thiserror::Error)]
pub enum WorkerError {
    /// A model or data file is not where the worker looks for it.
    #[error("{path} is missing: run scripts/fetch-models.sh (or point --models-dir / VERINFER_MODELS_DIR at the folder that holds it)")]
    MissingFile { path: PathBuf },

    /// A file exists but cannot be read or parsed.
    #[error("cannot read {path}: {reason}. Re-run scripts/fetch-models.sh, which checks the pinned sha256")]
    BadFile { path: PathBuf, reason: String },

    /// burn-store could not apply the weights to the model's modules.
    #[error("loading weights from {path} failed: {reason}. The file must be the pinned one from scripts/fetch-models.sh")]
    Weights { path: PathBuf, reason: String },

    /// The caller asked for CUDA but this binary was built without it.
    #[error("CUDA was requested but this binary was built without it: rebuild with `cargo build -p verinfer-worker --features cuda`, or pass --device cpu")]
    CudaNotCompiled,

    /// The caller asked for CUDA but no usable driver or GPU was found at run time.
    #[error("CUDA was requested but is not usable on this machine: {reason}. Install the NVIDIA driver (libcuda.so) and make sure a GPU is visible (nvidia-smi), or pass --device cpu")]
    CudaUnavailable { reason: String },

    /// An input does not fit the model's input schema.
    #[error("invalid input: {0}")]
    InvalidInput(String),

    /// The backend returned data of an unexpected type or shape (a backend bug).
    #[error("the compute backend returned unexpected data: {0}. Try --device cpu and report the problem")]
    Backend(String),

    /// Post-training quantization could not represent a layer with the integer scheme.
    #[error("quantization failed: {0}")]
    Quantization(String),
}
