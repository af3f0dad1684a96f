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

use std::{collections::BTreeMap, time::Duration};

use anyhow::Context;
use codec::Decode;
use jsonrpsee::http_client::HttpClient;
use sp_core::H256;
use sp_keyring::Sr25519Keyring::{self, *};
use sp_runtime::Perbill;
use verinfer_e2e::*;
use pallet_jobs::Verdict;
use verinfer_primitives::{audit_probability, split_equally, split_fee, Reputation};
use verinfer_runtime::{AccountId, Balance, Nonce, Runtime, RuntimeCall, RuntimeEvent, INF};

const STARTUP: Duration = Duration::from_secs(120);
const AUDITOR_BOND: &str = "6000";
const MINER_BOND: Balance = 2_000 * INF;

fn job_count() -> u64 {
	std::env::var("VERINFER_HONEST_JOBS").ok().and_then(|n| n.parse().ok()).unwrap_or(24)
}

async fn decode_at<T: Decode>(rpc: &HttpClient, key: &[u8], at: H256) -> anyhow::Result<Option<T>> {
	storage_at(rpc, key, Some(at)).await?.map(|raw| T::decode(&mut &raw[..]).map_err(Into::into)).transpose()
}

/// Free plus reserved (holds included): what an account owns.
async fn total_balance(rpc: &HttpClient, who: &AccountId, at: H256) -> anyhow::Result<Balance> {
	let key = frame_system::Account::<Runtime>::hashed_key_for(who);
	let info: Option<frame_system::AccountInfo<Nonce, pallet_balances::AccountData<Balance>>> =
		decode_at(rpc, &key, at).await?;
	Ok(info.map_or(0, |i| i.data.free + i.data.reserved))
}

async fn total_issuance(rpc: &HttpClient, at: H256) -> anyhow::Result<Balance> {
	Ok(decode_at(rpc, &pallet_balances::TotalIssuance::<Runtime>::hashed_key(), at).await?.unwrap_or_default())
}

/// One dApp: submits `jobs` jobs one after another (each waits for inclusion), digits and
/// text in turn; returns nothing, the ids are read from the chain afterwards.
async fn dapp(rpc: &HttpClient, who: Sr25519Keyring, jobs: u64) -> anyhow::Result<()> {
	for i in 0..jobs {
		let (model, input) = if i % 2 == 0 {
			(0, (0..784u64).map(|p| ((p * 31 + i * 17 + who as u64) % 256) as u8).collect::<Vec<u8>>())
		} else {
			(1, format!("Job {i} from {who:?}: verifiable inference on an honest network.").into_bytes())
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
	let nodes = start_validators(dir.path(), &local_spec())?;
	let node_logs = || nodes.iter().map(|n| format!("{}:\n{}", n.name, n.log_tail(10))).collect::<Vec<_>>().join("\n");
	for node in &nodes {
		wait_finalized(&node.rpc()?, 2, STARTUP).await.map_err(|e| e.context(node_logs()))?;
	}
	let rpc = nodes[0].rpc()?;

	// Miners: Eve serves the digits CNN, Ferdie MiniLM; an auditor next to each validator.
	let bond = (MINER_BOND / INF).to_string();
	let mut workers_up = vec![
		Worker::start("miner-digits", dir.path(), &nodes[0].ws_url(), &["mine", "--key", "//Eve", "--bond", &bond, "--models", "digits-cnn"])?,
		Worker::start("miner-minilm", dir.path(), &nodes[1].ws_url(), &["mine", "--key", "//Ferdie", "--bond", &bond, "--models", "all-MiniLM-L6-v2"])?,
	];
	for (node, key) in nodes.iter().zip(["//Alice", "//Bob", "//Charlie", "//Dave"]) {
		let name = format!("auditor-{}", node.name);
		workers_up.push(Worker::start(&name, dir.path(), &node.ws_url(), &["verify", "--key", key, "--bond", AUDITOR_BOND])?);
	}
	let logs = |e: anyhow::Error| {
		let w = workers_up.iter().map(|w| w.log_tail(8)).collect::<Vec<_>>().join("\n");
		e.context(format!("{w}\n{}", node_logs()))
	};
	wait_for("two miners and four auditors to bond", STARTUP, || async {
		let miners = !workers(&rpc, 0).await?.is_empty() && !workers(&rpc, 1).await?.is_empty();
		let auditors = workers_up[2..].iter().all(|w| w.log().contains("following finalized blocks"));
		Ok((miners && auditors).then_some(()))
	})
	.await
	.map_err(logs)?;

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
			anyhow::ensure!(j["status"] != "Expired" && j["status"] != "Cancelled", "job {} ended as {j}", done.get());
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

	// Walk the events of every block in between.
	let mut expected: BTreeMap<AccountId, i128> = BTreeMap::new();
	let mut credit = |who: &AccountId, amount: i128| *expected.entry(who.clone()).or_default() += amount;
	let (mut minted, mut burned, mut audited) = (0u128, 0u128, 0u64);
	// `System::Events` (the storage type itself is private to frame-system).
	let events_key = [sp_io::hashing::twox_128(b"System"), sp_io::hashing::twox_128(b"Events")].concat();
	for number in start.number + 1..=end.number {
		let hash = block_hash(&rpc, number).await?.context("a finalized block hash")?;
		let records: Vec<frame_system::EventRecord<RuntimeEvent, H256>> =
			decode_at(&rpc, &events_key, hash).await?.unwrap_or_default();
		for record in records {
			match record.event {
				RuntimeEvent::TransactionPayment(pallet_transaction_payment::Event::TransactionFeePaid {
					who,
					actual_fee,
					tip,
				}) => {
					anyhow::ensure!(tip == 0, "no tips were given");
					burned += actual_fee;
					credit(&who, -(actual_fee as i128));
				},
				RuntimeEvent::Rewards(pallet_rewards::Event::EraClosed { budgets, .. }) => {
					minted += budgets.total();
					credit(&pallet_rewards::Pallet::<Runtime>::account_id(), budgets.total() as i128);
				},
				RuntimeEvent::Jobs(pallet_jobs::Event::JobFinalized { job, verdict, fee }) => {
					let key = pallet_jobs::Jobs::<Runtime>::hashed_key_for(job);
					let entry: pallet_jobs::Job<Runtime> = decode_at(&rpc, &key, hash).await?.context("the job")?;
					let worker = entry.worker.clone().context("a finalized job has a worker")?;
					let auditors: Vec<AccountId> =
						entry.current_round().iter().filter(|a| a.revealed).map(|a| a.who.clone()).collect();
					let was_audited = entry.audited == Some(true);
					audited += u64::from(was_audited);
					let wanted = if was_audited { Verdict::AcceptedByAudit } else { Verdict::AcceptedUnaudited };
					anyhow::ensure!(verdict == wanted, "job {job}: {verdict:?}, audited {was_audited}");
					anyhow::ensure!(fee == entry.fee && fee <= entry.max_fee, "job {job}: fee {fee}");
					let model_key = pallet_models::Models::<Runtime>::hashed_key_for(entry.model);
					let model: pallet_models::ModelInfoOf<Runtime> =
						decode_at(&rpc, &model_key, hash).await?.context("the job's model")?;
					let contributors = model.spec.contributors;
					let shares: Vec<Perbill> = contributors.iter().map(|c| c.share).collect();
					let split = split_fee(fee, &shares, entry.terms.treasury_share, entry.terms.auditor_share, !auditors.is_empty());
					credit(&entry.owner, -(fee as i128));
					for (c, amount) in contributors.iter().zip(&split.royalties) {
						credit(&c.payee, *amount as i128);
					}
					credit(&verinfer_runtime::configs::TreasuryAccount::get(), split.treasury as i128);
					for (a, amount) in auditors.iter().zip(split_equally(split.auditors, auditors.len() as u32)) {
						credit(a, amount as i128);
					}
					credit(&worker, split.worker as i128);
				},
				RuntimeEvent::Jobs(
					e @ (pallet_jobs::Event::WorkerSlashed { .. } |
					pallet_jobs::Event::AuditorSlashed { .. } |
					pallet_jobs::Event::DeadlineMissed { .. }),
				) => anyhow::bail!("an honest network slashes nobody: {e:?}"),
				_ => {},
			}
		}
	}

	// Every account changed by exactly what the events say.
	let mut accounts: Vec<AccountId> = Sr25519Keyring::iter().map(|k| k.to_account_id()).collect();
	accounts.push(verinfer_runtime::configs::TreasuryAccount::get());
	accounts.push(pallet_rewards::Pallet::<Runtime>::account_id());
	for who in expected.keys() {
		anyhow::ensure!(accounts.contains(who), "a payment to an account nobody expected: {who}");
	}
	for who in &accounts {
		let before = total_balance(&rpc, who, start.hash).await? as i128;
		let after = total_balance(&rpc, who, end.hash).await? as i128;
		let want = expected.get(who).copied().unwrap_or_default();
		assert_eq!(after - before, want, "{who}: balance change against fee splits, fees and emission");
	}
	let issuance = total_issuance(&rpc, end.hash).await? as i128 - total_issuance(&rpc, start.hash).await? as i128;
	assert_eq!(issuance, minted as i128 - burned as i128, "issuance moves by the emission minus the fees burned");

	// The audited share: between what a seasoned worker and a newcomer would get.
	let p = |completed: u32| {
		let rep = Reputation { jobs_completed: completed, ..Default::default() };
		// The miners' price (the worker's default, 0.01 INF) only sets the deterrence floor,
		// far below the base probability at a 2,000 INF bond.
		audit_probability(params.audit_probability, INF / 100, MINER_BOND, params.worker_slash, params.miss_slash_floor, &rep)
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
	assert!((min..=max).contains(&(audited as f64)), "{audited} audited of {submitted}, outside {min:.1}..{max:.1}");
	Ok(())
}
