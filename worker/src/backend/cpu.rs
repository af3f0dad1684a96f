//! The default backend: `burn-flex`, burn's portable CPU backend (SIMD kernels, rayon
//! threads, `gemm` for float matmul).

/// The CPU backend type (f32 floats, i32 ints).
pub type Cpu = burn_flex::Flex;

/// The CPU device (there is only one).
pub fn device() -> burn_flex::FlexDevice {
    burn_flex::FlexDevice
}
