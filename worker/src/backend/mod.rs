//! Compute backends. The models are generic over burn's `Backend`; this module names the
//! concrete ones the worker ships and picks one at run time from `--device`.
//!
//! - [`cpu`]: `burn-flex`, always compiled, the default.
//! - `cuda`: `burn-cuda` without autotune or fusion, behind the `cuda` cargo feature.

pub mod cpu;
#[cfg(feature = "cuda")]
pub mod cuda;

use std::fmt;
use std::str::FromStr;

use burn::prelude::{Backend, Tensor};

use crate::WorkerError;

/// A float tensor's values as f32, row-major (a copy off the device).
pub fn to_f32s<B: Backend, const D: usize>(t: Tensor<B, D>) -> Result<Vec<f32>, WorkerError> {
    t.into_data()
        .convert::<f32>()
        .to_vec()
        .map_err(|e| WorkerError::Backend(format!("{e:?}")))
}

/// Where inference runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum DeviceKind {
    /// burn-flex on the host CPU.
    #[default]
    Cpu,
    /// burn-cuda on the first NVIDIA GPU.
    Cuda,
}

impl DeviceKind {
    /// Fails with a self-explaining error when this kind cannot run here: CUDA when the
    /// binary lacks the `cuda` feature, or when no driver or GPU is present.
    pub fn ensure_available(self) -> Result<(), WorkerError> {
        match self {
            DeviceKind::Cpu => Ok(()),
            #[cfg(feature = "cuda")]
            DeviceKind::Cuda => cuda::ensure_available(),
            #[cfg(not(feature = "cuda"))]
            DeviceKind::Cuda => Err(WorkerError::CudaNotCompiled),
        }
    }
}

impl FromStr for DeviceKind {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "cpu" => Ok(DeviceKind::Cpu),
            "cuda" | "gpu" => Ok(DeviceKind::Cuda),
            other => Err(format!("unknown device `{other}`: use `cpu` or `cuda`")),
        }
    }
}

impl fmt::Display for DeviceKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            DeviceKind::Cpu => "cpu",
            DeviceKind::Cuda => "cuda",
        })
    }
}

/// Runs `$body` with `$B` bound to the backend type and `$device` to its device, for the
/// [`DeviceKind`] given. Generic code stays generic; only this one place matches on the
/// kind, so a new backend is one more arm here.
#[macro_export]
macro_rules! with_backend {
    ($kind:expr, |$B:ident, $device:ident| $body:expr) => {{
        match $kind {
            $crate::backend::DeviceKind::Cpu => {
                type $B = $crate::backend::cpu::Cpu;
                let $device = $crate::backend::cpu::device();
                $body
            }
            #[cfg(feature = "cuda")]
            $crate::backend::DeviceKind::Cuda => {
                $crate::backend::DeviceKind::Cuda.ensure_available()?;
                type $B = $crate::backend::cuda::Cuda;
                let $device = $crate::backend::cuda::device();
                $body
            }
            #[cfg(not(feature = "cuda"))]
            $crate::backend::DeviceKind::Cuda => {
                return Err($crate::WorkerError::CudaNotCompiled.into());
            }
        }
    }};
}
