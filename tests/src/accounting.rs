//! Checking the books of a run: walking the events of every block between two finalized
//! blocks, every account's balance change must equal what the jobs' fee splits, the
//! transaction fees, the slashes, plain transfers and the reward emission say, to the unit, and total
//! issuance must move by exactly the emission minted minus the fees burned.

use std::collections::BTreeMap;

use anyhow::Context;
use codec::Decode;
use jsonrpsee::http_client::HttpClient;
use pallet_jobs::Verdict;
use sp_core::H256;
use sp_runtime::{traits::IdentifyAccount, Perbill};
use verinfer_primitives::{split_equally, split_fee};
use verinfer_runtime::{AccountId, Balance, Nonce, Runtime, RuntimeEvent, UncheckedExtrinsic};

use crate::{block_hash, storage_at, BlockRef};

/// Decodes the storage value at `key` in block `at`.
pub async fn decode_at<T: Decode>(
	rpc: &HttpClient,
	key: &[u8],
	at: H256,
) -> anyhow::Result<Option<T>> {
	storage_at(rpc, key, Some(at))
		.await?
		.map(|raw| T::decode(&mut &raw[..]).map_err(Into::into))
		.transpose()
}

/// Free plus reserved (holds included): what an account owns at block `at`.
pub async fn total_balance(rpc: &HttpClient, who: &AccountId, at: H256) -> anyhow::Result<Balance> {
	let key = frame_system::Account::<Runtime>::hashed_key_for(who);
	let info: Option<frame_system::AccountInfo<Nonce, pallet_balances::AccountData<Balance>>> =
		decode_at(rpc, &key, at).await?;
	Ok(info.map_or(0, |i| i.data.free + i.data.reserved))
}

/// Total issuance at block `at`.
pub async fn total_issuance(rpc: &HttpClient, at: H256) -> anyhow::Result<Balance> {
	Ok(decode_at(rpc, &pallet_balances::TotalIssuance::<Runtime>::hashed_key(), at)
		.await?
		.unwrap_or_default())
}

/// The events of block `at`.
pub async fn events_at(
	rpc: &HttpClient,
	at: H256,
) -> anyhow::Result<Vec<frame_system::EventRecord<RuntimeEvent, H256>>> {
	// `System::Events` (the storage type itself is private to frame-system).
	let key = [sp_io::hashing::twox_128(b"System"), sp_io::hashing::twox_128(b"Events")].concat();
	Ok(decode_at(rpc, &key, at).await?.unwrap_or_default())
}

/// The signed extrinsics of block `at` that failed, with their signers and errors.
pub async fn failed_extrinsics(
	rpc: &HttpClient,
	at: H256,
) -> anyhow::Result<Vec<(AccountId, String)>> {
	use jsonrpsee::core::client::ClientT;
	let mut failed = Vec::new();
	let block: serde_json::Value =
		rpc.request("chain_getBlock", jsonrpsee::rpc_params![at]).await?;
	let bodies = block["block"]["extrinsics"].as_array().cloned().unwrap_or_default();
	for record in events_at(rpc, at).await? {
		let (
			frame_system::Phase::ApplyExtrinsic(index),
			RuntimeEvent::System(frame_system::Event::ExtrinsicFailed { dispatch_error, .. }),
		) = (record.phase, &record.event)
		else {
			continue;
		};
		let hex = bodies
			.get(index as usize)
			.and_then(|b| b.as_str())
			.context("the failed extrinsic's body")?;
		let bytes = hex::decode(hex.trim_start_matches("0x"))?;
		let xt = UncheckedExtrinsic::decode(&mut &bytes[..])?;
		if let sp_runtime::generic::Preamble::Signed(address, ..) = xt.preamble {
			let who = match address {
				sp_runtime::MultiAddress::Id(id) => id,
				other => anyhow::bail!("unexpected address form {other:?}"),
			};
			failed.push((who, format!("{dispatch_error:?}")));
		}
	}
	Ok(failed)
}

/// What the books of a run showed.
#[derive(Debug, Default)]
pub struct Books {
	/// Jobs finalized between the two blocks.
	pub finalized: u64,
	/// Of those, audited.
	pub audited: u64,
	/// Jobs that ended refunded, with the phase they ended in.
	pub expired: Vec<(u64, pallet_jobs::JobStatus)>,
	/// Emission minted.
	pub minted: Balance,
	/// Transaction fees burned.
	pub burned: Balance,
	/// Every slash, by whom, and how much.
	pub slashed: Vec<(AccountId, Balance)>,
	/// Every assignment: the job and its worker.
	pub assigned: Vec<(u64, AccountId)>,
}

/// Walks the events from `start` (exclusive) to `end` (inclusive) and checks that every
/// account in `accounts` changed by exactly what they say, and that issuance moved by the
/// emission minus the fees. Accepted jobs must carry the verdict their audit flag implies.
/// Slashes are booked to the treasury (missed deadlines) and returned for the caller to
/// judge; slashes whose destination is another account are refused (none happen without a
/// cheater).
pub async fn check_books(
	rpc: &HttpClient,
	start: BlockRef,
	end: BlockRef,
	accounts: &[AccountId],
) -> anyhow::Result<Books> {
	let mut expected: BTreeMap<AccountId, i128> = BTreeMap::new();
	let mut credit =
		|who: &AccountId, amount: i128| *expected.entry(who.clone()).or_default() += amount;
	let mut books = Books::default();
	let treasury = verinfer_runtime::configs::TreasuryAccount::get();
	for number in start.number + 1..=end.number {
		let hash = block_hash(rpc, number).await?.context("a finalized block hash")?;
		for record in events_at(rpc, hash).await? {
			match record.event {
				RuntimeEvent::TransactionPayment(
					pallet_transaction_payment::Event::TransactionFeePaid { who, actual_fee, tip },
				) => {
					anyhow::ensure!(tip == 0, "no tips were given");
					books.burned += actual_fee;
					credit(&who, -(actual_fee as i128));
				},
				RuntimeEvent::Balances(pallet_balances::Event::Transfer { from, to, amount }) => {
					credit(&from, -(amount as i128));
					credit(&to, amount as i128);
				},
				RuntimeEvent::Rewards(pallet_rewards::Event::EraClosed { budgets, .. }) => {
					books.minted += budgets.total();
					credit(
						&pallet_rewards::Pallet::<Runtime>::account_id(),
						budgets.total() as i128,
					);
				},
				RuntimeEvent::ComputeStaking(pallet_compute_staking::Event::Slashed {
					who,
					amount,
					destination,
				}) => {
					anyhow::ensure!(
						destination == verinfer_primitives::SlashDestination::Treasury,
						"{who} slashed {amount} to {destination:?}: only a cheater is slashed to the jobs pot"
					);
					credit(&who, -(amount as i128));
					credit(&treasury, amount as i128);
					books.slashed.push((who, amount));
				},
				RuntimeEvent::Jobs(pallet_jobs::Event::JobExpired { job, status }) => {
					books.expired.push((job, status))
				},
				RuntimeEvent::Jobs(pallet_jobs::Event::JobAssigned { job, worker, .. }) => {
					books.assigned.push((job, worker))
				},
				RuntimeEvent::Jobs(pallet_jobs::Event::JobFinalized { job, verdict, fee }) => {
					let key = pallet_jobs::Jobs::<Runtime>::hashed_key_for(job);
					let entry: pallet_jobs::Job<Runtime> =
						decode_at(rpc, &key, hash).await?.context("the job")?;
					let worker = entry.worker.clone().context("a finalized job has a worker")?;
					let auditors: Vec<AccountId> = entry
						.current_round()
						.iter()
						.filter(|a| a.revealed)
						.map(|a| a.who.clone())
						.collect();
					let was_audited = entry.audited == Some(true);
					books.finalized += 1;
					books.audited += u64::from(was_audited);
					let wanted = if was_audited {
						Verdict::AcceptedByAudit
					} else {
						Verdict::AcceptedUnaudited
					};
					anyhow::ensure!(
						verdict == wanted,
						"job {job}: {verdict:?}, audited {was_audited}"
					);
					anyhow::ensure!(
						fee == entry.fee && fee <= entry.max_fee,
						"job {job}: fee {fee}"
					);
					let model_key = pallet_models::Models::<Runtime>::hashed_key_for(entry.model);
					let model: pallet_models::ModelInfoOf<Runtime> =
						decode_at(rpc, &model_key, hash).await?.context("the job's model")?;
					let contributors = model.spec.contributors;
					let shares: Vec<Perbill> = contributors.iter().map(|c| c.share).collect();
					let split = split_fee(
						fee,
						&shares,
						entry.terms.treasury_share,
						entry.terms.auditor_share,
						!auditors.is_empty(),
					);
					credit(&entry.owner, -(fee as i128));
					for (c, amount) in contributors.iter().zip(&split.royalties) {
						credit(&c.payee, *amount as i128);
					}
					credit(&treasury, split.treasury as i128);
					for (a, amount) in
						auditors.iter().zip(split_equally(split.auditors, auditors.len() as u32))
					{
						credit(a, amount as i128);
					}
					credit(&worker, split.worker as i128);
				},
				RuntimeEvent::Jobs(
					e @ (pallet_jobs::Event::WorkerSlashed { .. }
					| pallet_jobs::Event::AuditorSlashed { .. }),
				) => {
					anyhow::bail!("nobody here cheats, so no audit slashes anyone: {e:?}")
				},
				_ => {},
			}
		}
	}
	let mut all: Vec<AccountId> = accounts.to_vec();
	all.push(treasury);
	all.push(pallet_rewards::Pallet::<Runtime>::account_id());
	for who in expected.keys() {
		anyhow::ensure!(all.contains(who), "a payment to an account nobody expected: {who}");
	}
	for who in &all {
		let before = total_balance(rpc, who, start.hash).await? as i128;
		let after = total_balance(rpc, who, end.hash).await? as i128;
		let want = expected.get(who).copied().unwrap_or_default();
		anyhow::ensure!(after - before == want, "{who}: balance changed by {} against {want} from fee splits, fees, slashes and emission", after - before);
	}
	let issuance = total_issuance(rpc, end.hash).await? as i128
		- total_issuance(rpc, start.hash).await? as i128;
	anyhow::ensure!(
		issuance == books.minted as i128 - books.burned as i128,
		"issuance moved by {issuance}, not by the emission minus the fees burned"
	);
	Ok(books)
}

/// The account of an sr25519 key pair.
pub fn account_of(pair: &sp_core::sr25519::Pair) -> AccountId {
	use sp_core::Pair;
	sp_runtime::MultiSigner::from(pair.public()).into_account()
}
