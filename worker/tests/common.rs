//! Shared by the integration tests: the CPU backend and the fetched model files.

use verinfer_worker::backend::cpu;
use verinfer_worker::models::ModelDir;

pub type B = cpu::Cpu;

/// The models folder; panics with the fix when the files are not there.
pub fn models(files: &[&str]) -> ModelDir {
    let dir = ModelDir::from_env_or_repo();
    if let Err(e) = dir.require(files) {
        panic!("{e}\n(the tests need the real models: run scripts/fetch-models.sh first)");
    }
    dir
}
