//! A generation miner's results on disk, from its commit to its reveal: a restarted miner
//! reveals the fingerprint it committed to, bit for bit. Recomputing it would not do: a
//! generation decoded in another batch sums in another order, and one value rounded to the
//! other side of a thousandth would no longer match the commitment, failing the reveal.
//! (Results of the other models are recomputed, which gives the same bytes.)

use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result};
use codec::{Decode, Encode};

use crate::chain::JobId;

/// One file per job assignment in a folder of its own per account and role.
#[derive(Clone, Debug)]
pub struct Results {
    dir: PathBuf,
}

/// What is kept: the committed output (the fingerprint) and the published draft, with the
/// assignment's seed and the job's input hash, so that a file left from another chain with
/// the same job ids is never taken for this one's.
#[derive(Encode, Decode)]
struct Kept {
    seed: [u8; 32],
    input_hash: [u8; 32],
    output: Vec<u8>,
    draft: Vec<u8>,
}

/// Which assignment a result is of: the job, its attempt, the seed drawn for it and the
/// input's hash.
#[derive(Clone, Copy, Debug)]
pub struct Assignment {
    /// The job.
    pub job: JobId,
    /// `Job::attempts` when it was computed.
    pub attempt: u8,
    /// The seed the chain drew for the assignment.
    pub seed: [u8; 32],
    /// The hash of the job's input.
    pub input_hash: [u8; 32],
}

impl Results {
    /// Opens (and creates) `dir`.
    pub fn open(dir: &Path) -> Result<Self> {
        std::fs::create_dir_all(dir).with_context(|| {
            format!(
                "cannot create the results folder {}: choose another with --state-dir",
                dir.display()
            )
        })?;
        Ok(Self {
            dir: dir.to_path_buf(),
        })
    }

    fn file(&self, job: JobId, attempt: u8) -> PathBuf {
        self.dir.join(format!("job-{job}-{attempt}.scale"))
    }

    /// Keeps the result of assignment `a`; written to a temporary file and renamed, so a
    /// crash never leaves half a result.
    pub fn save(&self, a: &Assignment, output: &[u8], draft: &[u8]) -> Result<()> {
        let path = self.file(a.job, a.attempt);
        let tmp = path.with_extension("tmp");
        let kept = Kept {
            seed: a.seed,
            input_hash: a.input_hash,
            output: output.to_vec(),
            draft: draft.to_vec(),
        };
        std::fs::write(&tmp, kept.encode())
            .and_then(|()| std::fs::rename(&tmp, &path))
            .with_context(|| format!("cannot write {}", path.display()))
    }

    /// The kept result of assignment `a`, if any: `(output, draft)`.
    pub fn load(&self, a: &Assignment) -> Option<(Vec<u8>, Vec<u8>)> {
        let bytes = std::fs::read(self.file(a.job, a.attempt)).ok()?;
        let kept = Kept::decode(&mut bytes.as_slice()).ok()?;
        (kept.seed == a.seed && kept.input_hash == a.input_hash)
            .then_some((kept.output, kept.draft))
    }

    /// Forgets every assignment of `job` (it ended, or is no longer this account's).
    pub fn forget(&self, job: JobId) {
        let prefix = format!("job-{job}-");
        if let Ok(entries) = std::fs::read_dir(&self.dir) {
            for entry in entries.flatten() {
                if entry.file_name().to_string_lossy().starts_with(&prefix) {
                    let _ = std::fs::remove_file(entry.path());
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_kept_result_survives_a_restart_and_is_forgotten_when_the_job_ends() {
        let dir = std::env::temp_dir().join(format!("verinfer-results-{}", std::process::id()));
        let results = Results::open(&dir.join("miner")).unwrap();
        let a = |job, attempt, seed| Assignment {
            job,
            attempt,
            seed: [seed; 32],
            input_hash: [1; 32],
        };
        results.save(&a(7, 0, 5), b"fingerprint", b"draft").unwrap();
        results.save(&a(7, 1, 6), b"again", b"other").unwrap();
        let reopened = Results::open(&dir.join("miner")).unwrap();
        assert_eq!(
            reopened.load(&a(7, 0, 5)),
            Some((b"fingerprint".to_vec(), b"draft".to_vec()))
        );
        assert_eq!(
            reopened.load(&a(7, 1, 6)),
            Some((b"again".to_vec(), b"other".to_vec()))
        );
        assert_eq!(reopened.load(&a(8, 0, 5)), None);
        assert_eq!(reopened.load(&a(7, 0, 9)), None, "another chain's job 7");
        reopened.forget(7);
        assert_eq!(reopened.load(&a(7, 0, 5)), None);
        assert_eq!(reopened.load(&a(7, 1, 6)), None);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
