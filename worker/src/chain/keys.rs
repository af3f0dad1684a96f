//! The worker's signing key: an sr25519 secret URI (a mnemonic, a 0x seed, or a dev seed
//! such as `//Alice`, each with optional `//hard` / `/soft` derivations), read from a file,
//! an environment variable or the command line.

use std::path::Path;
use std::str::FromStr;

use anyhow::{Context, Result};
use subxt::utils::AccountId32;
use subxt_signer::sr25519::Keypair;
use subxt_signer::SecretUri;
use verinfer_primitives::{JobId, Salt};

/// A signing key and the secret its salts are derived from.
#[derive(Clone)]
pub struct Key {
    pair: Keypair,
    salt_secret: [u8; 32],
}

impl Key {
    /// Parses a secret URI.
    pub fn from_uri(uri: &str) -> Result<Self> {
        let parsed = SecretUri::from_str(uri.trim())
            .map_err(|e| anyhow::anyhow!("not a valid secret URI ({e}): use a mnemonic, a 0x-prefixed 32-byte seed, or a dev seed like //Alice"))?;
        let pair = Keypair::from_uri(&parsed).map_err(|e| {
            anyhow::anyhow!("cannot derive an sr25519 key from that secret URI: {e}")
        })?;
        // Salts must be unpredictable to others and reproducible by this worker after a
        // restart (so it can still reveal what it committed): derive them from the secret.
        let salt_secret = sp_crypto_hashing::blake2_256(
            &[b"verinfer/salt-secret/v1".as_slice(), uri.trim().as_bytes()].concat(),
        );
        Ok(Self { pair, salt_secret })
    }

    /// Reads a secret URI from a file (its first line).
    pub fn from_file(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read the key file {}", path.display()))?;
        let line = text.lines().next().unwrap_or_default();
        Self::from_uri(line).with_context(|| format!("in key file {}", path.display()))
    }

    /// The sr25519 key pair.
    pub fn pair(&self) -> &Keypair {
        &self.pair
    }

    /// The account the key signs for.
    pub fn account(&self) -> AccountId32 {
        self.pair.public_key().to_account_id()
    }

    /// The account's raw 32 bytes, as the commitment encodes the committer.
    pub fn account_bytes(&self) -> [u8; 32] {
        self.pair.public_key().0
    }

    /// The salt for this key's commitment to `job` (one per job and role).
    pub fn salt(&self, job: JobId, role: &str) -> Salt {
        let mut data = Vec::with_capacity(64);
        data.extend_from_slice(&self.salt_secret);
        data.extend_from_slice(&job.to_le_bytes());
        data.extend_from_slice(role.as_bytes());
        sp_crypto_hashing::blake2_256(&data)
    }
}

/// The key options every chain role takes.
#[derive(clap::Args, Debug, Clone)]
pub struct KeyArgs {
    /// A file whose first line is the secret URI (mnemonic, 0x seed, or //Dev seed).
    #[arg(long, conflicts_with = "key")]
    pub key_file: Option<std::path::PathBuf>,
    /// The secret URI itself; prefer --key-file or the environment variable outside dev.
    #[arg(long, env = "VERINFER_WORKER_KEY", hide_env_values = true)]
    pub key: Option<String>,
}

impl KeyArgs {
    /// The key, or an error that says how to give one.
    pub fn load(&self) -> Result<Key> {
        match (&self.key_file, &self.key) {
            (Some(path), _) => Key::from_file(path),
            (None, Some(uri)) => Key::from_uri(uri),
            (None, None) => anyhow::bail!(
                "no signing key: pass --key-file <file>, set VERINFER_WORKER_KEY, or on a dev chain use --key //Bob"
            ),
        }
    }
}
