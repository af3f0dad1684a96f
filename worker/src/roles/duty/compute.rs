//! Running the jobs a block asks for: batched per model for miners and for auditors of
//! exact and float models; for auditors of a generation, one teacher-forced audit of the
//! miner's draft per job. A generation miner's results are kept on disk until revealed.

use std::time::Duration;

use anyhow::Result;

use super::*;

/// Runs the jobs whose outputs are needed and not held (new commits, or reveals after a
/// restart), batched per model, after checking each input against the registry's schema.
/// A job whose input cannot run is marked refused.
pub(super) async fn compute_outputs(
    ctx: &DutyContext,
    state: &mut DutyState,
    wanted: &[(JobId, ModelId, Vec<u8>, [u8; 32])],
) -> Result<()> {
    let role = ctx.settings.duty.label();
    let mut by_model: BTreeMap<ModelId, Vec<(JobId, Vec<u8>)>> = BTreeMap::new();
    for (job, model, input, input_hash) in wanted {
        let held = state.held.entry(*job).or_default();
        if held.output.is_some() || held.refused {
            continue;
        }
        let Some(served) = ctx.served.get(model) else {
            tracing::warn!(
                "job {job}: model {model} is not served by this worker; it cannot run it"
            );
            held.refused = true;
            ctx.metrics
                .failures
                .with_label_values(&[role, "input"])
                .inc();
            continue;
        };
        if let Err(e) = check_input(&served.info.spec.input, input) {
            tracing::warn!("job {job}: a malformed input: {e}");
            held.refused = true;
            ctx.metrics
                .failures
                .with_label_values(&[role, "input"])
                .inc();
            continue;
        }
        held.input_hash = *input_hash;
        // A generation miner that restarted reveals what it kept, not a recomputation.
        if ctx.settings.duty == Duty::Mine && served.is_generation() {
            let kept = Assignment {
                job: *job,
                attempt: held.attempt,
                seed: held.seed,
                input_hash: *input_hash,
            };
            if let Some((output, draft)) = ctx.results.load(&kept) {
                tracing::info!("job {job}: revealing the result kept from before a restart");
                held.output = Some(output);
                held.draft = Some(draft);
                continue;
            }
        }
        // A generation samples with the seed the chain drew for this assignment.
        let input = match served.source.family {
            verinfer_primitives::ModelFamily::Llama => {
                crate::llm::job::with_seed(input, &held.seed)
            }
            _ => input.clone(),
        };
        by_model.entry(*model).or_default().push((*job, input));
    }
    for (model, jobs) in by_model {
        let Some(served) = ctx.served.get(&model) else {
            continue;
        };
        let audits = ctx.settings.duty == Duty::Verify && served.is_generation();
        for chunk in jobs.chunks(ctx.settings.max_batch.max(1)) {
            let (outcomes, took) = if audits {
                // Each audit needs its miner's draft; one not read yet waits a block.
                let (ready_jobs, lazy): (Vec<_>, Vec<_>) = chunk
                    .iter()
                    .filter(|(job, _)| state.held.get(job).is_some_and(|h| h.draft.is_some()))
                    .partition(|(job, _)| !faults::cheats_on(*job, ctx.settings.cheat_fraction));
                for (job, _) in lazy {
                    tracing::warn!(
                        "job {job}: AUDITING LAZILY ON PURPOSE (--cheat-fraction-for-testing)"
                    );
                    if let Some(held) = state.held.get_mut(job) {
                        held.output = held.draft.as_deref().map(faults::lazy_report);
                    }
                }
                let work: Vec<(Vec<u8>, Vec<u8>)> = ready_jobs
                    .iter()
                    .filter_map(|(job, input)| {
                        Some((input.clone(), state.held.get(job)?.draft.clone()?))
                    })
                    .collect();
                if work.is_empty() {
                    continue;
                }
                let (outcomes, took) = ctx.engine.audit(served.source.weights_hash, work).await?;
                record(ctx, state, role, served, &ready_jobs, outcomes, took, false);
                continue;
            } else {
                let inputs: Vec<Vec<u8>> = chunk.iter().map(|(_, i)| i.clone()).collect();
                ctx.engine.run(served.source.weights_hash, inputs).await?
            };
            let chunk: Vec<&(JobId, Vec<u8>)> = chunk.iter().collect();
            record(ctx, state, role, served, &chunk, outcomes, took, true);
        }
    }
    Ok(())
}

/// Keeps the outcomes of one batch: each job's output, or its refusal. `computed`: the
/// outputs come from running the jobs (not from auditing drafts), so the testing switch may
/// corrupt them, and a generation miner's are split into the draft it publishes and the
/// fingerprint it commits to.
#[allow(clippy::too_many_arguments)]
fn record(
    ctx: &DutyContext,
    state: &mut DutyState,
    role: &str,
    served: &Served,
    chunk: &[&(JobId, Vec<u8>)],
    outcomes: Vec<crate::engine::Outcome>,
    took: Duration,
    computed: bool,
) {
    let label = served.label();
    {
        {
            ctx.metrics
                .inference_seconds
                .with_label_values(&[label])
                .observe(took.as_secs_f64());
            ctx.metrics
                .batch_size
                .with_label_values(&[label])
                .observe(chunk.len() as f64);
            tracing::info!(
                "{label}: ran {} job(s) in one batch in {:.1?}",
                chunk.len(),
                took
            );
            for ((job, _), outcome) in chunk.iter().zip(outcomes) {
                let held = state.held.entry(*job).or_default();
                match outcome {
                    Ok(mut output) => {
                        if computed && faults::cheats_on(*job, ctx.settings.cheat_fraction) {
                            tracing::warn!(
                                "job {job}: CHEATING ON PURPOSE (--cheat-fraction-for-testing)"
                            );
                            output = faults::corrupt(
                                served.source.family,
                                ctx.settings.cheat_kind,
                                output,
                            );
                        }
                        if computed && served.is_generation() {
                            match crate::llm::job::MinerResult::parse(&output) {
                                Ok(result) => {
                                    use codec::Encode as _;
                                    let draft = result.draft.encode();
                                    output = result.fingerprint.encode();
                                    let kept = Assignment {
                                        job: *job,
                                        attempt: held.attempt,
                                        seed: held.seed,
                                        input_hash: held.input_hash,
                                    };
                                    if let Err(e) = ctx.results.save(&kept, &output, &draft) {
                                        tracing::warn!("job {job}: {e:#}; a restart before the reveal would recompute it");
                                    }
                                    held.draft = Some(draft);
                                }
                                Err(e) => {
                                    tracing::warn!("job {job}: {e}");
                                    held.refused = true;
                                    continue;
                                }
                            }
                        }
                        held.output = Some(output);
                    }
                    Err(e) => {
                        tracing::warn!("job {job}: the model refused the input: {e}");
                        held.refused = true;
                        ctx.metrics
                            .failures
                            .with_label_values(&[role, "inference"])
                            .inc();
                    }
                }
            }
        }
    }
}
