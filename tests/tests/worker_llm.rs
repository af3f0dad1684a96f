//! A new LLM is a registry entry, not new code: a tiny llama-architecture GGUF with its own
//! sizes, weights and vocabulary (`worker/tests/fixtures/tiny-llama.gguf`, made by
//! `scripts/make_tiny_llama.py`) is registered on a dev chain and approved with sudo. A miner
//! and a blind auditor, whose models folder holds that file and nothing else, find it by
//! the registry's sha256, build it as the registry's `Llama` family, and serve it: greedy
//! and sampled jobs come back `AcceptedByAudit`, with the tokens that `infer generate` gives
//! for the same registry name and the sampling seed that the chain drew for the job. A second entry whose file is not a GGUF the family can run is
//! refused at start-up with the reason, and the worker serves the rest.

use std::time::Duration;

use verinfer_e2e::*;

const STARTUP: Duration = Duration::from_secs(90);
const JOB: Duration = Duration::from_secs(180);
const LOCAL: Duration = Duration::from_secs(60);

/// `verinfer-worker infer generate` on tiny-llama, resolved through the chain's registry.
async fn infer_generate(
	models: &str,
	url: &str,
	extra: &[&str],
) -> anyhow::Result<serde_json::Value> {
	let mut args =
		vec!["--models-dir", models, "infer", "generate", "--url", url, "--model", "tiny-llama"];
	args.extend_from_slice(extra);
	worker_json(&args, LOCAL).await
}

fn ids(v: &serde_json::Value) -> Vec<u64> {
	v["ids"]
		.as_array()
		.map(|a| a.iter().filter_map(|x| x.as_u64()).collect())
		.unwrap_or_default()
}

#[tokio::test]
async fn a_registered_tiny_llama_is_mined_and_audited_with_no_code_of_its_own() -> anyhow::Result<()>
{
	let dir = tempfile::tempdir()?;
	let (node, rpc) = start_dev_node(dir.path()).await?;
	let models = dir.path().join("models");
	std::fs::create_dir_all(&models)?;
	let tiny = models.join("tiny-llama.gguf");
	std::fs::copy(tiny_llama(), &tiny)?;
	// GGUF's magic and then nothing a Llama can be built from.
	let broken = models.join("broken.gguf");
	std::fs::write(&broken, b"GGUF\x03\x00\x00\x00 this is not a model")?;

	let tiny_id = next_model_id();
	register_llm(&rpc, tiny_id, "tiny-llama", &tiny).await?;
	register_llm(&rpc, tiny_id + 1, "broken-llm", &broken).await?;

	let url = node.ws_url();
	let models_arg = models.to_string_lossy().into_owned();
	let miner = Worker::start(
		"miner",
		dir.path(),
		&url,
		&["--models-dir", &models_arg, "mine", "--key", "//Bob", "--bond", "2000"],
	)?;
	let auditor = Worker::start(
		"auditor",
		dir.path(),
		&url,
		&["--models-dir", &models_arg, "verify", "--key", "//Charlie", "--bond", "6000"],
	)?;
	let logs = |e: anyhow::Error| {
		e.context(format!(
			"{}\n{}\n{}",
			miner.log_tail(40),
			auditor.log_tail(40),
			node.log_tail(20)
		))
	};
	wait_on_duty(&rpc, &[(tiny_id, 1)], &[&auditor], STARTUP).await.map_err(logs)?;

	// The broken file is refused with the reason, not served, and nothing panicked.
	let log = miner.log();
	assert!(
		log.lines()
			.any(|l| l.contains("refusing broken-llm") && l.contains("broken.gguf")),
		"the miner says why it cannot run broken-llm:\n{log}"
	);
	let served = workers(&rpc, tiny_id + 1).await?;
	assert!(served.is_empty(), "nobody serves the broken model: {served:?}");
	assert!(!log.contains("panicked"), "{log}");

	// Greedy, and the same tokens as `infer generate` resolving the registry name.
	let prompt = "The chain asks for proof: ";
	let mined = submit_job(
		&url,
		&[
			"--key",
			"//Alice",
			"generate",
			"--model",
			"tiny-llama",
			"--prompt",
			prompt,
			"--max-tokens",
			"24",
		],
		JOB,
	)
	.await
	.map_err(logs)?;
	assert_eq!(mined["status"], "Finalized", "{mined}");
	assert_eq!(mined["verdict"], "AcceptedByAudit", "the auditor re-ran it and agreed: {mined}");
	assert_eq!(mined["audited"], true, "{mined}");
	let local =
		infer_generate(&models_arg, &url, &["--prompt", prompt, "--max-tokens", "24"]).await?;
	assert!(!ids(&mined).is_empty(), "{mined}");
	assert_eq!(
		ids(&mined),
		ids(&local),
		"the chain's result is what infer generates: {mined} {local}"
	);
	assert_eq!(mined["text"], local["text"]);
	assert_eq!(mined["finish"], local["finish"]);
	let finish = mined["finish"].as_str().unwrap_or_default();
	assert!(finish == "eos" || finish == "length", "{mined}");
	if finish == "length" {
		assert_eq!(ids(&mined).len(), 24, "{mined}");
	}

	// Sampled chat, with the seed the chain drew at assignment: replayable, so the auditor
	// agrees, and infer gives the same tokens from the seed that jobs_getJob shows.
	let sampled =
		["--max-tokens", "32", "--temperature", "0.9", "--top-k", "40", "--top-p", "0.95"];
	let mut args = vec!["--key", "//Alice", "chat", "Say something.", "--model", "tiny-llama"];
	args.extend(sampled);
	let chat = submit_job(&url, &args, JOB).await.map_err(logs)?;
	assert_eq!(chat["verdict"], "AcceptedByAudit", "{chat}");
	let seed = chat["seed"].as_str().unwrap_or_default().to_owned();
	let on_chain = job(&rpc, chat["job"].as_u64().unwrap_or_default()).await?;
	assert_eq!(on_chain["seed"], format!("0x{seed}"), "jobs_getJob shows the seed: {on_chain}");
	assert_ne!(seed, "0".repeat(64), "the chain drew a seed: {chat}");
	let mut args = vec!["--chat", "Say something.", "--seed", &seed];
	args.extend(sampled);
	let local = infer_generate(&models_arg, &url, &args).await?;
	assert_eq!(ids(&chat), ids(&local), "{chat} {local}");
	assert_eq!(
		chat["prompt_tokens"].as_u64(),
		local["prompt_ids"].as_array().map(|a| a.len() as u64)
	);

	// The miner counts its LLM jobs under the registry name.
	let page = metrics(miner.prometheus_port)?;
	assert!(
		page.contains("verinfer_worker_inference_seconds_count{model=\"tiny-llama\"}"),
		"{page}"
	);
	Ok(())
}
