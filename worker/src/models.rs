//! Where the model files are. `scripts/fetch-models.sh` puts them, with pinned sha256,
//! into `.models/` at the repository root.

use std::path::{Path, PathBuf};

use crate::WorkerError;

/// Environment variable that overrides the models folder.
pub const MODELS_DIR_ENV: &str = "VERINFER_MODELS_DIR";

/// The file name extensions of weights files: PyTorch checkpoints, safetensors and GGUF.
pub const WEIGHTS_EXTENSIONS: [&str; 3] = ["pth", "safetensors", "gguf"];

/// The folder holding the fetched model files.
#[derive(Clone, Debug)]
pub struct ModelDir(PathBuf);

impl ModelDir {
    /// A given folder.
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self(dir.into())
    }

    /// `$VERINFER_MODELS_DIR`, else `.models/` at the root of the repository this crate was
    /// built from (right for development, tests and benches).
    pub fn from_env_or_repo() -> Self {
        match std::env::var_os(MODELS_DIR_ENV) {
            Some(dir) => Self(dir.into()),
            None => Self(
                Path::new(env!("CARGO_MANIFEST_DIR"))
                    .join("..")
                    .join(".models"),
            ),
        }
    }

    /// The folder.
    pub fn path(&self) -> &Path {
        &self.0
    }

    /// The digits CNN checkpoint.
    pub fn digits_weights(&self) -> PathBuf {
        self.0.join("handwriting_model.pth")
    }

    /// The sklearn digits data set.
    pub fn digits_data(&self) -> PathBuf {
        self.0.join("digits.csv.gz")
    }

    /// Every weights file in the folder (`.pth`, `.safetensors`, `.gguf`, not in
    /// subfolders) with its sha256, sorted by path: what the registry's `weights_hash`
    /// is matched against.
    pub fn weights_files(&self) -> Result<Vec<(PathBuf, [u8; 32])>, WorkerError> {
        let entries = std::fs::read_dir(&self.0).map_err(|_| WorkerError::MissingFile {
            path: self.0.clone(),
        })?;
        let mut paths: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| {
                p.is_file()
                    && p.extension().is_some_and(|e| {
                        WEIGHTS_EXTENSIONS
                            .iter()
                            .any(|w| e == std::ffi::OsStr::new(w))
                    })
            })
            .collect();
        paths.sort();
        paths
            .into_iter()
            .map(|p| {
                tracing::debug!("hashing {}", p.display());
                let hash = crate::engine::sha256_file(&p)?;
                Ok((p, hash))
            })
            .collect()
    }

    /// The weights file in the folder whose sha256 is `hash`.
    pub fn find_by_hash(&self, hash: &[u8; 32]) -> Result<Option<PathBuf>, WorkerError> {
        Ok(self
            .weights_files()?
            .into_iter()
            .find(|(_, h)| h == hash)
            .map(|(p, _)| p))
    }

    /// Fails with a message naming the fetch script when a file is missing.
    pub fn require(&self, files: &[&str]) -> Result<(), WorkerError> {
        for f in files {
            let path = self.0.join(f);
            if !path.is_file() {
                return Err(WorkerError::MissingFile { path });
            }
        }
        Ok(())
    }
}
