//! The measurement behind `scripts/load.sh` (ignored by the test command): an open-loop
//! burst of MiniLM jobs on the four-validator local network (the committed `--chain local`
//! spec), submitted at once from many accounts, against 1 to 4 miners and one auditor.
//!
//! Settings (environment): `LOAD_JOBS` (default 1000), `LOAD_ACCOUNTS` (20), `LOAD_MINERS`
//! (1, at most 4), `LOAD_BUDGET` (the miners' `--capacity-budget`, seconds of worst-case
//! inference taken at once; default 2). It prints:
//! - jobs accepted and refunded, and jobs finished per second (first submission to the
//!   last final result, by block timestamps);
//! - p50 and p99 latency from the block that included the submission to the block of the
//!   final result;
//! - each miner's busy share (inference seconds over wall time) and jobs done;
//! - failed extrinsics, by whose (workers, dApps);
//! - the block weight used (mean and max share of the limit) over the run's blocks.
//!
//! It fails only on what the burst tests fail on (a slashed honest worker, a failed
//! worker extrinsic, a job that ends other than accepted or refunded from the queue, books
//! that do not add up), so its figures come from a correct run.

use std::{collections::BTreeMap, time::Duration};

use anyhow::Context;
use jsonrpsee::http_client::HttpClient;
use sp_keyring::Sr25519Keyring::{self, *};
use verinfer_e2e::*;
use verinfer_runtime::{AccountId, Runtime, RuntimeEvent, INF};

fn env<T: std::str::FromStr>(name: &str, default: T) -> T {
	std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// The block's timestamp in milliseconds.
async fn timestamp(rpc: &HttpClient, at: sp_core::H256) -> anyhow::Result<u64> {
	Ok(decode_at(rpc, &pallet_timestamp::Now::<Runtime>::hashed_key(), at)
		.await?
		.unwrap_or_default())
}

fn percentile(sorted: &[f64], q: f64) -> f64 {
	if sorted.is_empty() {
		return f64::NAN;
	}
	sorted[((sorted.len() - 1) as f64 * q).floor() as usize]
}

#[tokio::test]
#[ignore = "a measurement: run it with scripts/load.sh"]
async fn load_burst_on_the_local_network() -> anyhow::Result<()> {
	let jobs: u32 = env("LOAD_JOBS", 1000);
	let accounts: usize = env("LOAD_ACCOUNTS", 20);
	let miner_count: usize = env::<usize>("LOAD_MINERS", 1).clamp(1, 4);
	let budget: f64 = env("LOAD_BUDGET", 2.0);
	let budget = budget.to_string();
	let dir = tempfile::tempdir()?;
	let nodes = start_network(dir.path(), &local_spec(), Duration::from_secs(180), 10).await?;
	let rpc = nodes[0].rpc()?;
	let miner_keys = [Ferdie, Dave, Charlie, Bob];
	let mut miners = Vec::new();
	for (i, key) in miner_keys.iter().take(miner_count).enumerate() {
		let uri = format!("//{key:?}");
		let node = &nodes[(i + 1) % nodes.len()];
		let args = [
			"mine",
			"--key",
			&uri,
			"--bond",
			"2000",
			"--models",
			"all-MiniLM-L6-v2",
			"--capacity-budget",
			&budget,
		];
		miners.push(Worker::start(&format!("miner-{i}"), dir.path(), &node.ws_url(), &args)?);
	}
	let auditor = Worker::start(
		"auditor",
		dir.path(),
		&nodes[3].ws_url(),
		&["verify", "--key", "//Eve", "--bond", "6000"],
	)?;
	wait_on_duty(&rpc, &[(1, miner_count)], &[&auditor], Duration::from_secs(300)).await?;

	let keys: Vec<_> = (0..accounts).map(dapp_key).collect();
	let dapps: Vec<AccountId> = keys.iter().map(account_of).collect();
	fund(&rpc, Alice, &dapps, 1_000 * INF).await?;
	let funded = best(&rpc).await?;
	let start = wait_finalized(&rpc, funded.number, Duration::from_secs(120)).await?;
	let began = std::time::Instant::now();
	let per_dapp = jobs.div_ceil(accounts as u32);
	let submitted = submit_burst(&rpc, &keys, per_dapp, minilm_job).await?;
	let submit_seconds = began.elapsed().as_secs_f64();
	let ended = wait_all_ended(
		&rpc,
		0,
		u64::from(submitted),
		Duration::from_secs(60 + 3 * u64::from(submitted)),
	)
	.await?;
	let wall = began.elapsed().as_secs_f64();
	let end = {
		let now = finalized(&rpc).await?;
		wait_finalized(&rpc, now.number + 1, Duration::from_secs(60)).await?
	};

	// Correctness first: the same books as the burst tests.
	let mut all: Vec<AccountId> = Sr25519Keyring::iter().map(|k| k.to_account_id()).collect();
	all.extend(dapps.iter().cloned());
	let books = check_books(&rpc, start, end, &all).await?;
	anyhow::ensure!(books.slashed.is_empty(), "honest workers were slashed: {:?}", books.slashed);
	for (id, status) in &books.expired {
		anyhow::ensure!(
			*status == pallet_jobs::JobStatus::Queued,
			"job {id} refunded from {status:?}"
		);
	}
	let worker_accounts: Vec<AccountId> = miner_keys
		.iter()
		.take(miner_count)
		.map(|k| k.to_account_id())
		.chain([Eve.to_account_id()])
		.collect();

	// Latencies, weights and failures, block by block.
	let limit = <Runtime as frame_system::Config>::BlockWeights::get().max_block.ref_time() as f64;
	let (mut submitted_at, mut ended_at) = (BTreeMap::new(), BTreeMap::new());
	let (mut weights, mut worker_failures, mut dapp_failures) = (Vec::new(), Vec::new(), 0u32);
	let (mut first_ts, mut last_ts) = (u64::MAX, 0u64);
	for number in start.number + 1..=end.number {
		let hash = block_hash(&rpc, number).await?.context("a block hash")?;
		let ts = timestamp(&rpc, hash).await?;
		let consumed: frame_support::dispatch::PerDispatchClass<frame_support::weights::Weight> =
			decode_at(&rpc, &frame_system::BlockWeight::<Runtime>::hashed_key(), hash)
				.await?
				.unwrap_or_default();
		weights.push(consumed.total().ref_time() as f64 / limit);
		for record in events_at(&rpc, hash).await? {
			match record.event {
				RuntimeEvent::Jobs(pallet_jobs::Event::JobSubmitted { job, .. }) => {
					submitted_at.insert(job, ts);
					first_ts = first_ts.min(ts);
				},
				RuntimeEvent::Jobs(
					pallet_jobs::Event::JobFinalized { job, .. }
					| pallet_jobs::Event::JobExpired { job, .. },
				) => {
					ended_at.insert(job, ts);
					last_ts = last_ts.max(ts);
				},
				_ => {},
			}
		}
		for (signer, error) in failed_extrinsics(&rpc, hash).await? {
			if worker_accounts.contains(&signer) {
				worker_failures.push((number, signer, error));
			} else {
				dapp_failures += 1;
			}
		}
	}
	anyhow::ensure!(worker_failures.is_empty(), "worker extrinsics failed: {worker_failures:?}");
	let mut latencies: Vec<f64> = ended_at
		.iter()
		.filter_map(|(job, end)| submitted_at.get(job).map(|s| (*end as f64 - *s as f64) / 1e3))
		.collect();
	latencies.sort_by(|a, b| a.total_cmp(b));
	let accepted = ended.iter().filter(|j| j["status"] == "Finalized").count();
	let span = (last_ts.saturating_sub(first_ts)) as f64 / 1e3;
	let mean_weight = weights.iter().sum::<f64>() / weights.len().max(1) as f64;
	let max_weight = weights.iter().copied().fold(0.0, f64::max);

	let capacities: Vec<String> =
		workers(&rpc, 1).await?.iter().map(|w| w["capacity"].to_string()).collect();
	println!("\nload burst: {submitted} MiniLM jobs from {accounts} accounts, {miner_count} miner(s) (capacity {}), 1 auditor, 4 validators", capacities.join(", "));
	println!("  submitted and included in {submit_seconds:.1} s (open loop: all handed to the pool at once)");
	println!("  accepted              {accepted}, refunded from the queue {}", books.expired.len());
	println!("  audited               {}", books.audited);
	println!(
		"  jobs finished / s     {:.2} ({accepted} in {span:.0} s of chain time; {wall:.0} s wall)",
		accepted as f64 / span.max(1e-3)
	);
	println!(
		"  latency submit->final p50 {:.1} s, p99 {:.1} s",
		percentile(&latencies, 0.5),
		percentile(&latencies, 0.99)
	);
	for (i, m) in miners.iter().enumerate() {
		let page = metrics(m.prometheus_port)?;
		let busy = metric_sum(&page, "verinfer_worker_inference_seconds_sum", "");
		let done = metric_sum(&page, "verinfer_worker_jobs_done_total", "");
		let sent = metric_sum(&page, "verinfer_worker_transactions_total", "");
		println!("  miner {i}               busy {:.1} % ({busy:.1} s inference), {done} jobs revealed, {sent} transactions", 100.0 * busy / wall);
	}
	let page = metrics(auditor.prometheus_port)?;
	println!(
		"  auditor               busy {:.1} %",
		100.0 * metric_sum(&page, "verinfer_worker_inference_seconds_sum", "") / wall
	);
	println!("  failed extrinsics     workers 0, dApps {dapp_failures}");
	println!(
		"  block weight used     mean {:.1} %, max {:.1} % of the limit ({} blocks)",
		100.0 * mean_weight,
		100.0 * max_weight,
		weights.len()
	);
	Ok(())
}
