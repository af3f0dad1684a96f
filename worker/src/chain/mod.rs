//! The chain side of the worker: a subxt client over WebSocket JSON-RPC, the signing key,
//! and typed reads of the registry, the bonds and the jobs.
//!
//! The call and storage interface is generated from `metadata/verinfer.scale`. A test in
//! the node workspace (`tests/tests/worker_metadata.rs`) fails when that file differs from
//! the runtime's metadata, and subxt itself refuses a call whose shape differs from the
//! connected node's metadata, so the worker never signs against a stale layout.
//!
//! A registry entry's spec and status are decoded with `verinfer-primitives`' own types
//! (subxt's `substitute_type`), the ones the runtime stores, so that the input schema the
//! worker checks before any compute is the very one the Jobs pallet checked at submission.
//!
//! Every read is at one block: [`Chain::finalized`], the latest finalized block, is the
//! only state that `mine`, `verify` and `submit` act on or report.

pub mod keys;

use std::time::Duration;

use anyhow::{anyhow, Context, Result};
use subxt::config::DefaultExtrinsicParamsBuilder;
use subxt::rpcs::{rpc_params, RpcClient};
use subxt::utils::AccountId32;
use subxt::{OnlineClient, SubstrateConfig};
pub use verinfer_primitives::JobId;
use verinfer_primitives::ModelId;

pub use keys::Key;

/// The interface generated from the runtime's metadata, with the primitives crate's model
/// types in place of generated copies.
#[subxt::subxt(
    runtime_metadata_path = "metadata/verinfer.scale",
    substitute_type(
        path = "verinfer_primitives::model::ModelSpec<A, B>",
        with = "::subxt::utils::Static<::verinfer_primitives::ModelSpec<[u8; 32], u128>>"
    ),
    substitute_type(
        path = "verinfer_primitives::generation::GenerationDraft",
        with = "::subxt::utils::Static<::verinfer_primitives::GenerationDraft>"
    ),
    substitute_type(
        path = "verinfer_primitives::model::ModelStatus",
        with = "::subxt::utils::Static<::verinfer_primitives::ModelStatus>"
    ),
    derive_for_type(path = "pallet_models::types::ModelInfo", derive = "Clone")
)]
pub mod runtime {}

/// verinfer's chain configuration: a standard Substrate chain (sr25519 `MultiSignature`,
/// 32-byte accounts, blake2-256 hashes, u32 block numbers).
pub type Config = SubstrateConfig;

/// subxt's transaction builder at one block.
pub type Transactions =
    subxt::transactions::TransactionsClient<Config, subxt::client::OnlineClientAtBlockImpl<Config>>;
/// subxt's client at one block.
pub type AtBlock =
    subxt::client::ClientAtBlock<Config, subxt::client::OnlineClientAtBlockImpl<Config>>;

/// A job as the Jobs pallet stores it.
pub type Job = runtime::runtime_types::pallet_jobs::types::Job;
/// A job's phase.
pub type JobStatus = runtime::runtime_types::pallet_jobs::types::JobStatus;
/// How a job's result was judged.
pub type Verdict = runtime::runtime_types::pallet_jobs::types::Verdict;

impl Verdict {
    /// Whether the result stands (and was paid for).
    pub fn accepted(&self) -> bool {
        matches!(
            self,
            Verdict::AcceptedUnaudited | Verdict::AcceptedByAudit | Verdict::AcceptedByGovernance
        )
    }
}
/// A job's revealed output.
pub type Output = Vec<u8>;
/// A registry entry, as `pallet_models` stores it.
pub type ModelInfo =
    runtime::runtime_types::pallet_models::types::ModelInfo<AccountId32, u128, u32>;

impl ModelInfo {
    /// The model's name, for logs.
    pub fn name(&self) -> String {
        String::from_utf8_lossy(&self.spec.name).into_owned()
    }

    /// Where the registry says the weights file can be fetched.
    pub fn location(&self) -> String {
        String::from_utf8_lossy(&self.spec.weights_location[..]).into_owned()
    }
}

/// A connection to a node: subxt's client plus the raw JSON-RPC client for the methods
/// subxt does not wrap (the pool-aware nonce and verinfer's `jobs_*` RPC).
#[derive(Clone)]
pub struct Chain {
    /// subxt's client.
    pub api: OnlineClient<Config>,
    /// The same connection's raw JSON-RPC.
    pub rpc: RpcClient,
    /// The node's URL, for messages.
    pub url: String,
}

impl Chain {
    /// Connects once.
    pub async fn connect(url: &str) -> Result<Self> {
        let rpc = RpcClient::from_insecure_url(url)
            .await
            .with_context(|| format!("cannot reach a node at {url}"))?;
        let api = OnlineClient::<Config>::from_rpc_client(rpc.clone())
            .await
            .with_context(|| format!("cannot read the chain's metadata from {url}"))?;
        Ok(Self {
            api,
            rpc,
            url: url.to_string(),
        })
    }

    /// Connects, retrying with exponential backoff (1 s doubling to 30 s) until `give_up`
    /// has passed, if given. Each failure is logged with what to check.
    pub async fn connect_with_backoff(url: &str, give_up: Option<Duration>) -> Result<Self> {
        let started = std::time::Instant::now();
        let mut delay = Duration::from_secs(1);
        loop {
            match Self::connect(url).await {
                Ok(chain) => return Ok(chain),
                Err(e) => {
                    if give_up.is_some_and(|g| started.elapsed() >= g) {
                        return Err(e.context(format!(
                            "gave up after {:?}: start a node (verinfer-node --dev) or pass --url",
                            started.elapsed()
                        )));
                    }
                    tracing::warn!("{e:#}; retrying in {delay:?}");
                    tokio::time::sleep(delay).await;
                    delay = (delay * 2).min(Duration::from_secs(30));
                }
            }
        }
    }

    /// The next nonce of `who`, counting transactions already in the node's pool.
    pub async fn next_nonce(&self, who: &AccountId32) -> Result<u64> {
        let n: u64 = self
            .rpc
            .request("system_accountNextIndex", rpc_params![who.to_string()])
            .await
            .context("system_accountNextIndex")?;
        Ok(n)
    }

    /// The latest finalized block: the state every role acts on and reports.
    pub async fn finalized(&self) -> Result<AtBlock> {
        retry_transient(|| self.api.at_current_block())
            .await
            .with_context(|| format!("reading the latest finalized block from {}", self.url))
    }

    /// A transactions client at the latest finalized block; make one per batch of
    /// submissions (it costs a few RPC round trips) and pass it to [`Self::submit`].
    pub async fn transactions(&self) -> Result<Transactions> {
        Ok(retry_transient(|| self.api.tx()).await?)
    }

    /// Signs `call` with `key` at `nonce` and hands it to the node's pool, without waiting.
    pub async fn submit<Call: subxt::transactions::Payload>(
        tx: &mut Transactions,
        key: &Key,
        call: &Call,
        nonce: u64,
    ) -> Result<()> {
        let params = DefaultExtrinsicParamsBuilder::<Config>::new()
            .nonce(nonce)
            .build();
        tx.sign_and_submit(call, key.pair(), params)
            .await
            .map_err(|e| anyhow!("{e}"))?;
        Ok(())
    }

    /// Signs and submits `call`, then waits until it is in a finalized block and
    /// succeeded; returns its events.
    pub async fn submit_and_finalize<Call: subxt::transactions::Payload>(
        &self,
        key: &Key,
        call: &Call,
    ) -> Result<subxt::extrinsics::ExtrinsicEvents<Config>> {
        let nonce = self.next_nonce(&key.account()).await?;
        let params = DefaultExtrinsicParamsBuilder::<Config>::new()
            .nonce(nonce)
            .build();
        let mut tx = self.transactions().await?;
        let progress = tx
            .sign_and_submit_then_watch(call, key.pair(), params)
            .await
            .map_err(|e| anyhow!("{e}"))?;
        let events = progress
            .wait_for_finalized_success()
            .await
            .map_err(|e| anyhow!("{e}"))?;
        Ok(events)
    }

    /// Every registry entry at the latest finalized block, by id.
    pub async fn models(&self) -> Result<Vec<(ModelId, ModelInfo)>> {
        let at = self.finalized().await?;
        let mut out = Vec::new();
        let mut iter = at
            .storage()
            .iter(runtime::storage().models().models(), ())
            .await?;
        while let Some(entry) = iter.next().await {
            let entry = entry?;
            let id: ModelId = entry.key()?.decode()?.0;
            let info = entry.value().decode().map_err(|e| {
                anyhow!("model {id}: the registry entry does not decode ({e}): is this worker built for this runtime?")
            })?;
            out.push((id, info));
        }
        out.sort_by_key(|(id, _)| *id);
        Ok(out)
    }

    /// A job at a given block (`None` once pruned or before it exists).
    pub async fn job_at(&self, at: &AtBlock, id: JobId) -> Result<Option<Job>> {
        let value = at
            .storage()
            .try_fetch(runtime::storage().jobs().jobs(), (id,))
            .await?;
        Ok(match value {
            Some(v) => Some(v.decode()?),
            None => None,
        })
    }

    /// The output `who` revealed for job `id`, at a given block.
    pub async fn output_at(
        &self,
        at: &AtBlock,
        id: JobId,
        who: &AccountId32,
    ) -> Result<Option<Output>> {
        let value = at
            .storage()
            .try_fetch(runtime::storage().jobs().outputs(), (id, *who))
            .await?;
        Ok(match value {
            Some(v) => Some(v.decode()?.0),
            None => None,
        })
    }

    /// Ids of the jobs not yet final at a given block whose worker or auditors include `who`.
    pub async fn open_jobs_of(&self, at: &AtBlock, who: &AccountId32) -> Result<Vec<JobId>> {
        let mut out = Vec::new();
        let mut iter = at
            .storage()
            .iter(runtime::storage().jobs().jobs(), ())
            .await?;
        while let Some(entry) = iter.next().await {
            let entry = entry?;
            let id: JobId = entry.key()?.decode()?.0;
            let job: Job = entry.value().decode()?;
            if is_final(&job.status) {
                continue;
            }
            let mine =
                job.worker.as_ref() == Some(who) || job.auditors.0.iter().any(|a| &a.who == who);
            if mine {
                out.push(id);
            }
        }
        out.sort_unstable();
        Ok(out)
    }
}

/// Runs `f` again, up to five times with a short growing pause, while it fails with the
/// one transient error seen under load: while blocks are finalized quickly, the node can
/// name a latest finalized block whose header subxt then fails to fetch.
async fn retry_transient<T, E, F, Fut>(mut f: F) -> Result<T, E>
where
    E: std::fmt::Display,
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, E>>,
{
    let mut attempt = 0u64;
    loop {
        match f().await {
            Err(e) if attempt < 5 && e.to_string().contains("cannot find the block header") => {
                attempt += 1;
                tokio::time::sleep(Duration::from_millis(100 * attempt)).await;
            }
            other => return other,
        }
    }
}

/// Whether a job has reached its end.
pub fn is_final(status: &JobStatus) -> bool {
    matches!(
        status,
        JobStatus::Finalized | JobStatus::Cancelled | JobStatus::Expired
    )
}

/// The bonded ledger of `who`, if any.
pub type Ledger = runtime::runtime_types::pallet_compute_staking::types::StakeLedger;
/// What a ledger bonded for.
pub type Role = runtime::runtime_types::pallet_compute_staking::types::Role;

impl Chain {
    /// `who`'s ledger at the latest finalized block.
    pub async fn ledger(&self, who: &AccountId32) -> Result<Option<Ledger>> {
        let at = self.finalized().await?;
        let value = at
            .storage()
            .try_fetch(runtime::storage().compute_staking().ledgers(), (*who,))
            .await?;
        Ok(match value {
            Some(v) => Some(v.decode()?),
            None => None,
        })
    }

    /// `who`'s free balance at the latest finalized block.
    pub async fn free_balance(&self, who: &AccountId32) -> Result<u128> {
        let at = self.finalized().await?;
        let value = at
            .storage()
            .try_fetch(runtime::storage().system().account(), (*who,))
            .await?;
        Ok(match value {
            Some(v) => v.decode()?.data.free,
            None => 0,
        })
    }

    /// A JSON-RPC call returning JSON, for the `jobs_*` methods.
    pub async fn call_json(
        &self,
        method: &str,
        params: subxt::rpcs::client::RpcParams,
    ) -> Result<serde_json::Value> {
        self.rpc
            .request::<serde_json::Value>(method, params)
            .await
            .with_context(|| format!("{method} on {}", self.url))
    }
}
