//! Registering models for tests: an LLM of the `Llama` family from a GGUF file, approved
//! with sudo on a dev chain, and a models folder for workers that serves it beside the
//! shipped models.

use std::path::{Path, PathBuf};

use sp_keyring::Sr25519Keyring::{Alice, Bob};
use verinfer_runtime::RuntimeCall;

use crate::{repo_root, submit_and_include};

/// The tiny llama-architecture GGUF the worker's tests use (2 blocks, width 64, its own
/// vocabulary), made by `scripts/make_tiny_llama.py`.
pub fn tiny_llama() -> PathBuf {
	repo_root().join("worker/tests/fixtures/tiny-llama.gguf")
}

/// Registers `name` (as Bob) as a Llama-family GGUF model whose weights are `file`, on the
/// terms genesis proposes SmolLM2 with, and approves it with sudo (Alice). It takes model
/// id `id`.
pub async fn register_llm(
	rpc: &jsonrpsee::http_client::HttpClient,
	id: u32,
	name: &str,
	file: &Path,
) -> anyhow::Result<()> {
	let mut spec = verinfer_runtime::genesis_config_presets::proposed_models(Bob.to_account_id())
		.swap_remove(0)
		.1;
	spec.name = name
		.as_bytes()
		.to_vec()
		.try_into()
		.map_err(|_| anyhow::anyhow!("name too long"))?;
	spec.version = b"test".to_vec().try_into().map_err(|_| anyhow::anyhow!("version"))?;
	spec.weights_hash = sp_io::hashing::sha2_256(&std::fs::read(file)?);
	spec.weights_location =
		b"file:tests".to_vec().try_into().map_err(|_| anyhow::anyhow!("location"))?;
	submit_and_include(
		rpc,
		Bob,
		RuntimeCall::Models(pallet_models::Call::register_model { spec: Box::new(spec) }),
	)
	.await?;
	let approve = RuntimeCall::Models(pallet_models::Call::approve_model { model: id });
	submit_and_include(
		rpc,
		Alice,
		RuntimeCall::Sudo(pallet_sudo::Call::sudo { call: Box::new(approve) }),
	)
	.await?;
	Ok(())
}

/// A models folder in `dir` with the shipped model files (linked from
/// [`crate::models_dir`]) and a copy of `extra`.
pub fn models_folder_with(dir: &Path, extra: &[&Path]) -> anyhow::Result<PathBuf> {
	let folder = dir.join("models");
	std::fs::create_dir_all(&folder)?;
	for entry in std::fs::read_dir(crate::models_dir())? {
		let path = entry?.path();
		if let Some(name) = path.file_name() {
			std::os::unix::fs::symlink(&path, folder.join(name))?;
		}
	}
	for file in extra {
		if let Some(name) = file.file_name() {
			std::fs::copy(file, folder.join(name))?;
		}
	}
	Ok(folder)
}
