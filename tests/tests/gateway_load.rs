//! A load measurement of the gateway, not a pass/fail test (ignored by the test command;
//! `scripts/bench-gateway.sh` runs it): an open-loop burst of `GATEWAY_LOAD_N` requests (64
//! by default) sent at once by the OpenAI SDK's async client through one gateway, in `fast`
//! then `verified` mode, for MiniLM embeddings and tiny-llama chat. Prints one JSON line per
//! burst: requests answered, failures by status, throughput and latency percentiles.

use std::process::Command;

use serde_json::Value;
use verinfer_e2e::*;

#[tokio::test]
#[ignore = "a benchmark: run scripts/bench-gateway.sh"]
async fn gateway_under_an_open_loop_burst() -> anyhow::Result<()> {
	let n: usize = std::env::var("GATEWAY_LOAD_N").ok().and_then(|v| v.parse().ok()).unwrap_or(64);
	let dir = tempfile::tempdir()?;
	let net = ServingNet::start(dir.path()).await?;
	let url = net.node.ws_url();
	let (gateway, base) = start_gateway(
		"gateway",
		dir.path(),
		&url,
		&["--key", "//Dave", "--api-token", TOKEN, "--timeout", "600"],
	)?;
	net.wait_on_duty().await.map_err(|e| e.context(net.logs()))?;
	wait_up(&base, &gateway).await?;
	for (model, kind) in [("all-MiniLM-L6-v2", "embeddings"), ("tiny-llama", "chat")] {
		let out = Command::new(python())
			.arg(repo_root().join("tests/clients/openai_load.py"))
			.args([&format!("{base}/v1"), TOKEN, model, kind, &n.to_string()])
			.output()?;
		anyhow::ensure!(
			out.status.success(),
			"the load script failed:\n{}\n{}",
			String::from_utf8_lossy(&out.stderr),
			gateway.log_tail(30)
		);
		let bursts: Value = serde_json::from_slice(&out.stdout)?;
		for b in bursts.as_array().into_iter().flatten() {
			println!("gateway load: {model} {b}");
			assert_eq!(
				b["answered"].as_u64(),
				Some(n as u64),
				"every request answered: {b}\n{}",
				gateway.warnings(20)
			);
		}
	}
	Ok(())
}
