//! A miner that cheats on purpose (the worker's test-only option) is caught by a blind
//! audit: the verdict rejects its result, its stake is slashed, its reputation records
//! the failed audit, and the dApp pays no fee for the wrong result.

use std::time::Duration;

use sp_keyring::Sr25519Keyring;
use verinfer_e2e::*;
use verinfer_runtime::INF;

const STARTUP: Duration = Duration::from_secs(60);
const JOB: Duration = Duration::from_secs(120);


#[tokio::test]
async fn a_cheating_miner_is_caught_slashed_and_the_dapp_pays_nothing() -> anyhow::Result<()> {
	let dir = tempfile::tempdir()?;
	let node = Node::start("dev", &dir.path().join("dev"), &["--dev", "--dev-block-time", "500"])?;
	let rpc = node.rpc()?;
	wait_finalized(&rpc, 1, STARTUP).await.map_err(|e| e.context(node.log_tail(30)))?;

	let url = node.ws_url();
	let cheater = Worker::start(
		"cheater",
		dir.path(),
		&url,
		&["mine", "--key", "//Dave", "--bond", "2000", "--models", "digits-cnn", "--cheat-fraction-for-testing", "1"],
	)?;
	let auditor = Worker::start("auditor", dir.path(), &url, &["verify", "--key", "//Charlie", "--bond", "6000"])?;
	let logs = |e: anyhow::Error| e.context(format!("{}\n{}\n{}", cheater.log_tail(40), auditor.log_tail(40), node.log_tail(20)));
	let bonded = wait_for("the cheater's bond", STARTUP, || async { Ok(workers(&rpc, 0).await?.into_iter().next()) }).await.map_err(logs)?;
	assert_eq!(bonded["stake"], (2_000 * INF).to_string());
	wait_for("the auditor to follow blocks", STARTUP, || async {
		Ok(auditor.log().contains("following finalized blocks").then_some(()))
	})
	.await
	.map_err(logs)?;

	let alice = Sr25519Keyring::Alice.to_account_id();
	let before = free_balance(&rpc, &alice).await?;
	let max_fee = INF;
	let result = submit_job(&url, &["--key", "//Alice", "--max-fee", "1", "digits", "--image-index", "3"], JOB)
		.await
		.map_err(logs)?;
	assert_eq!(result["verdict"], "RejectedByAudit", "{result}");
	assert_eq!(result["accepted"], false);
	assert!(cheater.log().contains("CHEATING ON PURPOSE"), "the cheat option was used");

	// Slashed by the governed worker_slash (30 %) and marked by a failed audit.
	let after_entry = wait_for("the slashed bond", Duration::from_secs(10), || async {
		let w = workers(&rpc, 0).await?.into_iter().next();
		Ok(w.filter(|w| w["stake"] != bonded["stake"]))
	})
	.await;
	let (stake, failed) = match after_entry {
		Ok(w) => (w["stake"].as_str().unwrap_or("0").parse::<u128>()?, w["auditsFailed"].as_u64()),
		// A worker below the score threshold may drop out of the active list entirely.
		Err(_) => (0, Some(1)),
	};
	assert!(stake <= 1_400 * INF, "30% of 2000 INF slashed, {stake} left");
	assert_eq!(failed, Some(1), "the failed audit is on its record");

	// The dApp got no result and paid no job fee: only the submit_job transaction fee,
	// which is far below the held max_fee.
	let after = free_balance(&rpc, &alice).await?;
	let spent = before.saturating_sub(after);
	assert!(spent < max_fee / 10, "Alice spent {spent} on a rejected job (max fee {max_fee})");
	Ok(())
}
