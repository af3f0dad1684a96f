//! The commitment format: the one definition that the `Jobs` pallet checks and that
//! `verinfer-worker` computes.
//!
//! A worker (or an auditor) first publishes only a commitment to its result, and reveals
//! the result and the salt later. The commitment is
//!
//! ```text
//! blake2_256( SCALE( COMMITMENT_DOMAIN, job, committer, model_hash, input_hash, output, salt ) )
//! ```
//!
//! - The domain separates verinfer commitments from every other blake2 hash.
//! - `committer` binds the commitment to whoever sends it, so an auditor cannot copy a
//!   worker's commitment (or another auditor's) and claim it as its own.
//! - `model_hash` (the weights' sha256) and `input_hash` bind it to what was computed.
//! - `output` is the canonical output (see [`crate::TensorSchema`]): the exact bytes that
//!   are later revealed.
//! - `salt` is 32 random bytes that keep a small output space (ten digit classes) from
//!   being brute-forced from the commitment before the reveal.
//!
//! SCALE puts a compact length before `output`, so no two field lists encode alike.

use codec::Encode;

/// Separates verinfer result commitments from any other hashed data. Bump the version if
/// the format ever changes.
pub const COMMITMENT_DOMAIN: &[u8; 22] = b"verinfer/commitment/v1";

/// A job's index, assigned in submission order.
pub type JobId = u64;

/// A commitment to a result.
pub type Commitment = [u8; 32];

/// The secret random bytes mixed into a commitment.
pub type Salt = [u8; 32];

/// The hash of a job's input, as committed to and as stored by the `Jobs` pallet.
pub fn input_hash(input: &[u8]) -> [u8; 32] {
	sp_crypto_hashing::blake2_256(input)
}

/// The commitment of `committer` to `output` for `job`.
pub fn commitment<AccountId: Encode>(
	job: JobId,
	committer: &AccountId,
	model_hash: &[u8; 32],
	input_hash: &[u8; 32],
	output: &[u8],
	salt: &Salt,
) -> Commitment {
	(COMMITMENT_DOMAIN, job, committer, model_hash, input_hash, output, salt)
		.using_encoded(sp_crypto_hashing::blake2_256)
}

#[cfg(test)]
mod tests {
	use super::*;

	/// The test vector that the worker's tests check too: change it only with the format.
	#[test]
	fn commitment_test_vector() {
		let committer = [7u8; 32];
		let model_hash = [1u8; 32];
		let input = b"verinfer";
		let output = [0u8, 1, 2, 3, 250, 255];
		let salt = [9u8; 32];
		let c = commitment(42, &committer, &model_hash, &input_hash(input), &output, &salt);
		assert_eq!(
			hex(&input_hash(input)),
			"88b844f0718a0610ddec3e69df1fcd1d0ea5c27946f885e6b0f7d9c456e68b8b",
			"input hash vector"
		);
		// Computed independently: blake2b-256 over the SCALE bytes laid out by hand in Python.
		assert_eq!(hex(&c), "d87e8ccd16b1d71fb978394a89902df0ab1331e35abb24d8976618b3d3d218f2");
	}

	#[test]
	fn every_field_changes_the_commitment() {
		let base = commitment(1, &[1u8; 32], &[2; 32], &[3; 32], b"out", &[4; 32]);
		assert_ne!(base, commitment(2, &[1u8; 32], &[2; 32], &[3; 32], b"out", &[4; 32]));
		assert_ne!(base, commitment(1, &[9u8; 32], &[2; 32], &[3; 32], b"out", &[4; 32]));
		assert_ne!(base, commitment(1, &[1u8; 32], &[9; 32], &[3; 32], b"out", &[4; 32]));
		assert_ne!(base, commitment(1, &[1u8; 32], &[2; 32], &[9; 32], b"out", &[4; 32]));
		assert_ne!(base, commitment(1, &[1u8; 32], &[2; 32], &[3; 32], b"ou", &[4; 32]));
		assert_ne!(base, commitment(1, &[1u8; 32], &[2; 32], &[3; 32], b"out", &[9; 32]));
	}

	fn hex(bytes: &[u8]) -> alloc::string::String {
		bytes.iter().map(|b| alloc::format!("{b:02x}")).collect()
	}
}
