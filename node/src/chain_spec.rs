//! The chain specs this node knows by name: `dev` and `local`.

use sc_service::ChainType;
use verinfer_runtime::{SS58_PREFIX, TOKEN_DECIMALS, TOKEN_SYMBOL, WASM_BINARY};

/// The node's chain spec type.
pub type ChainSpec = sc_service::GenericChainSpec;

/// What wallets read to show balances: the token's symbol, decimals and address format.
fn properties() -> sc_chain_spec::Properties {
	let mut properties = sc_chain_spec::Properties::new();
	properties.insert("tokenSymbol".into(), TOKEN_SYMBOL.into());
	properties.insert("tokenDecimals".into(), TOKEN_DECIMALS.into());
	properties.insert("ss58Format".into(), SS58_PREFIX.into());
	properties
}

fn wasm() -> Result<&'static [u8], String> {
	WASM_BINARY.ok_or_else(|| {
		"the runtime's Wasm binary is missing: rebuild the node without SKIP_WASM_BUILD set"
			.to_string()
	})
}

/// The one-validator development chain (Alice), sealed instantly by the node.
pub fn development_chain_spec() -> Result<ChainSpec, String> {
	Ok(ChainSpec::builder(wasm()?, None)
		.with_name("verinfer development")
		.with_id("verinfer_dev")
		.with_protocol_id("verinfer-dev")
		.with_chain_type(ChainType::Development)
		.with_properties(properties())
		.with_genesis_config_preset_name(sp_genesis_builder::DEV_RUNTIME_PRESET)
		.build())
}

/// The four-validator local testnet (Alice, Bob, Charlie, Dave) with BABE and GRANDPA.
pub fn local_chain_spec() -> Result<ChainSpec, String> {
	Ok(ChainSpec::builder(wasm()?, None)
		.with_name("verinfer local testnet")
		.with_id("verinfer_local_testnet")
		.with_protocol_id("verinfer-local")
		.with_chain_type(ChainType::Local)
		.with_properties(properties())
		.with_genesis_config_preset_name(sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET)
		.build())
}
