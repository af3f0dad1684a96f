//! The GPU backend: `burn-cuda` with `default-features = false`, so no autotune (kernel
//! choice would depend on timing, and results could differ from run to run) and no fusion.
//!
//! Building needs no CUDA toolkit: cudarc loads `libcuda` and `libnvrtc` when the program
//! first uses them, and panics if they are absent. [`ensure_available`] probes the driver
//! first so that the worker can fail with an explanation instead of a panic.

use std::panic;

use crate::WorkerError;

/// The CUDA backend type (f32 floats, i32 ints).
pub type Cuda = burn::backend::Cuda;

/// The first GPU.
pub fn device() -> burn::backend::cuda::CudaDevice {
    burn::backend::cuda::CudaDevice::default()
}

/// Checks that the CUDA driver library loads, initialises and sees at least one GPU.
pub fn ensure_available() -> Result<(), WorkerError> {
    // cudarc panics when libcuda cannot be loaded; the probe turns that into an error.
    // The default hook would print the panic as if it were a crash, so it is muted here.
    let hook = panic::take_hook();
    panic::set_hook(Box::new(|_| {}));
    let probe = panic::catch_unwind(|| -> Result<i32, String> {
        cudarc::driver::result::init().map_err(|e| format!("cuInit failed: {e:?}"))?;
        cudarc::driver::result::device::get_count()
            .map_err(|e| format!("cuDeviceGetCount failed: {e:?}"))
    });
    panic::set_hook(hook);
    match probe {
        Ok(Ok(n)) if n > 0 => Ok(()),
        Ok(Ok(_)) => Err(WorkerError::CudaUnavailable {
            reason: "the driver loaded but reports no GPU".into(),
        }),
        Ok(Err(reason)) => Err(WorkerError::CudaUnavailable { reason }),
        Err(_) => Err(WorkerError::CudaUnavailable {
            reason: "the CUDA driver library (libcuda.so) could not be loaded".into(),
        }),
    }
}
