//! Open-loop bursts: many dApp accounts submit many jobs at once, without waiting for any
//! answer, and the test checks how every job ended and what the workers paid.

use std::time::Duration;

use anyhow::Context;
use jsonrpsee::{core::client::ClientT, http_client::HttpClient, rpc_params};
use serde_json::Value;
use sp_core::Pair;
use verinfer_runtime::{AccountId, Balance, RuntimeCall, INF};

use crate::{account_of, failed_extrinsics, job, sign_with_nonce, submit, wait_for, BlockRef};

/// The key of burst dApp `i` (`//dapp//<i>`).
pub fn dapp_key(i: usize) -> sp_core::sr25519::Pair {
	sp_core::sr25519::Pair::from_string(&format!("//dapp//{i}"), None)
		.expect("a valid derivation path")
}

/// One account's transactions, signed with consecutive nonces from `first`.
pub struct Signed {
	/// The signer.
	pub who: AccountId,
	/// The nonce of the first transaction.
	pub first: u32,
	/// The signed transactions, in nonce order.
	pub xts: Vec<verinfer_runtime::UncheckedExtrinsic>,
}

/// How long an account's nonce may stand still, with transactions of it still to include,
/// before they are sent again.
const RESEND_AFTER: Duration = Duration::from_secs(15);

/// Hands every transaction of `signed` to the pool, all at once, then waits until the chain
/// has included all of them: each account's nonce at the best block has passed its last
/// transaction.
///
/// A pool may drop a transaction, and every later nonce of its account then waits forever.
/// A dApp's client watches for that and sends again, and so does this: when an account's
/// nonce has not moved for [`RESEND_AFTER`], its transactions from that nonce on are sent
/// again, the very same signed bytes, so that none can run twice. The first submission of
/// each must be accepted.
pub async fn submit_until_included(
	rpc: &HttpClient,
	what: &str,
	signed: &[Signed],
	timeout: Duration,
) -> anyhow::Result<()> {
	for account in signed {
		for xt in &account.xts {
			submit(rpc, xt)
				.await
				.with_context(|| format!("the pool refused one of {what}"))?;
		}
	}
	let deadline = std::time::Instant::now() + timeout;
	let mut last_move: Vec<(u32, std::time::Instant)> =
		signed.iter().map(|a| (a.first, std::time::Instant::now())).collect();
	loop {
		let mut pending = 0usize;
		for (account, (seen, since)) in signed.iter().zip(last_move.iter_mut()) {
			let end = account.first.saturating_add(account.xts.len() as u32);
			let nonce = crate::account_nonce(rpc, &account.who).await?;
			if nonce >= end {
				continue;
			}
			pending += (end - nonce) as usize;
			if nonce != *seen {
				*seen = nonce;
				*since = std::time::Instant::now();
			} else if since.elapsed() >= RESEND_AFTER {
				eprintln!(
					"{what}: the nonce of {} stood at {nonce} for {RESEND_AFTER:?}, below {end}: sending its transactions from \
					 {nonce} on again",
					account.who
				);
				for xt in account.xts.iter().skip(nonce.saturating_sub(account.first) as usize) {
					if let Err(e) = submit(rpc, xt).await {
						eprintln!(
							"{what}: sent again and refused (it may still be in the pool): {e:#}"
						);
					}
				}
				*since = std::time::Instant::now();
			}
		}
		if pending == 0 {
			return Ok(());
		}
		anyhow::ensure!(
			std::time::Instant::now() < deadline,
			"timed out after {timeout:?} waiting for {what} to be included: {pending} transaction(s) still out"
		);
		tokio::time::sleep(Duration::from_millis(200)).await;
	}
}

/// Sends `amount` from `from` to each of `to`, all at once, and waits until every one of
/// them holds it.
pub async fn fund(
	rpc: &HttpClient,
	from: sp_keyring::Sr25519Keyring,
	to: &[AccountId],
	amount: Balance,
) -> anyhow::Result<()> {
	let who = from.to_account_id();
	let first: u32 = rpc.request("system_accountNextIndex", rpc_params![who.to_string()]).await?;
	let mut xts = Vec::new();
	for (nonce, dest) in (first..).zip(to) {
		let call = RuntimeCall::Balances(pallet_balances::Call::transfer_keep_alive {
			dest: dest.clone().into(),
			value: amount,
		});
		xts.push(sign_with_nonce(rpc, &from.pair(), call, nonce).await?);
	}
	submit_until_included(
		rpc,
		"the burst accounts' funding",
		&[Signed { who, first, xts }],
		Duration::from_secs(120),
	)
	.await?;
	for dest in to {
		let free = crate::free_balance(rpc, dest).await?;
		anyhow::ensure!(free >= amount, "{dest} was sent {amount} and holds {free}");
	}
	Ok(())
}

/// Submits `per_dapp` jobs from each of `dapps` at once: every transaction is signed with
/// its own nonce and handed to the pool before any is included. `job_call(d, i)` builds
/// the `i`-th job of dApp `d`. Returns how many were submitted, once all are included.
pub async fn submit_burst(
	rpc: &HttpClient,
	dapps: &[sp_core::sr25519::Pair],
	per_dapp: u32,
	job_call: impl Fn(usize, u32) -> RuntimeCall,
) -> anyhow::Result<u32> {
	let mut signed = Vec::new();
	for (d, pair) in dapps.iter().enumerate() {
		let who = account_of(pair);
		let first: u32 =
			rpc.request("system_accountNextIndex", rpc_params![who.to_string()]).await?;
		let mut xts = Vec::new();
		for i in 0..per_dapp {
			xts.push(sign_with_nonce(rpc, pair, job_call(d, i), first + i).await?);
		}
		signed.push(Signed { who, first, xts });
	}
	let total: u32 = signed.iter().map(|s| s.xts.len() as u32).sum();
	// Far more than the pace of a block full of jobs: 117 per 6-second block at worst.
	let timeout = Duration::from_secs(120 + u64::from(total) / 4);
	submit_until_included(rpc, "the burst jobs", &signed, timeout).await?;
	Ok(total)
}

/// A MiniLM `submit_job` paying twice the model's price.
pub fn minilm_job(dapp: usize, i: u32) -> RuntimeCall {
	let text =
		format!("Burst job {i} of dApp {dapp}: a sentence to embed, verifiably, under load.");
	RuntimeCall::Jobs(pallet_jobs::Call::submit_job {
		model: 1,
		input: text.into_bytes().try_into().expect("a short sentence"),
		max_fee: 2 * 50 * (INF / 1_000),
		deadline: None,
	})
}

/// Waits until jobs `first..first + count` have all ended (finalized, cancelled or
/// expired) and returns them as `jobs_getJob` shows them.
pub async fn wait_all_ended(
	rpc: &HttpClient,
	first: u64,
	count: u64,
	timeout: Duration,
) -> anyhow::Result<Vec<Value>> {
	let ended = std::cell::RefCell::new(Vec::new());
	wait_for(&format!("all {count} burst jobs to end"), timeout, || async {
		// Each borrow ends before the next await, so none is held while the request runs.
		while (ended.borrow().len() as u64) < count {
			let id = first + ended.borrow().len() as u64;
			let j = job(rpc, id).await?;
			let status = j["status"].as_str().unwrap_or_default().to_string();
			if !["Finalized", "Cancelled", "Expired"].contains(&status.as_str()) {
				return Ok(None);
			}
			ended.borrow_mut().push(j);
		}
		Ok(Some(()))
	})
	.await?;
	Ok(ended.into_inner())
}

/// The extrinsics signed by any of `who` that failed in the blocks after `start` up to
/// `end`, with their errors.
pub async fn failures_of(
	rpc: &HttpClient,
	start: BlockRef,
	end: BlockRef,
	who: &[AccountId],
) -> anyhow::Result<Vec<(u32, AccountId, String)>> {
	let mut out = Vec::new();
	for number in start.number + 1..=end.number {
		let hash = crate::block_hash(rpc, number).await?.context("a block hash")?;
		for (signer, error) in failed_extrinsics(rpc, hash).await? {
			if who.contains(&signer) {
				out.push((number, signer, error));
			}
		}
	}
	Ok(out)
}

/// The sum of a worker metric's samples whose labels contain `filter`.
pub fn metric_sum(page: &str, name: &str, filter: &str) -> f64 {
	page.lines()
		.filter(|l| l.starts_with(name) && l.contains(filter))
		.filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
		.sum()
}

/// What a burst run showed.
#[derive(Debug)]
pub struct BurstOutcome {
	/// Jobs finalized and accepted.
	pub accepted: u64,
	/// Jobs refunded, with the phase they ended in.
	pub refunded: Vec<(u64, pallet_jobs::JobStatus)>,
	/// Seconds from the first submission to the last job's end.
	pub seconds: f64,
}

/// Submits `jobs` MiniLM jobs from `dapps` funded accounts at once, against the running
/// `miner` and `auditor` workers, and checks what the issue asks of a burst:
/// - every job ends, accepted, or refunded because it waited in the queue too long;
/// - no extrinsic of the miner or the auditor fails, and neither worker saw a
///   transaction refused, dropped or failed;
/// - their bonds are untouched, with no missed deadline on their records;
/// - every account's balance accounts to the unit ([`crate::check_books`]).
pub async fn burst_and_check(
	rpc: &HttpClient,
	miner: (sp_keyring::Sr25519Keyring, &crate::Worker),
	auditor: (sp_keyring::Sr25519Keyring, &crate::Worker),
	jobs: u32,
	dapps: usize,
	timeout: Duration,
) -> anyhow::Result<BurstOutcome> {
	let keys: Vec<_> = (0..dapps).map(dapp_key).collect();
	let accounts: Vec<AccountId> = keys.iter().map(account_of).collect();
	fund(rpc, sp_keyring::Sr25519Keyring::Alice, &accounts, 100 * INF).await?;
	// The books open once the funding is final too.
	let funded = crate::best(rpc).await?;
	crate::wait_finalized(rpc, funded.number, Duration::from_secs(120)).await?;
	let workers = [miner.0.to_account_id(), auditor.0.to_account_id()];
	let bonds_before = (
		crate::stake_ledger(rpc, &workers[0]).await?.context("the miner's bond")?.active,
		crate::stake_ledger(rpc, &workers[1])
			.await?
			.context("the auditor's bond")?
			.active,
	);
	let start = crate::finalized(rpc).await?;
	let first: u64 =
		crate::storage(rpc, &pallet_jobs::NextJobId::<verinfer_runtime::Runtime>::hashed_key())
			.await?
			.map(|raw| codec::Decode::decode(&mut &raw[..]))
			.transpose()?
			.unwrap_or_default();
	let per_dapp = jobs.div_ceil(dapps as u32);
	let began = std::time::Instant::now();
	let submitted = submit_burst(rpc, &keys, per_dapp, minilm_job).await?;
	let ended = wait_all_ended(rpc, first, u64::from(submitted), timeout).await?;
	let seconds = began.elapsed().as_secs_f64();
	let end = {
		let now = crate::finalized(rpc).await?;
		crate::wait_finalized(rpc, now.number + 1, Duration::from_secs(60)).await?
	};

	let mut all: Vec<AccountId> =
		sp_keyring::Sr25519Keyring::iter().map(|k| k.to_account_id()).collect();
	all.extend(accounts.iter().cloned());
	let books = crate::check_books(rpc, start, end, &all).await?;
	anyhow::ensure!(books.slashed.is_empty(), "nobody is slashed in a burst: {:?}", books.slashed);
	for (id, status) in &books.expired {
		anyhow::ensure!(
			*status == pallet_jobs::JobStatus::Queued,
			"job {id} was refunded from {status:?}, not for waiting in the queue"
		);
	}
	let mut accepted = 0;
	for j in &ended {
		match j["status"].as_str() {
			Some("Finalized") => {
				anyhow::ensure!(
					j["verdict"].as_str().is_some_and(|v| v.starts_with("Accepted")),
					"a rejected job: {j}"
				);
				accepted += 1;
			},
			Some("Expired") => {},
			_ => anyhow::bail!("a job ended neither accepted nor refunded: {j}"),
		}
	}
	anyhow::ensure!(
		accepted + books.expired.len() as u64 == u64::from(submitted),
		"{accepted} accepted and {} refunded of {submitted}",
		books.expired.len()
	);

	let failures = failures_of(rpc, start, end, &workers).await?;
	// The workers' warnings say what they saw of each failed step (dropped, expired, refused).
	let warnings = || format!("{}\n{}", miner.1.warnings(40), auditor.1.warnings(40));
	anyhow::ensure!(
		failures.is_empty(),
		"the workers' extrinsics failed: {failures:?}\n{}",
		warnings()
	);
	for (name, w) in [("miner", miner.1), ("auditor", auditor.1)] {
		let page = crate::metrics(w.prometheus_port)?;
		for outcome in ["failed", "dropped", "refused"] {
			let n = metric_sum(
				&page,
				"verinfer_worker_transactions_total",
				&format!("outcome=\"{outcome}\""),
			);
			anyhow::ensure!(
				n == 0.0,
				"the {name} saw {n} transaction(s) {outcome}\n{}",
				warnings()
			);
		}
	}
	let bonds_after = (
		crate::stake_ledger(rpc, &workers[0]).await?.context("the miner's bond")?.active,
		crate::stake_ledger(rpc, &workers[1])
			.await?
			.context("the auditor's bond")?
			.active,
	);
	anyhow::ensure!(
		bonds_after == bonds_before,
		"bonds moved from {bonds_before:?} to {bonds_after:?}"
	);
	for who in &workers {
		let r = crate::reputation(rpc, who).await?;
		anyhow::ensure!(r.missed_deadlines == 0, "{who} missed {} deadline(s)", r.missed_deadlines);
	}
	println!(
		"burst: {submitted} jobs from {dapps} accounts: {accepted} accepted, {} refunded from the queue, in {seconds:.1} s \
		 ({:.2} jobs/s), blocks #{}..#{}",
		books.expired.len(),
		accepted as f64 / seconds,
		start.number,
		end.number
	);
	Ok(BurstOutcome { accepted, refunded: books.expired, seconds })
}
