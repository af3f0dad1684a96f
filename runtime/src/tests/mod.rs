//! Tests of the whole runtime: the real pallets and configuration, on the state the
//! `development` preset builds, with blocks advanced through every pallet's hooks.

mod governance;

use crate::{
	genesis_config_presets, AllPalletsWithSystem, BlockNumber, Runtime, RuntimeGenesisConfig,
	RuntimeOrigin, System, Timestamp, SLOT_DURATION,
};
use codec::Encode;
use frame_support::assert_ok;
use frame_system::RunToBlockHooks;
use serde_json::Value;
use sp_runtime::{BuildStorage, Digest, DigestItem};

/// Merges the JSON patch `patch` into `base`, as the node does with a preset.
fn merge(base: &mut Value, patch: Value) {
	match (base, patch) {
		(Value::Object(base), Value::Object(patch)) => {
			for (key, value) in patch {
				merge(base.entry(key).or_insert(Value::Null), value);
			}
		},
		(base, patch) => *base = patch,
	}
}

/// The state a preset's genesis builds, at the start of block 1.
fn preset_ext(patch: Value) -> sp_io::TestExternalities {
	let mut config = serde_json::to_value(RuntimeGenesisConfig::default()).expect("serialises");
	merge(&mut config, patch);
	let config: RuntimeGenesisConfig =
		serde_json::from_value(config).expect("the preset is a valid genesis");
	let mut ext = sp_io::TestExternalities::new(config.build_storage().expect("genesis builds"));
	ext.execute_with(|| run_to_block(1));
	ext
}

/// The state of a new development chain, at the start of block 1.
pub fn dev_ext() -> sp_io::TestExternalities {
	preset_ext(genesis_config_presets::development_config_genesis())
}

/// The state of a new local testnet, at the start of block 1.
pub fn local_ext() -> sp_io::TestExternalities {
	preset_ext(genesis_config_presets::local_config_genesis())
}

/// Finishes the current block and runs the hooks of every block up to the start of `n`,
/// each with a BABE pre-digest (a secondary slot of the first authority) and a timestamp as
/// a block author would give it.
pub fn run_to_block(n: BlockNumber) {
	System::run_to_block_with::<AllPalletsWithSystem>(
		n,
		RunToBlockHooks::default()
			.before_initialize(|bn| {
				let slot = sp_consensus_babe::Slot::from(u64::from(bn));
				let pre_digest = sp_consensus_babe::digests::PreDigest::SecondaryPlain(
					sp_consensus_babe::digests::SecondaryPlainPreDigest {
						authority_index: 0,
						slot,
					},
				);
				let digest = Digest {
					logs: vec![DigestItem::PreRuntime(
						sp_consensus_babe::BABE_ENGINE_ID,
						pre_digest.encode(),
					)],
				};
				System::reset_events();
				// `run_to_block_with` already moved the number on; `initialize` moves it itself.
				System::set_block_number(bn - 1);
				System::initialize(&bn, &System::parent_hash(), &digest);
			})
			.after_initialize(|bn| {
				assert_ok!(Timestamp::set(RuntimeOrigin::none(), u64::from(bn) * SLOT_DURATION));
			}),
	);
}

/// Runs one more block.
pub fn next_block() {
	run_to_block(System::block_number() + 1);
}

#[test]
fn the_development_chain_starts() {
	dev_ext().execute_with(|| {
		assert_eq!(System::block_number(), 1);
		run_to_block(5);
		assert_eq!(System::block_number(), 5);
		let _ = Runtime::metadata();
	});
}
