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

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

use anyhow::{anyhow, Context as _, Result};
use futures::FutureExt;
use subxt::utils::AccountId32;
use verinfer_primitives::{commitment, ModelId, TensorSchema};

use crate::chain::{is_final, runtime, AtBlock, Chain, Job, JobId, JobStatus, Key, ModelInfo};
use crate::engine::{Engine, ModelKind};
use crate::metrics::Metrics;

/// Which side of a job this worker plays.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Duty {
    /// The assigned worker: `commit_result`, then `reveal_result`.
    Mine,
    /// An auditor: `commit_audit`, then `reveal_audit`, blind to the worker's output.
    Verify,
}

impl Duty {
    fn label(self) -> &'static str {
        match self {
            Duty::Mine => "mine",
            Duty::Verify => "verify",
        }
    }
}

/// A model this worker serves: the registry entry and the local implementation.
#[derive(Clone, Debug)]
pub struct Served {
    /// The registry entry.
    pub info: ModelInfo,
    /// The local model whose weights hash to the entry's `weights_hash`.
    pub kind: ModelKind,
}

/// Settings of the loop.
#[derive(Clone, Debug)]
pub struct DutySettings {
    /// The role.
    pub duty: Duty,
    /// The largest batch sent to the inference thread.
    pub max_batch: usize,
    /// TESTING ONLY: the share of jobs whose output a miner corrupts on purpose.
    pub cheat_fraction: f64,
    /// How long to wait for a sent transaction to show in finalized state before resending.
    pub resend_after: Duration,
}

#[derive(Default, Debug)]
struct Held {
    output: Option<Vec<u8>>,
    committed_at: Option<Instant>,
    revealed_at: Option<Instant>,
    refused: bool,
}

/// The state that survives reconnects.
#[derive(Default)]
pub struct DutyState {
    held: BTreeMap<JobId, Held>,
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
}

enum Action {
    Commit { job: JobId, model: ModelId, input: Vec<u8>, input_hash: [u8; 32] },
    Reveal { job: JobId, model: ModelId, input: Vec<u8>, input_hash: [u8; 32] },
}

/// Runs the loop until the connection fails; the caller reconnects and calls it again.
pub async fn run_session(chain: &Chain, ctx: &DutyContext, state: &mut DutyState) -> Result<()> {
    let me = ctx.key.account();
    let role = ctx.settings.duty.label();
    let at = chain.api.at_current_block().await?;
    for id in chain.open_jobs_of(&at, &me).await? {
        state.held.entry(id).or_default();
    }
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
        let mut newest = None;
        for block in ready {
            let at = block.at().await?;
            let events = at.events().fetch().await?;
            note_new_jobs(ctx, state, &events, &me)?;
            newest = Some((block.number(), at));
        }
        let Some((number, at)) = newest else { continue };
        let actions = plan(chain, ctx, state, &at, &me).await?;
        act(chain, ctx, state, actions).await?;
        ctx.metrics.finalized_block.with_label_values(&[role]).set(number);
        let (mut to_commit, mut to_reveal) = (0, 0);
        for h in state.held.values() {
            if h.committed_at.is_none() && !h.refused {
                to_commit += 1;
            } else if h.revealed_at.is_none() && !h.refused {
                to_reveal += 1;
            }
        }
        ctx.metrics.open_jobs.with_label_values(&[role, "to_commit"]).set(to_commit);
        ctx.metrics.open_jobs.with_label_values(&[role, "to_reveal"]).set(to_reveal);
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
        match ctx.settings.duty {
            Duty::Mine => {
                if let Some(Ok(a)) = ev.decode_fields_as::<runtime::jobs::events::JobAssigned>() {
                    if &a.worker == me {
                        tracing::info!("job {}: assigned to me, commit by block #{}", a.job, a.commit_by);
                        state.held.entry(a.job).or_default();
                    }
                }
            }
            Duty::Verify => {
                if let Some(Ok(d)) = ev.decode_fields_as::<runtime::jobs::events::AuditDrawn>() {
                    if d.auditors.contains(me) {
                        tracing::info!("job {}: drawn as one of {} auditors", d.job, d.auditors.len());
                        state.held.entry(d.job).or_default();
                    }
                }
                if let Some(Ok(d)) = ev.decode_fields_as::<runtime::jobs::events::AuditEscalated>() {
                    if d.auditors.contains(me) {
                        tracing::info!("job {}: drawn as one of {} extra auditors after a tied audit", d.job, d.auditors.len());
                        state.held.entry(d.job).or_default();
                    }
                }
            }
        }
    }
    Ok(())
}

async fn plan(
    chain: &Chain,
    ctx: &DutyContext,
    state: &mut DutyState,
    at: &AtBlock,
    me: &AccountId32,
) -> Result<Vec<Action>> {
    let resend = ctx.settings.resend_after;
    let mut actions = Vec::new();
    let mut done = Vec::new();
    for (&id, held) in state.held.iter_mut() {
        let Some(job) = chain.job_at(at, id).await? else {
            done.push(id);
            continue;
        };
        if is_final(&job.status) {
            done.push(id);
            continue;
        }
        let (committed, revealed) = match my_part(ctx.settings.duty, &job, me) {
            Some(part) => part,
            None => {
                // Reassigned away, or not (yet) an auditor of it.
                if ctx.settings.duty == Duty::Mine {
                    done.push(id);
                }
                continue;
            }
        };
        if held.refused {
            continue;
        }
        let input = job.input.0.clone();
        let input_hash = job.input_hash;
        let model = job.model;
        let commit_phase = match ctx.settings.duty {
            Duty::Mine => matches!(job.status, JobStatus::Assigned),
            Duty::Verify => matches!(job.status, JobStatus::Auditing),
        };
        if commit_phase && !committed {
            if held.committed_at.is_none_or(|t| t.elapsed() >= resend) {
                actions.push(Action::Commit { job: id, model, input, input_hash });
            }
        } else if matches!(job.status, JobStatus::Revealing) && committed && !revealed {
            if held.revealed_at.is_none_or(|t| t.elapsed() >= resend) {
                actions.push(Action::Reveal { job: id, model, input, input_hash });
            }
        }
    }
    for id in done {
        state.held.remove(&id);
    }
    Ok(actions)
}

/// Whether this account has committed and revealed its part of `job`; `None` if it has
/// no part.
fn my_part(duty: Duty, job: &Job, me: &AccountId32) -> Option<(bool, bool)> {
    match duty {
        Duty::Mine => (job.worker.as_ref() == Some(me)).then(|| (job.commitment.is_some(), job.revealed)),
        Duty::Verify => job
            .auditors
            .0
            .iter()
            .find(|slot| &slot.who == me)
            .map(|slot| (slot.commitment.is_some(), slot.revealed)),
    }
}

async fn act(chain: &Chain, ctx: &DutyContext, state: &mut DutyState, actions: Vec<Action>) -> Result<()> {
    if actions.is_empty() {
        return Ok(());
    }
    let role = ctx.settings.duty.label();
    // Outputs needed and not held (new commits, or reveals after a restart): run them,
    // batched per model, after checking each input against the registry's schema.
    let mut wanted: BTreeMap<ModelKind, Vec<(JobId, Vec<u8>)>> = BTreeMap::new();
    for a in &actions {
        let (job, model, input) = match a {
            Action::Commit { job, model, input, .. } | Action::Reveal { job, model, input, .. } => (*job, *model, input),
        };
        let held = state.held.entry(job).or_default();
        if held.output.is_some() {
            continue;
        }
        let Some(served) = ctx.served.get(&model) else {
            tracing::warn!("job {job}: model {model} is not served by this worker; skipping it");
            held.refused = true;
            ctx.metrics.failures.with_label_values(&[role, "input"]).inc();
            continue;
        };
        if let Err(e) = check_input(&served.info.spec.input, input) {
            tracing::warn!("job {job}: skipping a malformed input: {e}");
            held.refused = true;
            ctx.metrics.failures.with_label_values(&[role, "input"]).inc();
            continue;
        }
        wanted.entry(served.kind).or_default().push((job, input.clone()));
    }
    for (kind, jobs) in wanted {
        for chunk in jobs.chunks(ctx.settings.max_batch.max(1)) {
            let inputs: Vec<Vec<u8>> = chunk.iter().map(|(_, i)| i.clone()).collect();
            let (outcomes, took) = ctx.engine.run(kind, inputs).await?;
            ctx.metrics.inference_seconds.with_label_values(&[kind.label()]).observe(took.as_secs_f64());
            ctx.metrics.batch_size.with_label_values(&[kind.label()]).observe(chunk.len() as f64);
            tracing::info!("{}: ran {} job(s) in one batch in {:.1?}", kind.label(), chunk.len(), took);
            for ((job, _), outcome) in chunk.iter().zip(outcomes) {
                let held = state.held.entry(*job).or_default();
                match outcome {
                    Ok(mut output) => {
                        if cheats_on(*job, ctx.settings.cheat_fraction) {
                            tracing::warn!("job {job}: CHEATING ON PURPOSE (--cheat-fraction-for-testing)");
                            output = corrupt(kind, output);
                        }
                        held.output = Some(output);
                    }
                    Err(e) => {
                        tracing::warn!("job {job}: skipping it, the model refused the input: {e}");
                        held.refused = true;
                        ctx.metrics.failures.with_label_values(&[role, "inference"]).inc();
                    }
                }
            }
        }
    }
    // Send the transactions, numbering them from the pool-aware nonce.
    let me = ctx.key.account();
    let mut tx = chain.transactions().await?;
    let mut nonce = chain.next_nonce(&me).await?;
    for a in actions {
        let (job, model, input_hash, reveal) = match a {
            Action::Commit { job, model, input_hash, .. } => (job, model, input_hash, false),
            Action::Reveal { job, model, input_hash, .. } => (job, model, input_hash, true),
        };
        let held = state.held.entry(job).or_default();
        let Some(output) = held.output.clone() else { continue };
        let Some(served) = ctx.served.get(&model) else { continue };
        let salt = ctx.key.salt(job, ctx.settings.duty.label());
        let result = if reveal {
            let output = runtime::runtime_types::bounded_collections::bounded_vec::BoundedVec(output.clone());
            match ctx.settings.duty {
                Duty::Mine => Chain::submit(&mut tx, &ctx.key, &runtime::tx().jobs().reveal_result(job, output, salt), nonce).await,
                Duty::Verify => Chain::submit(&mut tx, &ctx.key, &runtime::tx().jobs().reveal_audit(job, output, salt), nonce).await,
            }
        } else {
            let c = commitment(job, &ctx.key.account_bytes(), &served.info.spec.weights_hash, &input_hash, &output, &salt);
            match ctx.settings.duty {
                Duty::Mine => Chain::submit(&mut tx, &ctx.key, &runtime::tx().jobs().commit_result(job, c), nonce).await,
                Duty::Verify => Chain::submit(&mut tx, &ctx.key, &runtime::tx().jobs().commit_audit(job, c), nonce).await,
            }
        };
        match result {
            Ok(()) => {
                nonce += 1;
                if reveal {
                    held.revealed_at = Some(Instant::now());
                    ctx.metrics.jobs_done.with_label_values(&[role, served.kind.label()]).inc();
                    tracing::info!("job {job}: revealed");
                } else {
                    held.committed_at = Some(Instant::now());
                    tracing::info!("job {job}: committed");
                }
            }
            Err(e) => {
                ctx.metrics.failures.with_label_values(&[role, "submit"]).inc();
                tracing::warn!("job {job}: the node refused the transaction ({e:#}); retrying next block");
                nonce = chain.next_nonce(&me).await?;
            }
        }
    }
    Ok(())
}

/// The registry's input schema check, the one the Jobs pallet ran at submission.
fn check_input(schema: &TensorSchema, input: &[u8]) -> Result<()> {
    schema
        .check(input)
        .map_err(|e| anyhow!("{e:?} (the model's input schema is {:?} with at most {} bytes)", schema.element, schema.max_bytes))
}

/// Whether a miner or auditor cheats on `job` (deterministic per job, so tests can predict it).
fn cheats_on(job: JobId, fraction: f64) -> bool {
    if fraction <= 0.0 {
        return false;
    }
    let h = sp_crypto_hashing::blake2_256(&job.to_le_bytes());
    let x = u32::from_le_bytes([h[0], h[1], h[2], h[3]]) as f64 / u32::MAX as f64;
    x < fraction
}

/// A wrong output of the right shape: the digits logits favour another class, the
/// embedding points the other way.
fn corrupt(kind: ModelKind, output: Vec<u8>) -> Vec<u8> {
    match kind {
        ModelKind::Digits => {
            let mut logits = verinfer_primitives::decode_i32s(&output).unwrap_or_default();
            if let Some(best) = (0..logits.len()).max_by_key(|&i| logits[i]) {
                let other = (best + 1) % logits.len().max(1);
                logits[other] = logits[best].saturating_add(1_000);
            }
            verinfer_primitives::encode_i32s(&logits)
        }
        ModelKind::MiniLm => {
            let v: Vec<f32> = verinfer_primitives::decode_f32s(&output).unwrap_or_default().into_iter().map(|x| -x).collect();
            verinfer_primitives::encode_f32s(&v)
        }
    }
}

/// Matches the registry against the loaded models: the served models are the approved
/// entries whose `weights_hash` equals the sha256 of a local weights file, optionally
/// restricted to `names`.
pub fn match_models(
    registry: &[(ModelId, ModelInfo)],
    engine: &Engine,
    names: &[String],
) -> Result<BTreeMap<ModelId, Served>> {
    let mut served = BTreeMap::new();
    let mut seen_names = BTreeSet::new();
    for (id, info) in registry {
        let name = info.name();
        if !names.is_empty() && !names.iter().any(|n| n == &name) {
            continue;
        }
        seen_names.insert(name.clone());
        if info.status != verinfer_primitives::ModelStatus::Approved {
            tracing::info!("model {id} ({name}) is {:?}; not serving it", info.status);
            continue;
        }
        match engine.kind_for_hash(&info.spec.weights_hash) {
            Some(kind) => {
                tracing::info!("serving model {id} ({name}) with the local {} weights (sha256 matches the registry)", kind.label());
                served.insert(*id, Served { info: info.clone(), kind });
            }
            None if !names.is_empty() => anyhow::bail!(
                "model {id} ({name}) has weights sha256 0x{} on chain, and no local weights file matches it: run scripts/fetch-models.sh or point --models-dir at the right files",
                hex::encode(info.spec.weights_hash)
            ),
            None => tracing::info!("model {id} ({name}): no local weights with sha256 0x{}; not serving it", hex::encode(info.spec.weights_hash)),
        }
    }
    for n in names {
        if !seen_names.contains(n) {
            anyhow::bail!("no model named `{n}` in the registry: see the models_list RPC for the names");
        }
    }
    if served.is_empty() {
        anyhow::bail!("none of the registry's approved models matches a local weights file: run scripts/fetch-models.sh");
    }
    Ok(served)
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
            ctx.metrics.failures.with_label_values(&[ctx.settings.duty.label(), "chain"]).inc();
            if started.elapsed() > Duration::from_secs(60) {
                delay = Duration::from_secs(1);
            }
            tracing::warn!("lost the node ({e:#}); reconnecting in {delay:?}");
            tokio::time::sleep(delay).await;
            delay = (delay * 2).min(Duration::from_secs(30));
        }
    }
}
