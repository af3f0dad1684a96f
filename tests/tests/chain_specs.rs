//! The committed chain specs match what the runtime generates. Regenerate them with
//! `scripts/chain-specs.sh` after any runtime change.
//!
//! The genesis state is compared in full except for the runtime's Wasm blob (`:code`): that
//! build is not byte-reproducible across checkout directories (cargo's crate hashes include
//! path dependencies' locations), so comparing it would fail in every clone but the one
//! that generated it. Every genesis value the presets set is compared.

use std::process::Command;

use serde_json::Value;
use verinfer_e2e::{node_binary, repo_root};

fn export(chain: &str) -> anyhow::Result<Value> {
	let out = Command::new(node_binary())
		.args(["export-chain-spec", "--chain", chain, "--raw"])
		.output()?;
	anyhow::ensure!(
		out.status.success(),
		"export-chain-spec: {}",
		String::from_utf8_lossy(&out.stderr)
	);
	Ok(serde_json::from_slice(&out.stdout)?)
}

#[test]
fn committed_local_testnet_spec_matches_the_runtime() -> anyhow::Result<()> {
	let path = repo_root().join("chain-specs/local-testnet.raw.json");
	let mut committed: Value = serde_json::from_str(&std::fs::read_to_string(&path)?)?;
	let mut generated = export("local")?;
	// `:code`, hex-encoded.
	const CODE_KEY: &str = "0x3a636f6465";
	for spec in [&mut committed, &mut generated] {
		let top = spec["genesis"]["raw"]["top"].as_object_mut().expect("a raw spec");
		assert!(top.remove(CODE_KEY).is_some(), "a raw spec carries the runtime code");
	}
	assert!(
		committed == generated,
		"{} is stale: run scripts/chain-specs.sh and commit the result",
		path.display()
	);
	Ok(())
}

#[test]
fn chain_specs_advertise_the_inf_token() -> anyhow::Result<()> {
	for chain in ["dev", "local"] {
		let spec = export(chain)?;
		assert_eq!(spec["properties"]["tokenSymbol"], "INF", "{chain}");
		assert_eq!(spec["properties"]["tokenDecimals"], 12, "{chain}");
		assert_eq!(spec["properties"]["ss58Format"], 42, "{chain}");
	}
	Ok(())
}
