//! Reading chain state and submitting signed extrinsics over JSON-RPC.

use std::time::Duration;

use anyhow::{anyhow, Context};
use codec::{Decode, Encode};
use jsonrpsee::{core::client::ClientT, http_client::HttpClient, rpc_params};
use serde_json::Value;
use sp_core::{Pair, H256};
use sp_runtime::{generic::Era, traits::IdentifyAccount};
use verinfer_runtime::{
	AccountId, Balance, Nonce, Runtime, RuntimeCall, SignedPayload, TxExtension, UncheckedExtrinsic,
};

use crate::wait_for;

/// A block's number and hash.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BlockRef {
	/// The block number.
	pub number: u32,
	/// The block hash.
	pub hash: H256,
}

fn parse_hash(v: &str) -> anyhow::Result<H256> {
	let bytes = hex::decode(v.trim_start_matches("0x"))?;
	(bytes.len() == 32)
		.then(|| H256::from_slice(&bytes))
		.ok_or_else(|| anyhow!("not a 32-byte hash: {v}"))
}

fn parse_number(v: &Value) -> anyhow::Result<u32> {
	let s = v.as_str().ok_or_else(|| anyhow!("block number is not a string: {v}"))?;
	Ok(u32::from_str_radix(s.trim_start_matches("0x"), 16)?)
}

/// The block `hash`, or the best block if `None`.
pub async fn header(rpc: &HttpClient, hash: Option<H256>) -> anyhow::Result<BlockRef> {
	let header: Value = rpc.request("chain_getHeader", rpc_params![hash]).await?;
	let number = parse_number(&header["number"])?;
	let hash = match hash {
		Some(h) => h,
		None => block_hash(rpc, number).await?.ok_or_else(|| anyhow!("no hash for #{number}"))?,
	};
	Ok(BlockRef { number, hash })
}

/// The best block.
pub async fn best(rpc: &HttpClient) -> anyhow::Result<BlockRef> {
	header(rpc, None).await
}

/// The last finalized block.
pub async fn finalized(rpc: &HttpClient) -> anyhow::Result<BlockRef> {
	let hash: String = rpc.request("chain_getFinalizedHead", rpc_params![]).await?;
	header(rpc, Some(parse_hash(&hash)?)).await
}

/// The hash of the canonical block at `number`, if the node has it.
pub async fn block_hash(rpc: &HttpClient, number: u32) -> anyhow::Result<Option<H256>> {
	let hash: Option<String> = rpc.request("chain_getBlockHash", rpc_params![number]).await?;
	hash.map(|h| parse_hash(&h)).transpose()
}

/// Waits until the finalized block is at least `number`.
pub async fn wait_finalized(
	rpc: &HttpClient,
	number: u32,
	timeout: Duration,
) -> anyhow::Result<BlockRef> {
	wait_for(&format!("block #{number} to be finalized"), timeout, || async {
		let f = finalized(rpc).await?;
		Ok((f.number >= number).then_some(f))
	})
	.await
}

/// The raw storage value at `key` in the best block.
pub async fn storage(rpc: &HttpClient, key: &[u8]) -> anyhow::Result<Option<Vec<u8>>> {
	storage_at(rpc, key, None).await
}

/// The raw storage value at `key` in block `at` (the best block if `None`).
pub async fn storage_at(
	rpc: &HttpClient,
	key: &[u8],
	at: Option<H256>,
) -> anyhow::Result<Option<Vec<u8>>> {
	let value: Option<String> = rpc
		.request("state_getStorage", rpc_params![format!("0x{}", hex::encode(key)), at])
		.await?;
	value
		.map(|v| hex::decode(v.trim_start_matches("0x")).map_err(Into::into))
		.transpose()
}

/// The VRF output of block `at`'s BABE author, as the runtime stored it for the next
/// block's randomness (`None` for a block without one).
pub async fn author_vrf_output(rpc: &HttpClient, at: H256) -> anyhow::Result<Option<[u8; 32]>> {
	let key = pallet_babe::AuthorVrfRandomness::<Runtime>::hashed_key();
	Ok(match storage_at(rpc, &key, Some(at)).await? {
		Some(raw) => Option::<[u8; 32]>::decode(&mut &raw[..])?,
		None => None,
	})
}

/// `who`'s free balance at the best block.
pub async fn free_balance(rpc: &HttpClient, who: &AccountId) -> anyhow::Result<Balance> {
	let key = frame_system::Account::<Runtime>::hashed_key_for(who);
	Ok(match storage(rpc, &key).await? {
		Some(raw) => {
			frame_system::AccountInfo::<Nonce, pallet_balances::AccountData<Balance>>::decode(
				&mut &raw[..],
			)?
			.data
			.free
		},
		None => 0,
	})
}

/// `who`'s nonce at the best block: how many of its transactions the chain has included.
pub async fn account_nonce(rpc: &HttpClient, who: &AccountId) -> anyhow::Result<Nonce> {
	let key = frame_system::Account::<Runtime>::hashed_key_for(who);
	Ok(match storage(rpc, &key).await? {
		Some(raw) => {
			frame_system::AccountInfo::<Nonce, pallet_balances::AccountData<Balance>>::decode(
				&mut &raw[..],
			)?
			.nonce
		},
		None => 0,
	})
}

/// Sets the dev chain's job terms to three auditors on every job, with the sudo key (which
/// stands in for a referendum); returns the terms set.
pub async fn three_auditors_per_job(
	rpc: &HttpClient,
) -> anyhow::Result<pallet_jobs::JobParams<Balance, u32>> {
	let mut params = verinfer_runtime::genesis_config_presets::job_params(true);
	params.auditors_per_job = 3;
	params.audit_probability = sp_runtime::Perbill::one();
	let set = verinfer_runtime::RuntimeCall::Jobs(pallet_jobs::Call::set_params {
		params: params.clone(),
	});
	let sudo = verinfer_runtime::RuntimeCall::Sudo(pallet_sudo::Call::sudo { call: Box::new(set) });
	submit_and_include(rpc, sp_keyring::Sr25519Keyring::Alice, sudo).await?;
	Ok(params)
}

/// The Jobs pallet's current parameters (what new jobs are submitted under).
pub async fn jobs_params(rpc: &HttpClient) -> anyhow::Result<pallet_jobs::JobParams<Balance, u32>> {
	let raw = storage(rpc, &pallet_jobs::Params::<Runtime>::hashed_key())
		.await?
		.context("no Jobs params")?;
	Ok(Decode::decode(&mut &raw[..])?)
}

/// `who`'s staking ledger (bond, role, whether on duty), if it ever bonded.
pub async fn stake_ledger(
	rpc: &HttpClient,
	who: &AccountId,
) -> anyhow::Result<Option<pallet_compute_staking::StakeLedger<Runtime>>> {
	let key = pallet_compute_staking::Ledgers::<Runtime>::hashed_key_for(who);
	storage(rpc, &key)
		.await?
		.map(|raw| Decode::decode(&mut &raw[..]).map_err(Into::into))
		.transpose()
}

/// `who`'s track record: jobs completed, audits passed and failed, missed deadlines.
pub async fn reputation(
	rpc: &HttpClient,
	who: &AccountId,
) -> anyhow::Result<verinfer_primitives::Reputation> {
	let key = pallet_compute_staking::Reputations::<Runtime>::hashed_key_for(who);
	Ok(match storage(rpc, &key).await? {
		Some(raw) => Decode::decode(&mut &raw[..])?,
		None => Default::default(),
	})
}

/// Signs `call` as `signer` with the node's current nonce, spec version and genesis hash.
pub async fn sign(
	rpc: &HttpClient,
	signer: &sp_core::sr25519::Pair,
	call: RuntimeCall,
) -> anyhow::Result<UncheckedExtrinsic> {
	let account: AccountId = sp_runtime::MultiSigner::from(signer.public()).into_account();
	let nonce: Nonce =
		rpc.request("system_accountNextIndex", rpc_params![account.to_string()]).await?;
	sign_with_nonce(rpc, signer, call, nonce).await
}

/// Signs `call` as `signer` with `nonce`, the node's spec version and genesis hash.
pub async fn sign_with_nonce(
	rpc: &HttpClient,
	signer: &sp_core::sr25519::Pair,
	call: RuntimeCall,
	nonce: Nonce,
) -> anyhow::Result<UncheckedExtrinsic> {
	let account: AccountId = sp_runtime::MultiSigner::from(signer.public()).into_account();
	let version: Value = rpc.request("state_getRuntimeVersion", rpc_params![]).await?;
	let spec_version = version["specVersion"].as_u64().context("specVersion")? as u32;
	let tx_version = version["transactionVersion"].as_u64().context("transactionVersion")? as u32;
	let genesis = block_hash(rpc, 0).await?.context("genesis hash")?;

	let extension: TxExtension = (
		frame_system::CheckNonZeroSender::new(),
		frame_system::CheckSpecVersion::new(),
		frame_system::CheckTxVersion::new(),
		frame_system::CheckGenesis::new(),
		frame_system::CheckEra::from(Era::Immortal),
		frame_system::CheckNonce::from(nonce),
		frame_system::CheckWeight::new(),
		pallet_transaction_payment::ChargeTransactionPayment::from(0),
		frame_metadata_hash_extension::CheckMetadataHash::new(false),
		frame_system::WeightReclaim::new(),
	);
	let implicit = ((), spec_version, tx_version, genesis, genesis, (), (), (), None, ());
	let payload = SignedPayload::from_raw(call.clone(), extension.clone(), implicit);
	let signature = payload.using_encoded(|bytes| signer.sign(bytes));
	Ok(UncheckedExtrinsic::new_signed(call, account.into(), signature.into(), extension))
}

/// Submits a signed extrinsic with `author_submitExtrinsic` and returns its hash.
pub async fn submit(rpc: &HttpClient, xt: &UncheckedExtrinsic) -> anyhow::Result<H256> {
	let hash: String = rpc
		.request("author_submitExtrinsic", rpc_params![format!("0x{}", hex::encode(xt.encode()))])
		.await?;
	parse_hash(&hash)
}

/// Finds the block, from `from` up to the best block, whose body contains `xt`.
pub async fn find_extrinsic(
	rpc: &HttpClient,
	from: u32,
	xt: &UncheckedExtrinsic,
) -> anyhow::Result<Option<BlockRef>> {
	let wanted = format!("0x{}", hex::encode(xt.encode()));
	let best = best(rpc).await?;
	for number in from..=best.number {
		let Some(hash) = block_hash(rpc, number).await? else { continue };
		let block: Value = rpc.request("chain_getBlock", rpc_params![hash]).await?;
		let found = block["block"]["extrinsics"]
			.as_array()
			.is_some_and(|xts| xts.iter().any(|x| x.as_str() == Some(wanted.as_str())));
		if found {
			return Ok(Some(BlockRef { number, hash }));
		}
	}
	Ok(None)
}

/// Fetches the node's Prometheus metrics page.
pub fn metrics(port: u16) -> anyhow::Result<String> {
	let response = ureq::get(&format!("http://127.0.0.1:{port}/metrics"))
		.timeout(Duration::from_secs(5))
		.call()?;
	Ok(response.into_string()?)
}

/// How long a test waits for one extrinsic to land in a block.
pub const INCLUSION: Duration = Duration::from_secs(30);

/// Waits until a block from `from` on includes `xt`.
pub async fn wait_included(
	rpc: &HttpClient,
	from: u32,
	xt: &UncheckedExtrinsic,
) -> anyhow::Result<BlockRef> {
	wait_for("the extrinsic to be included", INCLUSION, || async {
		find_extrinsic(rpc, from, xt).await
	})
	.await
}

/// Signs `call` as `who`, submits it and waits until a block includes it.
pub async fn submit_and_include(
	rpc: &HttpClient,
	who: sp_keyring::Sr25519Keyring,
	call: RuntimeCall,
) -> anyhow::Result<BlockRef> {
	let from = best(rpc).await?.number;
	let xt = sign(rpc, &who.pair(), call).await?;
	submit(rpc, &xt).await?;
	wait_included(rpc, from, &xt).await
}

/// `jobs_getJob(id)`: the job as a dApp sees it (`null` when unknown).
pub async fn job(rpc: &HttpClient, id: u64) -> anyhow::Result<Value> {
	Ok(rpc.request::<Value, _>("jobs_getJob", rpc_params![id]).await?)
}

/// Waits until job `id` reaches `status`; returns the job.
pub async fn wait_job_status(
	rpc: &HttpClient,
	id: u64,
	status: &str,
	timeout: Duration,
) -> anyhow::Result<Value> {
	wait_for(&format!("job {id} to reach {status}"), timeout, || async {
		let j = job(rpc, id).await?;
		Ok((j["status"] == status).then_some(j))
	})
	.await
}

/// `workers_list(model)`: the active workers serving `model`.
pub async fn workers(rpc: &HttpClient, model: u32) -> anyhow::Result<Vec<Value>> {
	let w: Value = rpc.request("workers_list", rpc_params![model]).await?;
	Ok(w.as_array().cloned().unwrap_or_default())
}

/// The id the registry gives the first model registered after genesis: the shipped models
/// and the genesis proposals come first.
pub fn next_model_id() -> u32 {
	let owner = sp_keyring::Sr25519Keyring::Alice.to_account_id();
	let genesis = verinfer_runtime::genesis_config_presets::shipped_models(owner.clone()).len()
		+ verinfer_runtime::genesis_config_presets::proposed_models(owner).len();
	genesis as u32
}
