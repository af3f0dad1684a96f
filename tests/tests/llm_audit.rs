//! Generation audits end to end (`VerificationClass::Generation`, see
//! `verinfer_primitives::generation`), on a dev chain serving the tiny llama GGUF:
//!
//! - a miner that substitutes its tokens, and one that truncates its generation, are
//!   `RejectedByAudit` by a blind auditor that teacher-forces their published draft, each is
//!   slashed by exactly `worker_slash`, and the dApp pays no job fee;
//! - a lazy auditor, which reports on the public draft without running the model, cannot
//!   know the miner's fingerprint (revealed only after every auditor committed): it is
//!   outvoted by the two honest auditors and slashed by exactly `auditor_slash`;
//! - a miner killed between its commit and its reveal reveals, once restarted, the
//!   fingerprint it kept on disk, and its answer is `AcceptedByAudit`.

use std::time::Duration;

use sp_keyring::Sr25519Keyring::{Alice, Bob, Charlie, Dave, Eve, Ferdie};
use verinfer_e2e::*;
use verinfer_runtime::INF;

const STARTUP: Duration = Duration::from_secs(90);
const JOB: Duration = Duration::from_secs(180);
const MINER_BOND: u128 = 2_000 * INF;
const AUDITOR_BOND: u128 = 6_000 * INF;

/// A dev chain with the tiny llama registered and approved, and a models folder with it.
async fn chain_with_tiny_llama(
	dir: &std::path::Path,
) -> anyhow::Result<(Node, jsonrpsee::http_client::HttpClient, u32, String)> {
	let (node, rpc) = start_dev_node(dir).await?;
	let models = dir.join("models");
	std::fs::create_dir_all(&models)?;
	let tiny = models.join("tiny-llama.gguf");
	std::fs::copy(tiny_llama(), &tiny)?;
	let id = next_model_id();
	register_llm(&rpc, id, "tiny-llama", &tiny).await?;
	Ok((node, rpc, id, models.to_string_lossy().into_owned()))
}

/// A sampled generation job for tiny-llama, submitted by Alice with a max fee of 1 INF.
async fn generate(url: &str, prompt: &str) -> anyhow::Result<serde_json::Value> {
	submit_job(
		url,
		&[
			"--key",
			"//Alice",
			"--max-fee",
			"1",
			"generate",
			"--model",
			"tiny-llama",
			"--prompt",
			prompt,
			"--max-tokens",
			"24",
			"--temperature",
			"0.8",
		],
		JOB,
	)
	.await
}

/// Waits until `who`'s bond is below `bond`, and returns what is left.
async fn slashed(
	rpc: &jsonrpsee::http_client::HttpClient,
	who: &sp_runtime::AccountId32,
	bond: u128,
) -> anyhow::Result<u128> {
	let ledger = wait_for("the slash", Duration::from_secs(30), || async {
		Ok(stake_ledger(rpc, who).await?.filter(|l| l.active < bond))
	})
	.await?;
	Ok(ledger.active)
}

fn miner(
	dir: &std::path::Path,
	url: &str,
	models: &str,
	key: &str,
	cheat: &str,
) -> anyhow::Result<Worker> {
	Worker::start(
		&key.to_lowercase(),
		dir,
		url,
		&[
			"--models-dir",
			models,
			"mine",
			"--key",
			&format!("//{key}"),
			"--bond",
			"2000",
			"--cheat-fraction-for-testing",
			"1",
			"--cheat-kind-for-testing",
			cheat,
		],
	)
}

#[tokio::test]
async fn llm_miners_that_substitute_or_truncate_are_rejected_and_slashed() -> anyhow::Result<()> {
	let dir = tempfile::tempdir()?;
	let (node, rpc, model, models) = chain_with_tiny_llama(dir.path()).await?;
	let url = node.ws_url();
	let auditor = Worker::start(
		"auditor",
		dir.path(),
		&url,
		&["--models-dir", &models, "verify", "--key", "//Charlie", "--bond", "6000"],
	)?;
	let substituter = miner(dir.path(), &url, &models, "Dave", "substitute")?;
	let logs = |e: anyhow::Error, miner: &Worker| {
		e.context(format!(
			"{}\n{}\n{}",
			miner.log_tail(40),
			auditor.log_tail(40),
			node.log_tail(20)
		))
	};
	wait_on_duty(&rpc, &[(model, 1)], &[&auditor], STARTUP)
		.await
		.map_err(|e| logs(e, &substituter))?;
	let params = jobs_params(&rpc).await?;
	let alice = Alice.to_account_id();
	let before = free_balance(&rpc, &alice).await?;

	let result = generate(&url, "Substituted tokens are caught: ")
		.await
		.map_err(|e| logs(e, &substituter))?;
	assert_eq!(result["verdict"], "RejectedByAudit", "{result}");
	assert_eq!(result["audited"], true, "{result}");
	assert!(substituter.log().contains("CHEATING ON PURPOSE"), "the cheat option was used");
	let left = slashed(&rpc, &Dave.to_account_id(), MINER_BOND)
		.await
		.map_err(|e| logs(e, &substituter))?;
	assert_eq!(left, MINER_BOND - params.worker_slash * MINER_BOND, "exactly worker_slash");

	// The substituter's record now keeps it from new jobs: the next goes to the truncater.
	let truncater = miner(dir.path(), &url, &models, "Ferdie", "truncate")?;
	wait_on_duty(&rpc, &[(model, 2)], &[], STARTUP)
		.await
		.map_err(|e| logs(e, &truncater))?;
	let result = generate(&url, "A truncated generation is caught: ")
		.await
		.map_err(|e| logs(e, &truncater))?;
	assert_eq!(result["verdict"], "RejectedByAudit", "{result}");
	assert_eq!(result["worker"], Ferdie.to_account_id().to_string(), "{result}");
	assert!(truncater.log().contains("CHEATING ON PURPOSE"), "the cheat option was used");
	let left = slashed(&rpc, &Ferdie.to_account_id(), MINER_BOND)
		.await
		.map_err(|e| logs(e, &truncater))?;
	assert_eq!(left, MINER_BOND - params.worker_slash * MINER_BOND, "exactly worker_slash");

	// Neither rejected job cost Alice its fee: only two transactions' fees, far below it.
	let spent = before.saturating_sub(free_balance(&rpc, &alice).await?);
	assert!(spent < INF / 10, "Alice spent {spent} on two rejected jobs");
	let auditor_id = Charlie.to_account_id();
	assert_eq!(
		stake_ledger(&rpc, &auditor_id).await?.map(|l| l.active),
		Some(AUDITOR_BOND),
		"the honest auditor keeps its bond"
	);
	assert_eq!(reputation(&rpc, &auditor_id).await?.audits_passed, 2);
	Ok(())
}

#[tokio::test]
async fn a_lazy_llm_auditor_is_outvoted_and_slashed() -> anyhow::Result<()> {
	let dir = tempfile::tempdir()?;
	let (node, rpc, model, models) = chain_with_tiny_llama(dir.path()).await?;
	// Three auditors on every job.
	let params = three_auditors_per_job(&rpc).await?;
	let url = node.ws_url();
	let bond = (AUDITOR_BOND / INF).to_string();
	let miner = Worker::start(
		"miner",
		dir.path(),
		&url,
		&["--models-dir", &models, "mine", "--key", "//Bob", "--bond", "2000"],
	)?;
	let verifier = |name: &str, lazy: bool| {
		let key = format!("//{name}");
		let mut args = vec!["--models-dir", &models, "verify", "--key", &key, "--bond", &bond];
		if lazy {
			args.extend(["--cheat-fraction-for-testing", "1"]);
		}
		Worker::start(&name.to_lowercase(), dir.path(), &url, &args)
	};
	let honest = [verifier("Charlie", false)?, verifier("Dave", false)?];
	let lazy = verifier("Eve", true)?;
	let logs = |e: anyhow::Error| {
		let tails = [&miner, &honest[0], &honest[1], &lazy].map(|w| w.log_tail(25)).join("\n");
		e.context(format!("{tails}\n{}", node.log_tail(20)))
	};
	wait_on_duty(&rpc, &[(model, 1)], &[&honest[0], &honest[1], &lazy], STARTUP)
		.await
		.map_err(logs)?;

	let result = generate(&url, "Auditors must run the model: ").await.map_err(logs)?;
	assert_eq!(
		result["verdict"], "AcceptedByAudit",
		"two honest auditors outvote the lazy one: {result}"
	);
	assert!(lazy.log().contains("AUDITING LAZILY ON PURPOSE"), "{}", lazy.log_tail(20));
	let eve = Eve.to_account_id();
	let left = slashed(&rpc, &eve, AUDITOR_BOND).await.map_err(logs)?;
	assert_eq!(left, AUDITOR_BOND - params.auditor_slash * AUDITOR_BOND, "exactly auditor_slash");
	assert_eq!(reputation(&rpc, &eve).await?.audits_failed, 1);
	for who in [Charlie, Dave] {
		let id = who.to_account_id();
		assert_eq!(stake_ledger(&rpc, &id).await?.map(|l| l.active), Some(AUDITOR_BOND), "{who:?}");
		assert_eq!(reputation(&rpc, &id).await?.audits_passed, 1, "{who:?}");
	}
	let bob = Bob.to_account_id();
	assert_eq!(stake_ledger(&rpc, &bob).await?.map(|l| l.active), Some(MINER_BOND));
	Ok(())
}

#[tokio::test]
async fn a_restarted_llm_miner_reveals_the_result_it_kept() -> anyhow::Result<()> {
	let dir = tempfile::tempdir()?;
	let (node, rpc, model, models) = chain_with_tiny_llama(dir.path()).await?;
	let url = node.ws_url();
	// The auditor bonds, then goes away: the job waits for it in its audit window, between
	// the miner's commit and its reveal.
	let mut auditor = Worker::start(
		"auditor",
		dir.path(),
		&url,
		&["--models-dir", &models, "verify", "--key", "//Charlie", "--bond", "6000"],
	)?;
	let mut miner = Worker::start(
		"miner",
		dir.path(),
		&url,
		&["--models-dir", &models, "mine", "--key", "//Bob", "--bond", "2000"],
	)?;
	let tails = |miner: &Worker, auditor: &Worker| {
		format!("{}\n{}\n{}", miner.log_tail(40), auditor.log_tail(30), node.log_tail(20))
	};
	wait_on_duty(&rpc, &[(model, 1)], &[&auditor], STARTUP)
		.await
		.map_err(|e| e.context(tails(&miner, &auditor)))?;
	auditor.kill();

	let submit = tokio::spawn({
		let url = url.clone();
		async move { generate(&url, "A restart keeps its promise: ").await }
	});
	let committed = wait_for("the miner's commit", JOB, || async {
		let j = job(&rpc, 0).await?;
		Ok((j["status"] == "Auditing").then_some(j))
	})
	.await
	.map_err(|e| e.context(tails(&miner, &auditor)))?;
	assert_eq!(committed["worker"], Bob.to_account_id().to_string(), "{committed}");
	let kept = dir.path().join("worker-state");
	assert!(
		std::fs::read_dir(&kept)?
			.flatten()
			.any(|d| std::fs::read_dir(d.path()).is_ok_and(|mut f| f
				.any(|f| f.is_ok_and(|f| f.file_name().to_string_lossy().starts_with("job-0-"))))),
		"the miner kept job 0's result in {}",
		kept.display()
	);

	miner.restart()?;
	auditor.restart()?;
	let result = submit.await?.map_err(|e| e.context(tails(&miner, &auditor)))?;
	assert_eq!(result["verdict"], "AcceptedByAudit", "{result}\n{}", tails(&miner, &auditor));
	assert!(
		miner.log().contains("revealing the result kept from before a restart"),
		"{}",
		miner.log_tail(40)
	);
	let bob = Bob.to_account_id();
	assert_eq!(stake_ledger(&rpc, &bob).await?.map(|l| l.active), Some(MINER_BOND), "no slash");
	Ok(())
}
