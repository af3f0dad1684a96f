//! The chain roles: `mine` (run assigned jobs), `verify` (audit, blind) and `submit`
//! (post a job and print its verified result).

pub mod duty;
pub mod submit;

use std::net::{Ipv4Addr, SocketAddr};

use anyhow::{bail, Context, Result};

use crate::chain::{self, runtime, Chain, Key, Role};
use crate::engine::Engine;
use crate::metrics::Metrics;
use crate::models::ModelDir;
use crate::DeviceKind;
use duty::{Duty, DutyContext, DutySettings};

/// One INF in plancks (12 decimals).
pub const INF: u128 = 1_000_000_000_000;

/// Parses an amount of INF such as `2000` or `0.01` into plancks, exactly.
pub fn parse_inf(s: &str) -> Result<u128> {
    let s = s.trim();
    let (whole, frac) = s.split_once('.').unwrap_or((s, ""));
    anyhow::ensure!(
        !whole.is_empty() || !frac.is_empty(),
        "`{s}` is not an amount of INF (examples: 2000, 0.01)"
    );
    anyhow::ensure!(
        frac.len() <= 12,
        "`{s}` has more than 12 decimals, the token's precision"
    );
    let whole: u128 = if whole.is_empty() {
        0
    } else {
        whole
            .parse()
            .with_context(|| format!("`{s}` is not an amount of INF"))?
    };
    let frac_plancks: u128 = if frac.is_empty() {
        0
    } else {
        format!("{frac:0<12}")
            .parse()
            .with_context(|| format!("`{s}` is not an amount of INF"))?
    };
    whole
        .checked_mul(INF)
        .and_then(|w| w.checked_add(frac_plancks))
        .with_context(|| format!("`{s}` INF is too large"))
}

/// Formats plancks as INF.
pub fn format_inf(plancks: u128) -> String {
    let whole = plancks / INF;
    let frac = plancks % INF;
    if frac == 0 {
        format!("{whole} INF")
    } else {
        let f = format!("{frac:012}");
        format!("{whole}.{} INF", f.trim_end_matches('0'))
    }
}

/// Options of `mine` and `verify`.
#[derive(clap::Args, Debug, Clone)]
pub struct DutyArgs {
    /// The node's WebSocket JSON-RPC endpoint.
    #[arg(long, default_value = "ws://127.0.0.1:9944", env = "VERINFER_NODE_URL")]
    pub url: String,
    #[command(flatten)]
    pub key: chain::keys::KeyArgs,
    /// Bond this much INF first if the account has no bond yet (e.g. 2000). Without it,
    /// the account must already be bonded for this role.
    #[arg(long, value_parser = parse_inf)]
    pub bond: Option<u128>,
    /// Serve only these registry models (by name, comma-separated) [default: every
    /// approved model whose weights are in --models-dir].
    #[arg(long, value_delimiter = ',')]
    pub models: Vec<String>,
    /// Serve Prometheus metrics on this port of 127.0.0.1 (0 turns them off).
    #[arg(long, default_value_t = 9616)]
    pub prometheus_port: u16,
    /// Serve Prometheus metrics on all interfaces instead of 127.0.0.1.
    #[arg(long)]
    pub prometheus_external: bool,
    /// The largest batch of jobs of one model run at once.
    #[arg(long, default_value_t = 32)]
    pub max_batch: usize,
    /// TESTING ONLY: commit a wrong output for this fraction (0..1) of jobs (`mine`) or of
    /// audits (`verify`), so tests can show that audits catch lying workers and that the
    /// majority outvotes a lying auditor. A real worker or auditor loses stake with it.
    #[arg(long, default_value_t = 0.0, hide = true)]
    pub cheat_fraction_for_testing: f64,
    /// TESTING ONLY: how a cheating miner falsifies LLM jobs (an auditor that cheats on a
    /// generation audits lazily: it reports without running the model).
    #[arg(long, value_enum, default_value_t = duty::faults::CheatKind::Substitute, hide = true)]
    pub cheat_kind_for_testing: duty::faults::CheatKind,
    /// Where a miner keeps its LLM results between commit and reveal, so that a restart
    /// reveals exactly what it committed to [default: $XDG_STATE_HOME/verinfer-worker, else
    /// ~/.local/state/verinfer-worker]. One folder per account and role inside it.
    #[arg(long, env = "VERINFER_STATE_DIR")]
    pub state_dir: Option<std::path::PathBuf>,
}

/// The folder `--state-dir` names, or its default.
fn state_dir(args: &DutyArgs) -> std::path::PathBuf {
    args.state_dir.clone().unwrap_or_else(|| {
        std::env::var_os("XDG_STATE_HOME")
            .map(std::path::PathBuf::from)
            .or_else(|| {
                std::env::var_os("HOME").map(|h| std::path::Path::new(&h).join(".local/state"))
            })
            .unwrap_or_else(std::env::temp_dir)
            .join("verinfer-worker")
    })
}

/// Options of `mine` only.
#[derive(clap::Args, Debug, Clone)]
pub struct MineArgs {
    #[command(flatten)]
    pub duty: DutyArgs,
    /// The price per job, in INF, used when bonding with --bond.
    #[arg(long, value_parser = parse_inf, default_value = "0.01")]
    pub price: u128,
    /// The most jobs the chain may assign this worker at once (assigned, not yet
    /// committed). Declared on chain when bonding, and updated when it differs from the
    /// bond's. [default: measured at start: the jobs of the slowest served model that
    /// this machine runs in --capacity-budget seconds, at most the runtime's `MaxBatch`]
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=256))]
    pub capacity: Option<u32>,
    /// Seconds of inference the measured capacity may take (see --capacity).
    #[arg(long, default_value_t = 2.0)]
    pub capacity_budget: f64,
}

/// What is started: a miner with what it declares besides its models, or an auditor,
/// which declares nothing else.
#[derive(Clone, Debug)]
pub enum Start {
    /// `mine`: the price and capacity it bonds with.
    Mine {
        /// Its price per job, in plancks.
        price: u128,
        /// Its capacity, or `None` to measure it.
        capacity: Option<u32>,
        /// The inference budget for a measured capacity, in seconds.
        capacity_budget: f64,
    },
    /// `verify`.
    Verify,
}

impl Start {
    /// The side of a job this worker plays.
    pub fn duty(&self) -> Duty {
        match self {
            Start::Mine { .. } => Duty::Mine,
            Start::Verify => Duty::Verify,
        }
    }
}

/// `verinfer-worker mine`.
pub async fn run_mine(args: MineArgs, device: DeviceKind, dir: ModelDir) -> Result<()> {
    let start = Start::Mine {
        price: args.price,
        capacity: args.capacity,
        capacity_budget: args.capacity_budget,
    };
    run_duty(start, args.duty, device, dir).await
}

/// `verinfer-worker verify`.
pub async fn run_verify(args: DutyArgs, device: DeviceKind, dir: ModelDir) -> Result<()> {
    run_duty(Start::Verify, args, device, dir).await
}

fn prometheus_addr(args: &DutyArgs) -> Option<SocketAddr> {
    (args.prometheus_port != 0).then(|| {
        let ip = if args.prometheus_external {
            Ipv4Addr::UNSPECIFIED
        } else {
            Ipv4Addr::LOCALHOST
        };
        SocketAddr::from((ip, args.prometheus_port))
    })
}

/// The body of `mine` and `verify`: load the models, check the bond, follow the chain.
async fn run_duty(start: Start, args: DutyArgs, device: DeviceKind, dir: ModelDir) -> Result<()> {
    let duty = start.duty();
    let cheat = args.cheat_fraction_for_testing;
    anyhow::ensure!(
        (0.0..=1.0).contains(&cheat),
        "--cheat-fraction-for-testing must be between 0 and 1"
    );
    if cheat > 0.0 {
        tracing::warn!(
            "TESTING ONLY: this account commits wrong outputs for {:.0}% of its {} and will be slashed",
            cheat * 100.0,
            duty.work()
        );
    }
    let key = args.key.load()?;
    let me = key.account();
    tracing::info!("account {me}");
    let metrics = Metrics::serve(prometheus_addr(&args))?;
    tracing::info!("hashing the weights files in {}", dir.path().display());
    let local = dir.weights_files().context("reading the models folder")?;
    let chain = Chain::connect_with_backoff(&args.url, None).await?;
    let registry = chain.models().await?;
    let served = duty::match_models(&registry, &local, &args.models)?;
    let sources: Vec<_> = served.values().map(|s| s.source.clone()).collect();
    let (engine, refused) = Engine::start(device, &sources).context("loading the models")?;
    let served = duty::keep_loaded(served, &refused)?;
    tracing::info!(
        "{} model(s) loaded on {}",
        engine.loaded().len(),
        engine.device()
    );
    let bond = match start {
        Start::Verify => Bond::Auditor,
        Start::Mine {
            price,
            capacity,
            capacity_budget,
        } => {
            let capacity = match capacity {
                Some(c) => c,
                None => {
                    measure_capacity(&chain, &engine, &served, args.max_batch, capacity_budget)
                        .await?
                }
            };
            Bond::Worker {
                price,
                capacity,
                models: served.keys().copied().collect(),
            }
        }
    };
    ensure_bond(&chain, &key, &bond, args.bond).await?;
    let results = duty::Results::open(&state_dir(&args).join(format!("{me}-{}", duty.label())))?;
    let ctx = DutyContext {
        results,
        key,
        engine,
        served,
        metrics,
        settings: DutySettings {
            duty,
            max_batch: args.max_batch,
            cheat_fraction: cheat,
            cheat_kind: args.cheat_kind_for_testing,
        },
    };
    duty::run_forever(&args.url, &ctx).await
}

/// Measures how many jobs this machine takes at once: for each served model, one batch of
/// `max_batch` inputs as large as the model's input schema allows is timed (after a
/// warm-up run), and the capacity is what the slowest model runs in `budget` seconds,
/// between 1 and the runtime's `MaxBatch` (one commit transaction's worth).
async fn measure_capacity(
    chain: &Chain,
    engine: &Engine,
    served: &std::collections::BTreeMap<u32, duty::Served>,
    max_batch: usize,
    budget: f64,
) -> Result<u32> {
    let at = chain.finalized().await?;
    let ceiling = at
        .constants()
        .entry(runtime::constants().jobs().max_batch())
        .context("reading Jobs::MaxBatch")?;
    let batch = max_batch.max(1);
    let mut capacity = ceiling;
    for s in served.values() {
        let hash = s.source.weights_hash;
        // The costliest candidate input that the model accepts (an LLM refuses a request
        // longer than its context), run once as a warm-up.
        let mut input = None;
        let mut why = String::new();
        for candidate in sample_inputs(s.source.family, &s.info.spec.input) {
            let (outcomes, _) = engine
                .run(hash, vec![candidate.clone()])
                .await
                .context("measuring capacity: warm-up")?;
            match outcomes.into_iter().next() {
                Some(Ok(_)) => {
                    input = Some(candidate);
                    break;
                }
                Some(Err(e)) => why = e,
                None => {}
            }
        }
        // A model whose schema admits nothing it can run (a mis-specified entry) takes no
        // time: its jobs are released as they come.
        let Some(input) = input else {
            tracing::warn!(
                "capacity: {} refuses every input its schema allows ({why}); its jobs will be released",
                s.label()
            );
            continue;
        };
        // An LLM runs its jobs one at a time, so a batch of them takes as long as that
        // many single jobs: time a few.
        let batch = match s.source.family {
            verinfer_primitives::ModelFamily::Llama => batch.min(2),
            _ => batch,
        };
        let (outcomes, took) = engine
            .run(hash, vec![input; batch])
            .await
            .context("measuring capacity")?;
        if let Some(Err(e)) = outcomes.first() {
            tracing::warn!(
                "capacity: {} refused its sample input: {e}; not counting it",
                s.label()
            );
            continue;
        }
        let per_job = took.as_secs_f64() / batch as f64;
        let fits = (budget / per_job.max(1e-6))
            .floor()
            .clamp(1.0, f64::from(u32::MAX)) as u32;
        tracing::info!(
            "capacity: {} runs {:.1} ms per job at batch {batch}: {fits} job(s) in {budget} s",
            s.label(),
            per_job * 1e3
        );
        capacity = capacity.min(fits);
    }
    let capacity = capacity.max(1);
    tracing::info!(
        "capacity: taking at most {capacity} job(s) at once (pass --capacity to set it)"
    );
    Ok(capacity)
}

/// Sample inputs for measuring capacity, the costliest first: the largest input the
/// schema allows (zeros for tensors, a long sentence for text), and for an LLM requests
/// for the most tokens a job may generate, then for half as many, down to one, for models
/// whose context is shorter.
fn sample_inputs(
    family: verinfer_primitives::ModelFamily,
    schema: &verinfer_primitives::TensorSchema,
) -> Vec<Vec<u8>> {
    if family == verinfer_primitives::ModelFamily::Llama {
        let mut inputs = Vec::new();
        let mut max_tokens = crate::llm::job::MAX_TOKENS;
        while max_tokens >= 1 {
            let request = crate::llm::JobRequest {
                prompt: Some("Count slowly from one to one thousand, one number a line:\n".into()),
                max_tokens,
                ..Default::default()
            };
            inputs.push(request.to_bytes());
            max_tokens /= 2;
        }
        return inputs;
    }
    let input = match schema.element {
        verinfer_primitives::ElementType::Utf8 => {
            let sentence =
                "verifiable inference measures how long a worst-case input takes to embed. ";
            sentence
                .bytes()
                .cycle()
                .take(schema.max_bytes as usize)
                .collect()
        }
        _ => vec![0; schema.max_bytes as usize],
    };
    vec![input]
}

/// What the account must be bonded as.
enum Bond {
    /// A worker serving `models` at `price` per job, taking `capacity` jobs at once.
    Worker {
        price: u128,
        capacity: u32,
        models: Vec<u32>,
    },
    /// An auditor.
    Auditor,
}

/// Checks that the account is bonded as `bond` says and, as a worker, serves its models
/// with its capacity; bonds `amount` first when given and there is no bond, and updates
/// the bond's capacity when it differs.
async fn ensure_bond(chain: &Chain, key: &Key, bond: &Bond, amount: Option<u128>) -> Result<()> {
    let me = key.account();
    let ledger = chain.ledger(&me).await?;
    let as_worker = matches!(bond, Bond::Worker { .. });
    let ledger = match (ledger, amount) {
        (Some(l), _) => l,
        (None, None) => bail!(
            "{me} has no bond: pass --bond <INF> to bond now (see `minStake` in docs/staking.md), or bond with computeStaking.{} from a wallet",
            if as_worker { "bondWorker" } else { "bondAuditor" }
        ),
        (None, Some(amount)) => {
            let free = chain.free_balance(&me).await?;
            anyhow::ensure!(free > amount, "{me} holds {} free, not enough to bond {}: fund the account first", format_inf(free), format_inf(amount));
            tracing::info!("bonding {} as {}", format_inf(amount), if as_worker { "a worker" } else { "an auditor" });
            match bond {
                Bond::Worker { price, capacity, models } => {
                    let models = runtime::runtime_types::bounded_collections::bounded_vec::BoundedVec(models.to_vec());
                    let endpoint = runtime::runtime_types::bounded_collections::bounded_vec::BoundedVec(Vec::new());
                    chain
                        .submit_and_finalize(key, &runtime::tx().compute_staking().bond_worker(amount, models, *price, endpoint, *capacity))
                        .await
                        .context("bonding failed")?;
                }
                Bond::Auditor => {
                    chain
                        .submit_and_finalize(key, &runtime::tx().compute_staking().bond_auditor(amount))
                        .await
                        .context("bonding failed")?;
                }
            }
            chain.ledger(&me).await?.context("the bond did not show up on chain")?
        }
    };
    match (&ledger.role, bond) {
        (Role::Worker(prefs), Bond::Worker { capacity, models, .. }) => {
            let capacity = *capacity;
            let missing: Vec<u32> = models.iter().copied().filter(|m| !prefs.models.0.contains(m)).collect();
            if !missing.is_empty() {
                tracing::warn!(
                    "the bond serves models {:?}; this worker could also serve {missing:?}: add them with computeStaking.updateWorker",
                    prefs.models.0
                );
            }
            anyhow::ensure!(
                prefs.models.0.iter().any(|m| models.contains(m)),
                "the bond serves models {:?} but this worker runs none of them ({models:?}): fetch their weights or update the bond",
                prefs.models.0
            );
            tracing::info!("bonded {} as a worker at {} per job", format_inf(ledger.active), format_inf(prefs.price));
            if prefs.capacity != capacity {
                tracing::info!("declaring a capacity of {capacity} job(s) at once (the bond says {})", prefs.capacity);
                let update = runtime::tx().compute_staking().update_worker(
                    runtime::runtime_types::bounded_collections::bounded_vec::BoundedVec(prefs.models.0.clone()),
                    prefs.price,
                    runtime::runtime_types::bounded_collections::bounded_vec::BoundedVec(prefs.endpoint.0.clone()),
                    capacity,
                );
                chain.submit_and_finalize(key, &update).await.context("updating the capacity failed")?;
            }
        }
        (Role::Auditor, Bond::Auditor) => tracing::info!("bonded {} as an auditor", format_inf(ledger.active)),
        (Role::Worker(_), Bond::Auditor) => bail!("{me} is bonded as a worker; an auditor needs its own account (run verify with another key)"),
        (Role::Auditor, Bond::Worker { .. }) => bail!("{me} is bonded as an auditor; a miner needs its own account (run mine with another key)"),
    }
    if !ledger.on_duty {
        tracing::warn!("{me} is chilled and gets no new work: call computeStaking.activate (and check the minimum stake)");
    }
    Ok(())
}

/// The local weights file of the registry model named `name`, found in `dir` by the
/// registry's sha256, with its family: how `infer --url` resolves `--model`.
pub async fn registry_weights(
    url: &str,
    name: &str,
    dir: &ModelDir,
) -> Result<(std::path::PathBuf, verinfer_primitives::ModelFamily)> {
    let chain = Chain::connect(url)
        .await
        .with_context(|| format!("connecting to {url} to read the model registry"))?;
    let registry = chain.models().await?;
    let (id, info) = registry
        .iter()
        .find(|(_, info)| info.name() == name)
        .with_context(|| {
            let names: Vec<String> = registry.iter().map(|(_, i)| i.name()).collect();
            format!(
                "no model named `{name}` in the registry at {url}; it has: {}",
                names.join(", ")
            )
        })?;
    let path = dir.find_by_hash(&info.spec.weights_hash)?.with_context(|| {
        format!(
            "model {id} ({name}) pins weights sha256 0x{}, and no file in {} has it: fetch {} (scripts/fetch-models.sh fetches the shipped ones)",
            hex::encode(info.spec.weights_hash),
            dir.path().display(),
            info.location()
        )
    })?;
    tracing::info!(
        "model {id} ({name}) is {} (sha256 matches the registry)",
        path.display()
    );
    Ok((path, info.spec.family))
}

/// DEV CHAINS ONLY: approves the proposed registry model `name` with the sudo key `key`
/// (`Sudo::sudo(Models::approve_model)`), as `scripts/demo.sh` does for SmolLM2. On a
/// chain without sudo, models are approved by a `models` track referendum instead.
pub async fn dev_approve_model(url: &str, key: &Key, name: &str) -> Result<u32> {
    use runtime::runtime_types::pallet_models::pallet::Call as ModelsCall;
    use runtime::runtime_types::verinfer_runtime::RuntimeCall;
    let chain = Chain::connect_with_backoff(url, Some(std::time::Duration::from_secs(60))).await?;
    let registry = chain.models().await?;
    let (id, info) = registry
        .iter()
        .find(|(_, i)| i.name() == name)
        .with_context(|| format!("no model named `{name}` in the registry"))?;
    if *info.status == verinfer_primitives::ModelStatus::Approved {
        tracing::info!("model {id} ({name}) is approved already");
        return Ok(*id);
    }
    let call = runtime::tx()
        .sudo()
        .sudo(RuntimeCall::Models(ModelsCall::approve_model {
            model: *id,
        }));
    let events = chain.submit_and_finalize(key, &call).await.context(
        "sudo(approve_model) failed: is this a dev chain, and is the key its sudo key (//Alice)?",
    )?;
    let done = events
        .find_first::<runtime::sudo::events::Sudid>()
        .context("the sudo call emitted no Sudid event")??;
    anyhow::ensure!(
        done.sudo_result.is_ok(),
        "approve_model({id}) failed under sudo: {:?}",
        done.sudo_result
    );
    tracing::info!("approved model {id} ({name})");
    Ok(*id)
}
