//! What a dApp does on chain, shared by `submit` and the gateway: price a job, submit it
//! (with locally counted nonces, so that many submissions from one account do not wait on
//! each other), follow it block by block, and read its result.

use std::time::{Duration, Instant};

use anyhow::{anyhow, Context, Result};
use subxt::config::DefaultExtrinsicParamsBuilder;
use subxt::rpcs::rpc_params;
use tokio::sync::{broadcast, Mutex};

use crate::chain::{self, runtime, AtBlock, Chain, Config, Job, JobId, Key};
use crate::roles::format_inf;

/// `jobs_estimateFee`'s `suggestedMaxFee` for a job of `model` with `input_len` bytes, or
/// `None` when no worker serves the model.
pub async fn suggested_fee(chain: &Chain, model: u32, input_len: usize) -> Result<Option<u128>> {
    let est = chain
        .call_json("jobs_estimateFee", rpc_params![model, input_len as u32])
        .await?;
    match est["suggestedMaxFee"].as_str() {
        Some(s) => Ok(Some(s.parse().context("suggestedMaxFee is not a number")?)),
        None => Ok(None),
    }
}

/// The nonces of one signing account, counted here: read once from the node's pool-aware
/// `system_accountNextIndex`, then incremented per submission, and read again after a
/// submission was refused.
#[derive(Default)]
pub struct Nonces {
    next: Mutex<Option<u64>>,
}

/// Submits `submit_job(model, input, max_fee)` signed by `key` and waits until it is in a
/// finalized block; returns the job id.
pub async fn submit_job(
    chain: &Chain,
    key: &Key,
    nonces: &Nonces,
    model: u32,
    input: Vec<u8>,
    max_fee: u128,
) -> Result<JobId> {
    let call = runtime::tx().jobs().submit_job(
        model,
        runtime::runtime_types::bounded_collections::bounded_vec::BoundedVec(input),
        max_fee,
        None,
    );
    let progress = {
        let mut next = nonces.next.lock().await;
        let nonce = match *next {
            Some(n) => n,
            None => chain.next_nonce(&key.account()).await?,
        };
        let params = DefaultExtrinsicParamsBuilder::<Config>::new()
            .nonce(nonce)
            .build();
        let mut tx = chain.transactions().await?;
        match tx
            .sign_and_submit_then_watch(&call, key.pair(), params)
            .await
        {
            Ok(progress) => {
                *next = Some(nonce.saturating_add(1));
                progress
            }
            Err(e) => {
                *next = None;
                return Err(anyhow!("the node refused submit_job: {e}"));
            }
        }
    };
    let events = progress
        .wait_for_finalized_success()
        .await
        .map_err(|e| anyhow!("submit_job failed: {e}"))?;
    let submitted = events
        .find_first::<runtime::jobs::events::JobSubmitted>()
        .ok_or_else(|| anyhow!("submit_job succeeded but emitted no JobSubmitted event"))??;
    Ok(submitted.job)
}

/// Finalized blocks, for everyone waiting on jobs: one subscription, shared.
#[derive(Clone)]
pub struct Blocks {
    tx: broadcast::Sender<()>,
}

impl Blocks {
    /// Follows `chain`'s finalized blocks in the background, reconnecting when the stream
    /// ends.
    pub fn follow(chain: Chain) -> Self {
        let (tx, _) = broadcast::channel(64);
        let sender = tx.clone();
        tokio::spawn(async move {
            loop {
                match chain.api.stream_blocks().await {
                    Ok(mut blocks) => {
                        while let Some(block) = blocks.next().await {
                            match block {
                                Ok(_) => {
                                    let _ = sender.send(());
                                }
                                Err(e) => {
                                    tracing::warn!("the finalized block stream failed: {e}");
                                    break;
                                }
                            }
                        }
                    }
                    Err(e) => tracing::warn!("cannot follow finalized blocks: {e}"),
                }
                tokio::time::sleep(Duration::from_secs(2)).await;
            }
        });
        Self { tx }
    }

    /// Waits for the next finalized block, or at most `max`.
    pub async fn next(&self, rx: &mut broadcast::Receiver<()>, max: Duration) {
        let _ = tokio::time::timeout(max, rx.recv()).await;
    }

    /// A receiver woken at every finalized block.
    pub fn subscribe(&self) -> broadcast::Receiver<()> {
        self.tx.subscribe()
    }
}

/// A job as it stands at a finalized block.
pub struct Snapshot {
    /// The block.
    pub at: AtBlock,
    /// The job.
    pub job: Job,
}

impl Snapshot {
    /// The job's phase, as the runtime names it.
    pub fn status(&self) -> String {
        format!("{:?}", self.job.status)
    }
}

/// Follows job `id` at every finalized block until `done` says so, calling `progress` on
/// every change of phase; fails once `timeout` has passed.
pub async fn follow_job(
    chain: &Chain,
    blocks: &Blocks,
    id: JobId,
    timeout: Duration,
    done: impl Fn(&Job) -> bool,
    mut progress: impl FnMut(&Snapshot),
) -> Result<Snapshot, FollowError> {
    let deadline = Instant::now() + timeout;
    let mut rx = blocks.subscribe();
    let mut last = None;
    loop {
        let at = chain.finalized().await.map_err(FollowError::Chain)?;
        let job = chain
            .job_at(&at, id)
            .await
            .map_err(FollowError::Chain)?
            .ok_or_else(|| FollowError::Chain(anyhow!("job {id} is not on chain (pruned?)")))?;
        let snapshot = Snapshot { at, job };
        let status = snapshot.status();
        if last.as_ref() != Some(&status) {
            progress(&snapshot);
            last = Some(status);
        }
        if done(&snapshot.job) {
            return Ok(snapshot);
        }
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(FollowError::Timeout {
                status: snapshot.status(),
            });
        }
        blocks.next(&mut rx, left.min(Duration::from_secs(6))).await;
    }
}

/// Why following a job stopped.
#[derive(Debug)]
pub enum FollowError {
    /// The job was not done in time; its phase then.
    Timeout {
        /// The phase.
        status: String,
    },
    /// The node failed.
    Chain(anyhow::Error),
}

/// Whether a job has a final verdict.
pub fn is_final(job: &Job) -> bool {
    chain::is_final(&job.status)
}

/// Whether the worker's output is on chain (revealed), final or not.
pub fn is_revealed(job: &Job) -> bool {
    job.revealed || is_final(job)
}

/// The worker's output of a job: once revealed, or for an LLM (generation) job its draft,
/// public from the commit on (and, for a final job, only when its result was accepted).
pub async fn output_of(chain: &Chain, snapshot: &Snapshot, id: JobId) -> Result<Option<Vec<u8>>> {
    let job = &snapshot.job;
    if is_final(job) && !job.verdict.as_ref().is_some_and(chain::Verdict::accepted) {
        return Ok(None);
    }
    match &job.worker {
        Some(worker) if job.revealed || job.commitment.is_some() => {
            chain.output_at(&snapshot.at, id, worker).await
        }
        _ => Ok(None),
    }
}

/// Whether an LLM job's draft is out: its worker committed (or the job is final).
pub fn is_drafted(job: &Job) -> bool {
    job.commitment.is_some() || is_final(job)
}

/// What `submit` and the gateway say about how a job was verified.
pub fn proof_json(snapshot: &Snapshot, id: JobId) -> serde_json::Value {
    let job = &snapshot.job;
    serde_json::json!({
        "job": id,
        "status": snapshot.status(),
        "block": snapshot.at.block_number(),
        "verdict": job.verdict.as_ref().map_or_else(|| "pending".to_owned(), |v| format!("{v:?}")),
        "accepted": job.verdict.as_ref().is_some_and(chain::Verdict::accepted),
        "audited": job.audited,
        "auditors": job.auditors.0.iter().map(|a| a.who.to_string()).collect::<Vec<_>>(),
        "worker": job.worker.as_ref().map(|w| w.to_string()),
        "fee": job.fee.to_string(),
        "fee_inf": format_inf(job.fee),
        "commitment": job.commitment.map(|c| format!("0x{}", hex::encode(c))),
        "seed": format!("0x{}", hex::encode(job.seed)),
    })
}
