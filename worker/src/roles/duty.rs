//! The loop behind `mine` and `verify`: follow finalized blocks, find the jobs this
//! account owes something, run them (batched per model), commit, and reveal once the
//! commitment is final and the reveal phase is open.
//!
//! The loop is driven by chain state, not by memory: at start, and after every reconnect,
//! it scans the open jobs for this account, and every finalized block it re-reads each
//! job it holds and does what the job's phase asks. Salts are derived from the key (see
//! [`crate::chain::Key::salt`]) and outputs are recomputed when missing, so a restarted
//! worker still reveals what it committed before the restart.
//!
//! Only finalized state is acted on, so a reveal is never sent before its commitment is
//! in a finalized block.
//!
//! ## Keeping up under load
//!
//! - **One transaction per step and block.** Every commit, reveal and release this
//!   account owes at a block goes out in one batched call (`commit_results`,
//!   `reveal_results`, `commit_audits`, `reveal_audits`, `release_jobs`), split only at
//!   the runtime's `MaxBatch`.
//! - **Never twice.** Each transaction is watched until it is in a finalized block. While
//!   it is in the pool or in a block, the steps it carries are not sent again; they are
//!   sent again only when the node dropped or refused it, when it landed and failed, or
//!   when its mortal era ran out.
//! - **Local nonces.** Nonces are counted here from the pool-aware `system_accountNextIndex`,
//!   read once per session and again only after a transaction was refused or dropped.
//! - **Mortal eras anchored on finality.** A transaction is valid for
//!   [`MORTAL_PERIOD`] blocks from the finalized block it was built at, long enough for a
//!   dev chain that seals several blocks a second, and is rebuilt at a newer block after.
//! - **Deliver or release.** A miner that cannot run a job (its model refuses the input)
//!   or would not make the commit deadline hands the job back with `release_jobs`, which
//!   costs nothing, instead of missing the deadline. The chain never assigns it more jobs
//!   than the capacity it declared, so a burst of jobs waits in the chain's queue.
//! - **Behind is visible.** `verinfer_worker_blocks_behind`, the smallest deadline slack
//!   and the transactions in flight are metrics, and falling behind is logged.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{anyhow, Context as _, Result};
use futures::{FutureExt, StreamExt};
use subxt::config::DefaultExtrinsicParamsBuilder;
use subxt::utils::AccountId32;
use verinfer_primitives::{commitment, ModelId, TensorSchema};

use crate::chain::{is_final, runtime, AtBlock, Chain, Job, JobId, JobStatus, Key};
use crate::engine::Engine;
use crate::metrics::Metrics;

mod batch;
mod compute;
pub mod faults;
mod results;
mod role;
mod served;

use batch::{max_extrinsic_weight, sign_batch, weight_of, Batch, Items, Output};
use compute::compute_outputs;
pub use results::{Assignment, Results};
pub use role::Duty;
pub use served::{keep_loaded, match_models, Served};

/// How many blocks a transaction stays valid after the finalized block it was built at:
/// shorter than any commit window, so a transaction stuck in a pool expires, and is sent
/// again, while its job can still be delivered.
pub const MORTAL_PERIOD: u64 = 32;

/// A miner releases a job instead of committing it when fewer blocks than this are left
/// before the commit deadline (counted from finalized state, which lags the best block by
/// a few blocks on a GRANDPA chain): a commit sent now might land too late, and one late
/// item would fail the whole batch it is in.
pub const RELEASE_MARGIN: u32 = 6;

/// The most output bytes revealed in one transaction, well inside a block.
const MAX_REVEAL_BYTES: usize = 512 * 1024;

/// Settings of the loop.
#[derive(Clone, Debug)]
pub struct DutySettings {
    /// The role.
    pub duty: Duty,
    /// The largest batch sent to the inference thread.
    pub max_batch: usize,
    /// TESTING ONLY: the share of jobs whose output a miner corrupts on purpose.
    pub cheat_fraction: f64,
    /// TESTING ONLY: how a miner cheats on an LLM job.
    pub cheat_kind: faults::CheatKind,
}

/// A protocol step of one job that this account sends.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Step {
    Commit,
    Reveal,
    Release,
}

impl Step {
    fn label(self) -> &'static str {
        match self {
            Step::Commit => "commit",
            Step::Reveal => "reveal",
            Step::Release => "release",
        }
    }
}

/// A step of one assignment of a job.
type StepKey = (JobId, u8, Step);

/// Where a sent step is.
#[derive(Clone, Copy, Debug)]
enum Sent {
    /// In the pool or in a block not final yet; its transaction is valid up to this block.
    Pending { until: u64 },
    /// In a finalized block, and the transaction succeeded.
    Landed,
}

/// The steps in flight, shared with the tasks that watch their transactions.
#[derive(Default, Debug)]
struct TxBook {
    /// Keyed by job, assignment (a requeued job is a new assignment, with new steps) and
    /// step.
    sent: HashMap<StepKey, Sent>,
    /// A transaction was refused or dropped: the nonces after it are void.
    resync_nonce: bool,
}

#[derive(Default, Debug)]
struct Held {
    output: Option<Vec<u8>>,
    /// The model cannot run the input: a miner releases the job, an auditor skips it.
    refused: bool,
    /// The job's assignment count when last read (`Job::attempts`).
    attempt: u8,
    /// The block by which this account's commitment must land, when last read.
    commit_by: u64,
    /// The metric label of the job's model (its registry name), once known.
    model_label: String,
    /// The sampling seed the chain drew for the assignment, when last read.
    seed: [u8; 32],
    /// A generation job's draft: the one a miner publishes with its commitment, or the
    /// one an auditor read from the chain to teacher-force.
    draft: Option<Vec<u8>>,
    /// The hash of the job's input (as submitted).
    input_hash: [u8; 32],
}

/// The state that survives reconnects.
#[derive(Default)]
pub struct DutyState {
    held: BTreeMap<JobId, Held>,
    book: Arc<Mutex<TxBook>>,
    nonce: Option<u64>,
}

/// Everything the loop needs.
pub struct DutyContext {
    /// The signing key.
    pub key: Key,
    /// The inference engine.
    pub engine: Engine,
    /// The models served, by registry id.
    pub served: BTreeMap<ModelId, Served>,
    /// Metrics.
    pub metrics: Metrics,
    /// Settings.
    pub settings: DutySettings,
    /// Where a generation miner keeps its results from commit to reveal.
    pub results: Results,
}

/// What one block asks of this account.
#[derive(Default)]
struct Plan {
    /// Jobs to commit: (job, model, input, input hash).
    commit: Vec<(JobId, ModelId, Vec<u8>, [u8; 32])>,
    /// Jobs to reveal.
    reveal: Vec<(JobId, ModelId, Vec<u8>, [u8; 32])>,
    /// Jobs to hand back, with the reason (for the metric).
    release: Vec<(JobId, &'static str)>,
}

impl Plan {
    fn is_empty(&self) -> bool {
        self.commit.is_empty() && self.reveal.is_empty() && self.release.is_empty()
    }
}

fn lock(book: &Mutex<TxBook>) -> std::sync::MutexGuard<'_, TxBook> {
    book.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Runs the loop until the connection fails; the caller reconnects and calls it again.
pub async fn run_session(chain: &Chain, ctx: &DutyContext, state: &mut DutyState) -> Result<()> {
    let me = ctx.key.account();
    let role = ctx.settings.duty.label();
    let at = chain.finalized().await?;
    for id in chain.open_jobs_of(&at, &me).await? {
        state.held.entry(id).or_default();
    }
    let max_batch = at
        .constants()
        .entry(runtime::constants().jobs().max_batch())
        .context("reading Jobs::MaxBatch")? as usize;
    // Nonces start again from the node's view on every connection.
    state.nonce = None;
    tracing::info!(
        "{role}: following finalized blocks from #{} with {} open job(s)",
        at.block_number(),
        state.held.len()
    );
    let mut blocks = chain.api.stream_blocks().await?;
    while let Some(block) = blocks.next().await {
        // Under load blocks can arrive faster than one round of work; take every block that
        // is already waiting, read each one's events, and act once on the newest state.
        let mut ready = vec![block.context("the finalized block stream failed")?];
        while let Some(Some(next)) = blocks.next().now_or_never() {
            ready.push(next.context("the finalized block stream failed")?);
        }
        let behind = ready.len().saturating_sub(1);
        ctx.metrics
            .blocks_behind
            .with_label_values(&[role])
            .set(behind as u64);
        if behind >= 8 {
            tracing::warn!(
                "{role}: {behind} finalized blocks were waiting; catching up on the newest"
            );
        }
        // Their events, fetched side by side, say which jobs are new to this account.
        let fetched: Vec<Result<_>> = futures::stream::iter(ready)
            .map(|block| async move {
                let at = block.at().await?;
                let events = at.events().fetch().await?;
                Ok::<_, anyhow::Error>(events)
            })
            .buffered(8)
            .collect()
            .await;
        for events in fetched {
            note_new_jobs(ctx, state, &events?, &me)?;
        }
        // Act on the newest finalized state, not on the block that woke the loop: when the
        // loop is slower than the chain, an older block's state would send steps that are
        // no longer due.
        let at = chain.finalized().await?;
        let number = at.block_number();
        let plan = plan(chain, ctx, state, &at, &me).await?;
        act(chain, ctx, state, &at, plan, max_batch).await?;
        ctx.metrics
            .finalized_block
            .with_label_values(&[role])
            .set(number);
        let in_flight = lock(&state.book)
            .sent
            .values()
            .filter(|s| matches!(s, Sent::Pending { .. }))
            .count();
        ctx.metrics
            .transactions_in_flight
            .with_label_values(&[role])
            .set(in_flight as u64);
    }
    Err(anyhow!("the node closed the finalized block stream"))
}

/// Starts holding the jobs that `events` assign to this account (as worker or auditor).
fn note_new_jobs(
    ctx: &DutyContext,
    state: &mut DutyState,
    events: &subxt::events::Events<crate::chain::Config>,
    me: &AccountId32,
) -> Result<()> {
    for ev in events.iter() {
        let ev = ev?;
        // Either side is taken off duty for missing deadlines in several blocks in a row.
        if let Some(Ok(c)) = ev.decode_fields_as::<runtime::jobs::events::ChilledForMisses>() {
            if &c.who == me {
                tracing::error!(
                    "taken off duty after missing deadlines in {} blocks in a row: no new {} until you fix the cause and call computeStaking.activate",
                    c.misses,
                    ctx.settings.duty.work()
                );
            }
        }
        if let Some(job) = ctx.settings.duty.job_given(&ev, me) {
            state.held.entry(job).or_default();
        }
    }
    Ok(())
}

/// Whether `step` of `job` may be sent now: not in flight and not landed. A pending step
/// whose mortal era ended by block `now` is given up, and its nonce with it.
fn may_send(book: &mut TxBook, (job, attempt, step): StepKey, now: u64) -> bool {
    match book.sent.get(&(job, attempt, step)) {
        None => true,
        Some(Sent::Landed) => false,
        Some(Sent::Pending { until }) if *until < now => {
            tracing::warn!(
                "job {job}: the {} transaction expired unincluded; sending it again",
                step.label()
            );
            book.sent.remove(&(job, attempt, step));
            book.resync_nonce = true;
            true
        }
        Some(Sent::Pending { .. }) => false,
    }
}

async fn plan(
    chain: &Chain,
    ctx: &DutyContext,
    state: &mut DutyState,
    at: &AtBlock,
    me: &AccountId32,
) -> Result<Plan> {
    let now = at.block_number();
    let mut plan = Plan::default();
    let mut done = Vec::new();
    let mut slack: Option<u64> = None;
    // Read every held job at `at`, several requests in flight at once.
    let ids: Vec<JobId> = state.held.keys().copied().collect();
    let jobs: Vec<(JobId, Result<Option<Job>>)> = futures::stream::iter(ids)
        .map(|id| async move { (id, chain.job_at(at, id).await) })
        .buffered(16)
        .collect()
        .await;
    let mut by_id: BTreeMap<JobId, Option<Job>> = BTreeMap::new();
    for (id, job) in jobs {
        by_id.insert(id, job?);
    }
    let mut jobs = by_id;
    for (&id, held) in state.held.iter_mut() {
        let Some(job) = jobs.remove(&id).flatten() else {
            done.push(id);
            continue;
        };
        if is_final(&job.status) {
            done.push(id);
            continue;
        }
        let Some((committed, revealed)) = ctx.settings.duty.part(&job, me) else {
            // Reassigned away or released, or not (yet) an auditor of it.
            if ctx.settings.duty.no_part_means_gone() {
                done.push(id);
            }
            continue;
        };
        let item = (id, job.model, job.input.0.clone(), job.input_hash);
        held.attempt = job.attempts;
        held.seed = job.seed;
        // An auditor of a generation teacher-forces the draft its miner published.
        if ctx.settings.duty == Duty::Verify
            && held.draft.is_none()
            && ctx
                .served
                .get(&job.model)
                .is_some_and(Served::is_generation)
        {
            if let Some(worker) = &job.worker {
                held.draft = chain.output_at(at, id, worker).await?;
            }
        }
        held.model_label = ctx
            .served
            .get(&job.model)
            .map_or_else(|| "unknown".to_owned(), |s| s.label().to_owned());
        let key = |step| (id, job.attempts, step);
        let commit_phase = ctx.settings.duty.commits_in(&job.status);
        if commit_phase && !committed {
            held.commit_by = u64::from(job.phase_ends);
            let left = held.commit_by.saturating_sub(now);
            if ctx.settings.duty.releases() {
                slack = Some(slack.map_or(left, |s| s.min(left)));
                let late = left < u64::from(RELEASE_MARGIN);
                if held.refused || late {
                    if may_send(&mut lock(&state.book), key(Step::Release), now) {
                        plan.release
                            .push((id, if held.refused { "input" } else { "late" }));
                    }
                    continue;
                }
            } else if held.refused {
                continue;
            }
            if may_send(&mut lock(&state.book), key(Step::Commit), now) {
                plan.commit.push(item);
            }
        } else if matches!(job.status, JobStatus::Revealing)
            && committed
            && !revealed
            && may_send(&mut lock(&state.book), key(Step::Reveal), now)
        {
            plan.reveal.push(item);
        }
    }
    for id in done {
        state.held.remove(&id);
        ctx.results.forget(id);
    }
    // Steps of jobs no longer held are forgotten (a job reassigned to this worker later
    // starts afresh).
    lock(&state.book)
        .sent
        .retain(|(job, _, _), _| state.held.contains_key(job));
    if let Some(left) = slack {
        ctx.metrics
            .deadline_slack_blocks
            .with_label_values(&[ctx.settings.duty.label()])
            .set(left);
        if left < u64::from(RELEASE_MARGIN) * 2 {
            tracing::warn!(
                "mine: a held job's commit deadline is {left} block(s) away; behind the chain"
            );
        }
    }
    let (to_commit, to_reveal) = (plan.commit.len() as u64, plan.reveal.len() as u64);
    ctx.metrics
        .open_jobs
        .with_label_values(&[ctx.settings.duty.label(), "to_commit"])
        .set(to_commit);
    ctx.metrics
        .open_jobs
        .with_label_values(&[ctx.settings.duty.label(), "to_reveal"])
        .set(to_reveal);
    Ok(plan)
}

/// The assignment of `job` the plan read.
fn attempt(state: &DutyState, job: JobId) -> u8 {
    state.held.get(&job).map_or(0, |h| h.attempt)
}

async fn act(
    chain: &Chain,
    ctx: &DutyContext,
    state: &mut DutyState,
    at: &AtBlock,
    plan: Plan,
    max_batch: usize,
) -> Result<()> {
    if plan.is_empty() {
        return Ok(());
    }
    let role = ctx.settings.duty.label();
    let wanted: Vec<_> = plan.commit.iter().chain(&plan.reveal).cloned().collect();
    compute_outputs(ctx, state, &wanted).await?;

    let max_batch = max_batch.max(1);
    let mut batches = Vec::new();
    // Releases first: a job this worker cannot run goes back to the queue at once.
    let mut release: Vec<(JobId, &'static str)> = plan.release;
    // Running the batch took blocks (on a dev chain, several a second): a commit that would
    // now land too close to its deadline is released instead, never sent late.
    let now = if ctx.settings.duty.releases() && !plan.commit.is_empty() {
        chain.finalized().await?.block_number()
    } else {
        at.block_number()
    };
    let mut late = std::collections::BTreeSet::new();
    for (job, _, _, _) in &plan.commit {
        let Some(held) = state.held.get(job) else {
            continue;
        };
        if !ctx.settings.duty.releases() {
            continue;
        }
        if held.refused {
            release.push((*job, "input"));
        } else if held.commit_by.saturating_sub(now) < u64::from(RELEASE_MARGIN)
            && may_send(
                &mut lock(&state.book),
                (*job, held.attempt, Step::Release),
                now,
            )
        {
            release.push((*job, "late"));
            late.insert(*job);
        }
    }
    for chunk in release.chunks(max_batch) {
        for (job, reason) in chunk {
            tracing::info!(
                "job {job}: releasing it ({})",
                if *reason == "input" {
                    "the model cannot run its input"
                } else {
                    "too close to its commit deadline"
                }
            );
            ctx.metrics.released.with_label_values(&[reason]).inc();
        }
        let jobs: Vec<JobId> = chunk.iter().map(|(j, _)| *j).collect();
        batches.push(Batch {
            steps: jobs
                .iter()
                .map(|j| (*j, attempt(state, *j), Step::Release))
                .collect(),
            items: Items::Release(jobs),
        });
    }
    // Commits.
    let mut commits = Vec::new();
    for (job, model, _, input_hash) in plan.commit.iter().filter(|(j, ..)| !late.contains(j)) {
        let (Some(held), Some(served)) = (state.held.get(job), ctx.served.get(model)) else {
            continue;
        };
        let Some(output) = held.output.as_ref() else {
            continue;
        };
        let salt = ctx.key.salt(*job, role);
        let c = commitment(
            *job,
            &ctx.key.account_bytes(),
            &served.info.spec.weights_hash,
            input_hash,
            output,
            &salt,
        );
        // A generation miner publishes its draft with its commitment, one job per call.
        if ctx.settings.duty == Duty::Mine && served.is_generation() {
            match held.draft.as_deref().map(crate::llm::job::decode_draft) {
                Some(Ok(draft)) => batches.push(Batch {
                    steps: vec![(*job, held.attempt, Step::Commit)],
                    items: Items::CommitGeneration(*job, c, Box::new(draft)),
                }),
                _ => tracing::warn!("job {job}: no draft to publish; not committing"),
            }
            continue;
        }
        commits.push((*job, c));
    }
    for chunk in commits.chunks(max_batch) {
        batches.push(Batch {
            steps: chunk
                .iter()
                .map(|(j, _)| (*j, attempt(state, *j), Step::Commit))
                .collect(),
            items: Items::Commit(chunk.to_vec()),
        });
    }
    // Reveals, split by count and by bytes.
    let mut reveals: Vec<Vec<(JobId, Output, [u8; 32])>> = vec![Vec::new()];
    let mut bytes = 0usize;
    for (job, _, _, _) in &plan.reveal {
        let Some(output) = state.held.get(job).and_then(|h| h.output.clone()) else {
            continue;
        };
        let last = reveals.last().map_or(0, Vec::len);
        if last >= max_batch || (last > 0 && bytes + output.len() > MAX_REVEAL_BYTES) {
            reveals.push(Vec::new());
            bytes = 0;
        }
        bytes += output.len();
        if let Some(current) = reveals.last_mut() {
            current.push((*job, Output(output), ctx.key.salt(*job, role)));
        }
    }
    for items in reveals.into_iter().filter(|r| !r.is_empty()) {
        let steps = items
            .iter()
            .map(|(j, _, _)| (*j, attempt(state, *j), Step::Reveal))
            .collect();
        batches.push(Batch {
            items: Items::Reveal(items),
            steps,
        });
    }
    send(chain, ctx, state, at, batches).await
}

/// Signs and submits each batch with the next local nonce, mortal from `at`, and hands
/// each to a task that watches it until it is final.
async fn send(
    chain: &Chain,
    ctx: &DutyContext,
    state: &mut DutyState,
    at: &AtBlock,
    batches: Vec<Batch>,
) -> Result<()> {
    if batches.is_empty() {
        return Ok(());
    }
    let role = ctx.settings.duty.label();
    let me = ctx.key.account();
    let chain_nonce = |state: &mut DutyState| {
        let mut book = lock(&state.book);
        let resync = std::mem::take(&mut book.resync_nonce);
        resync || state.nonce.is_none()
    };
    if chain_nonce(state) {
        state.nonce = Some(chain.next_nonce(&me).await?);
    }
    let mut tx = at.tx();
    let until = at.block_number().saturating_add(MORTAL_PERIOD);
    let limit = max_extrinsic_weight(at)?;
    let mut queue: std::collections::VecDeque<Batch> = batches.into();
    while let Some(batch) = queue.pop_front() {
        let Some(nonce) = state.nonce else { break };
        let params = DefaultExtrinsicParamsBuilder::<crate::chain::Config>::new()
            .nonce(nonce)
            .mortal(MORTAL_PERIOD)
            .build();
        let call_name = batch.steps.first().map_or("batch", |(_, _, s)| s.label());
        let started = Instant::now();
        let signed =
            match sign_batch(&mut tx, &ctx.key, ctx.settings.duty, &batch.items, params).await {
                Ok(signed) => signed,
                Err(e) => {
                    tracing::warn!(
                    "{call_name}: cannot build the transaction ({e}); retrying at the next block"
                );
                    break;
                }
            };
        // A batch heavier than one transaction may be is split in two, so the pool never
        // refuses it for exhausting the block's limits.
        let (ref_time, proof_size) = weight_of(chain, at, signed.encoded()).await?;
        if ref_time > limit.0 || proof_size > limit.1 {
            if batch.items.len() > 1 {
                let (a, b) = batch.items.split();
                let cut = a.len();
                let (sa, sb) = (batch.steps[..cut].to_vec(), batch.steps[cut..].to_vec());
                queue.push_front(Batch {
                    items: b,
                    steps: sb,
                });
                queue.push_front(Batch {
                    items: a,
                    steps: sa,
                });
            } else {
                tracing::error!("{call_name} of job {:?}: one item weighs more than a transaction may; skipping it", batch.steps);
            }
            continue;
        }
        match signed.submit_and_watch().await {
            Ok(progress) => {
                state.nonce = Some(nonce + 1);
                {
                    let mut book = lock(&state.book);
                    for step in &batch.steps {
                        book.sent.insert(*step, Sent::Pending { until });
                    }
                }
                tracing::info!(
                    "{call_name}: sent {} job(s) in one transaction (nonce {nonce})",
                    batch.steps.len()
                );
                let book = state.book.clone();
                let metrics = ctx.metrics.clone();
                let revealed: Vec<String> = batch
                    .steps
                    .iter()
                    .filter(|(_, _, step)| *step == Step::Reveal)
                    .map(|(job, _, _)| {
                        state
                            .held
                            .get(job)
                            .map_or_else(|| "unknown".to_owned(), |h| h.model_label.clone())
                    })
                    .collect();
                let steps = batch.steps;
                tokio::spawn(async move {
                    let outcome = progress.wait_for_finalized_success().await;
                    let mut book = lock(&book);
                    match outcome {
                        Ok(_) => {
                            metrics
                                .transactions
                                .with_label_values(&[role, call_name, "final"])
                                .inc();
                            for model in revealed {
                                metrics
                                    .jobs_done
                                    .with_label_values(&[role, model.as_str()])
                                    .inc();
                            }
                            tracing::debug!("{call_name}: final after {:.1?}", started.elapsed());
                            for step in steps {
                                book.sent.insert(step, Sent::Landed);
                            }
                        }
                        Err(e) => {
                            let landed = matches!(
                                e,
                                subxt::error::TransactionFinalizedSuccessError::SuccessError(_)
                            );
                            let outcome = if landed { "failed" } else { "dropped" };
                            metrics
                                .transactions
                                .with_label_values(&[role, call_name, outcome])
                                .inc();
                            tracing::warn!("{call_name} of jobs {:?}: {e}; the steps go again from chain state", steps.iter().map(|s| s.0).collect::<Vec<_>>());
                            for step in steps {
                                book.sent.remove(&step);
                            }
                            if !landed {
                                book.resync_nonce = true;
                            }
                        }
                    }
                });
            }
            Err(e) => {
                ctx.metrics
                    .transactions
                    .with_label_values(&[role, call_name, "refused"])
                    .inc();
                ctx.metrics
                    .failures
                    .with_label_values(&[role, "submit"])
                    .inc();
                tracing::warn!("{call_name}: the node refused the transaction ({e}); retrying at the next block");
                state.nonce = None;
                break;
            }
        }
    }
    Ok(())
}

/// The registry's input schema check, the one the Jobs pallet ran at submission.
fn check_input(schema: &TensorSchema, input: &[u8]) -> Result<()> {
    schema.check(input).map_err(|e| {
        anyhow!(
            "{e:?} (the model's input schema is {:?} with at most {} bytes)",
            schema.element,
            schema.max_bytes
        )
    })
}

/// Runs `run_session` forever, reconnecting with backoff (1 s doubling to 30 s) whenever
/// the node goes away, until Ctrl-C.
pub async fn run_forever(url: &str, ctx: &DutyContext) -> Result<()> {
    let mut state = DutyState::default();
    let mut delay = Duration::from_secs(1);
    loop {
        let chain = tokio::select! {
            c = Chain::connect_with_backoff(url, None) => c?,
            _ = tokio::signal::ctrl_c() => return Ok(()),
        };
        tracing::info!("connected to {url}");
        let started = std::time::Instant::now();
        let result = tokio::select! {
            r = run_session(&chain, ctx, &mut state) => r,
            _ = tokio::signal::ctrl_c() => { tracing::info!("stopping"); return Ok(()); }
        };
        if let Err(e) = result {
            ctx.metrics
                .failures
                .with_label_values(&[ctx.settings.duty.label(), "chain"])
                .inc();
            if started.elapsed() > Duration::from_secs(60) {
                delay = Duration::from_secs(1);
            }
            tracing::warn!("lost the node ({e:#}); reconnecting in {delay:?}");
            tokio::time::sleep(delay).await;
            delay = (delay * 2).min(Duration::from_secs(30));
        }
    }
}
