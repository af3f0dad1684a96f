//! An honest network under a stream of jobs: four validators (`--chain local`, the
//! committed raw spec, production parameters), two miners (one per model), an auditor next
//! to each validator, and three dApp accounts submitting jobs of both models.
//!
//! - every job reaches a final, accepted result;
//! - the audited share is within a statistical bound of the audit probability;
//! - every account's balance change, from the block before the first job to the block
//!   after the last, equals what the jobs' fee splits (`verinfer_primitives::split_fee`),
//!   the transaction fees and the reward emission say, to the last unit;
//! - total issuance changes by exactly the emission minted minus the transaction fees
//!   burned, and nothing is slashed.
//!
//! `VERINFER_HONEST_JOBS` sets the number of jobs (24 by default, so that the test command
//! stays short); `scripts/honest-network.sh` runs it with 200.

use std::time::Duration;

use jsonrpsee::http_client::HttpClient;
use sp_keyring::Sr25519Keyring::{self, *};
use sp_runtime::Perbill;
use verinfer_e2e::*;
use verinfer_primitives::{audit_probability, Reputation};
use verinfer_runtime::{AccountId, Balance, RuntimeCall, INF};

const STARTUP: Duration = Duration::from_secs(120);
const AUDITOR_BOND: &str = "6000";
const MINER_BOND: Balance = 2_000 * INF;

fn job_count() -> u64 {
	std::env::var("VERINFER_HONEST_JOBS")
		.ok()
		.and_then(|n| n.parse().ok())
		.unwrap_or(24)
}

/// One dApp: submits `jobs` jobs one after another (each waits for inclusion), digits and
/// text in turn; returns nothing, the ids are read from the chain afterwards.
async fn dapp(rpc: &HttpClient, who: Sr25519Keyring, jobs: u64) -> anyhow::Result<()> {
	for i in 0..jobs {
		let (model, input) = if i % 2 == 0 {
			(
				0,
				(0..784u64)
					.map(|p| ((p * 31 + i * 17 + who as u64) % 256) as u8)
					.collect::<Vec<u8>>(),
			)
		} else {
			(
				1,
				format!("Job {i} from {who:?}: verifiable inference on an honest network.")
					.into_bytes(),
			)
		};
		let call = RuntimeCall::Jobs(pallet_jobs::Call::submit_job {
			model,
			input: input.try_into().map_err(|_| anyhow::anyhow!("input too long"))?,
			max_fee: INF,
			deadline: None,
		});
		submit_and_include(rpc, who, call).await?;
	}
	Ok(())
}

#[tokio::test]
async fn an_honest_network_finishes_every_job_and_accounts_for_every_unit() -> anyhow::Result<()> {
	let jobs = job_count();
	let dir = tempfile::tempdir()?;
	let nodes = start_network(dir.path(), &local_spec(), STARTUP, 10).await?;
	let node_logs = || network_logs(&nodes, 10);
	let rpc = nodes[0].rpc()?;

	// Miners: Eve serves the digits CNN, Ferdie MiniLM; an auditor next to each validator.
	let bond = (MINER_BOND / INF).to_string();
	let mut workers_up = vec![
		Worker::start(
			"miner-digits",
			dir.path(),
			&nodes[0].ws_url(),
			&["mine", "--key", "//Eve", "--bond", &bond, "--models", "digits-cnn"],
		)?,
		Worker::start(
			"miner-minilm",
			dir.path(),
			&nodes[1].ws_url(),
			&["mine", "--key", "//Ferdie", "--bond", &bond, "--models", "all-MiniLM-L6-v2"],
		)?,
	];
	for (node, key) in nodes.iter().zip(["//Alice", "//Bob", "//Charlie", "//Dave"]) {
		let name = format!("auditor-{}", node.name);
		workers_up.push(Worker::start(
			&name,
			dir.path(),
			&node.ws_url(),
			&["verify", "--key", key, "--bond", AUDITOR_BOND],
		)?);
	}
	let logs = |e: anyhow::Error| {
		let w = workers_up.iter().map(|w| w.log_tail(8)).collect::<Vec<_>>().join("\n");
		e.context(format!("{w}\n{}", node_logs()))
	};
	let auditors: Vec<&Worker> = workers_up[2..].iter().collect();
	wait_on_duty(&rpc, &[(0, 1), (1, 1)], &auditors, STARTUP).await.map_err(logs)?;

	// The books open at a finalized block with every bond in place and no job yet.
	let start = finalized(&rpc).await?;
	let params = jobs_params(&rpc).await?;

	let dapps = [AliceStash, BobStash, CharlieStash];
	let per_dapp = jobs.div_ceil(dapps.len() as u64);
	let submitted = dapps.len() as u64 * per_dapp;
	let (a, b, c) = tokio::join!(
		dapp(&rpc, dapps[0], per_dapp),
		dapp(&rpc, dapps[1], per_dapp),
		dapp(&rpc, dapps[2], per_dapp)
	);
	a.and(b).and(c).map_err(logs)?;

	// Every job reaches a final result.
	let deadline = Duration::from_secs(120 + 3 * submitted);
	let done = std::cell::Cell::new(0u64);
	wait_for(&format!("all {submitted} jobs to be final"), deadline, || async {
		while done.get() < submitted {
			let j = job(&rpc, done.get()).await?;
			anyhow::ensure!(
				j["status"] != "Expired" && j["status"] != "Cancelled",
				"job {} ended as {j}",
				done.get()
			);
			if j["status"] != "Finalized" {
				return Ok(None);
			}
			done.set(done.get() + 1);
		}
		Ok(Some(()))
	})
	.await
	.map_err(logs)?;
	// A block later than the last payout, final.
	let end = {
		let now = finalized(&rpc).await?;
		wait_finalized(&rpc, now.number + 1, STARTUP).await?
	};

	// Every account changed by exactly what the events say, and nobody was slashed.
	let accounts: Vec<AccountId> = Sr25519Keyring::iter().map(|k| k.to_account_id()).collect();
	let books = check_books(&rpc, start, end, &accounts).await.map_err(logs)?;
	anyhow::ensure!(
		books.slashed.is_empty(),
		"an honest network slashes nobody: {:?}",
		books.slashed
	);
	anyhow::ensure!(books.expired.is_empty(), "no job expires: {:?}", books.expired);
	let (minted, burned, audited) = (books.minted, books.burned, books.audited);

	// The audited share: between what a seasoned worker and a newcomer would get.
	let p = |completed: u32| {
		let rep = Reputation { jobs_completed: completed, ..Default::default() };
		// The miners' price (the worker's default, 0.01 INF) only sets the deterrence floor,
		// far below the base probability at a 2,000 INF bond.
		audit_probability(
			params.audit_probability,
			INF / 100,
			MINER_BOND,
			params.worker_slash,
			params.miss_slash_floor,
			&rep,
		)
	};
	let (low, high) = (p(u32::MAX), p(0));
	let n = submitted as f64;
	let bound = |q: Perbill, side: f64| {
		let q = q.deconstruct() as f64 / 1e9;
		n * q + side * 4.0 * (n * q * (1.0 - q)).sqrt()
	};
	let (min, max) = (bound(low, -1.0).max(0.0), bound(high, 1.0));
	println!(
		"honest network: {submitted} jobs final in blocks #{}..#{}, {audited} audited (bound {min:.1}..{max:.1}), \
		 {minted} minted, {burned} burned in fees",
		start.number, end.number
	);
	assert!(
		(min..=max).contains(&(audited as f64)),
		"{audited} audited of {submitted}, outside {min:.1}..{max:.1}"
	);
	Ok(())
}
