//! A lying auditor (the worker's test-only cheat option on `verify`) is outvoted: with three
//! blind auditors on every job, the two honest ones agree with the honest miner, so the
//! result is accepted, the liar is slashed by the governed `auditor_slash` and its record
//! shows the failed audit, and nobody honest loses anything.

use std::time::Duration;

use sp_keyring::Sr25519Keyring::{Bob, Charlie, Dave, Eve};
use verinfer_e2e::*;
use verinfer_runtime::INF;

const STARTUP: Duration = Duration::from_secs(60);
const JOB: Duration = Duration::from_secs(120);

const AUDITOR_BOND: u128 = 6_000 * INF;

#[tokio::test]
async fn a_lying_auditor_is_outvoted_and_slashed() -> anyhow::Result<()> {
	let dir = tempfile::tempdir()?;
	let (node, rpc) = start_dev_node(dir.path()).await?;

	// Three auditors on every job.
	let params = three_auditors_per_job(&rpc).await?;

	let url = node.ws_url();
	let bond = (AUDITOR_BOND / INF).to_string();
	let miner = Worker::start(
		"miner",
		dir.path(),
		&url,
		&["mine", "--key", "//Bob", "--bond", "2000", "--models", "digits-cnn"],
	)?;
	let honest: Vec<Worker> = ["Charlie", "Dave"]
		.iter()
		.map(|k| {
			Worker::start(
				&k.to_lowercase(),
				dir.path(),
				&url,
				&["verify", "--key", &format!("//{k}"), "--bond", &bond],
			)
		})
		.collect::<anyhow::Result<_>>()?;
	let liar = Worker::start(
		"liar",
		dir.path(),
		&url,
		&["verify", "--key", "//Eve", "--bond", &bond, "--cheat-fraction-for-testing", "1"],
	)?;
	let logs = |e: anyhow::Error| {
		let workers = [&miner, &honest[0], &honest[1], &liar].map(|w| w.log_tail(25)).join("\n");
		e.context(format!("{workers}\n{}", node.log_tail(20)))
	};
	wait_on_duty(&rpc, &[(0, 1)], &[&honest[0], &honest[1], &liar], STARTUP)
		.await
		.map_err(logs)?;
	assert_eq!(
		jobs_params(&rpc).await?.auditors_per_job,
		3,
		"the sudo call set three auditors per job"
	);

	let result = submit_job(&url, &["--key", "//Alice", "digits", "--image-index", "7"], JOB)
		.await
		.map_err(logs)?;
	assert_eq!(
		result["verdict"], "AcceptedByAudit",
		"two honest auditors outvote the liar: {result}"
	);
	assert_eq!(result["digit"], 7, "{result}");
	assert!(
		liar.log().contains("CHEATING ON PURPOSE"),
		"the liar used the cheat option:\n{}",
		liar.log_tail(20)
	);

	// The liar: `auditor_slash` of its bond, and the failed audit on its record.
	let eve = Eve.to_account_id();
	let expected = AUDITOR_BOND - params.auditor_slash * AUDITOR_BOND;
	let slashed = wait_for("the liar's slash", Duration::from_secs(20), || async {
		Ok(stake_ledger(&rpc, &eve).await?.filter(|l| l.active < AUDITOR_BOND))
	})
	.await
	.map_err(logs)?;
	assert_eq!(slashed.active, expected, "{:?} of the liar's bond slashed", params.auditor_slash);
	assert_eq!(reputation(&rpc, &eve).await?.audits_failed, 1);

	// The honest: bonds intact, the audit passed, the miner's job completed.
	for who in [Charlie, Dave] {
		let id = who.to_account_id();
		assert_eq!(
			stake_ledger(&rpc, &id).await?.map(|l| l.active),
			Some(AUDITOR_BOND),
			"{who:?} keeps its bond"
		);
		let record = reputation(&rpc, &id).await?;
		assert_eq!((record.audits_passed, record.audits_failed), (1, 0), "{who:?}'s record");
	}
	let bob: sp_runtime::AccountId32 = Bob.to_account_id();
	assert_eq!(
		stake_ledger(&rpc, &bob).await?.map(|l| l.active),
		Some(2_000 * INF),
		"the honest miner keeps its bond"
	);
	let record = reputation(&rpc, &bob).await?;
	assert_eq!((record.jobs_completed, record.audits_failed), (1, 0));
	Ok(())
}
