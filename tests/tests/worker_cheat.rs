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
	let (node, rpc) = start_dev_node(dir.path()).await?;

	let url = node.ws_url();
	let cheater = Worker::start(
		"cheater",
		dir.path(),
		&url,
		&[
			"mine",
			"--key",
			"//Dave",
			"--bond",
			"2000",
			"--models",
			"digits-cnn",
			"--cheat-fraction-for-testing",
			"1",
		],
	)?;
	let auditor = Worker::start(
		"auditor",
		dir.path(),
		&url,
		&["verify", "--key", "//Charlie", "--bond", "6000"],
	)?;
	let logs = |e: anyhow::Error| {
		e.context(format!(
			"{}\n{}\n{}",
			cheater.log_tail(40),
			auditor.log_tail(40),
			node.log_tail(20)
		))
	};
	let bonded = wait_for("the cheater's bond", STARTUP, || async {
		Ok(workers(&rpc, 0).await?.into_iter().next())
	})
	.await
	.map_err(logs)?;
	assert_eq!(bonded["stake"], (2_000 * INF).to_string());
	wait_for("the auditor to follow blocks", STARTUP, || async {
		Ok(auditor.log().contains("following finalized blocks").then_some(()))
	})
	.await
	.map_err(logs)?;

	let alice = Sr25519Keyring::Alice.to_account_id();
	let before = free_balance(&rpc, &alice).await?;
	let max_fee = INF;
	let result = submit_job(
		&url,
		&["--key", "//Alice", "--max-fee", "1", "digits", "--image-index", "3"],
		JOB,
	)
	.await
	.map_err(logs)?;
	assert_eq!(result["verdict"], "RejectedByAudit", "{result}");
	assert_eq!(result["accepted"], false);
	assert!(cheater.log().contains("CHEATING ON PURPOSE"), "the cheat option was used");

	// Slashed by the governed worker_slash (30 %), the failed audit on its record, and a
	// reputation score below the selection threshold: no new jobs go to it.
	let dave = Sr25519Keyring::Dave.to_account_id();
	let params = jobs_params(&rpc).await?;
	let ledger = wait_for("the slashed bond", Duration::from_secs(20), || async {
		Ok(stake_ledger(&rpc, &dave).await?.filter(|l| l.active < 2_000 * INF))
	})
	.await
	.map_err(logs)?;
	assert_eq!(
		ledger.active,
		2_000 * INF - params.worker_slash * (2_000 * INF),
		"worker_slash of the bond"
	);
	let record = reputation(&rpc, &dave).await?;
	assert_eq!(record.audits_failed, 1, "the failed audit is on its record");
	let score = verinfer_primitives::reputation_score(&record);
	assert!(
		score < params.min_worker_score,
		"score {score} is below the threshold {}",
		params.min_worker_score
	);
	let listed = workers(&rpc, 0).await?;
	assert!(
		listed.iter().all(|w| w["score"].as_u64() == Some(u64::from(score))),
		"workers_list shows the cheater's score, which job assignment skips: {listed:?}"
	);

	// The dApp got no result and paid no job fee: only the submit_job transaction fee,
	// which is far below the held max_fee.
	let after = free_balance(&rpc, &alice).await?;
	let spent = before.saturating_sub(after);
	assert!(spent < max_fee / 10, "Alice spent {spent} on a rejected job (max fee {max_fee})");
	Ok(())
}
