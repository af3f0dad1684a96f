//! Prometheus metrics, served by the same endpoint crate the node uses
//! (`substrate-prometheus-endpoint`) at `http://<addr>/metrics`.

use std::net::SocketAddr;

use substrate_prometheus_endpoint::{
    register, CounterVec, GaugeVec, HistogramOpts, HistogramVec, Opts, PrometheusError, Registry,
    U64,
};

/// The worker's metrics. Labels: `role` (mine, verify), `model` (digits, minilm).
#[derive(Clone)]
pub struct Metrics {
    /// Jobs (or audits) whose result this worker revealed.
    pub jobs_done: CounterVec<U64>,
    /// Failures, by stage (`inference`, `input`, `submit`, `chain`).
    pub failures: CounterVec<U64>,
    /// Wall time of one inference batch, per model.
    pub inference_seconds: HistogramVec,
    /// Inputs per inference batch, per model.
    pub batch_size: HistogramVec,
    /// Jobs this worker holds, by phase (`to_commit`, `to_reveal`).
    pub open_jobs: GaugeVec<U64>,
    /// The latest finalized block the worker has processed.
    pub finalized_block: GaugeVec<U64>,
    /// Finalized blocks that were waiting when the worker came round to them: above 0
    /// means it is behind the chain.
    pub blocks_behind: GaugeVec<U64>,
    /// The fewest blocks left before the commit deadline of a job it holds uncommitted.
    pub deadline_slack_blocks: GaugeVec<U64>,
    /// Transactions sent and not yet final or failed.
    pub transactions_in_flight: GaugeVec<U64>,
    /// Transactions by outcome (`final`, `failed`, `dropped`, `refused`).
    pub transactions: CounterVec<U64>,
    /// Jobs handed back to the chain (`release_jobs`), by reason (`input`, `late`).
    pub released: CounterVec<U64>,
}

impl Metrics {
    /// Registers the metrics in `registry`.
    pub fn register(registry: &Registry) -> Result<Self, PrometheusError> {
        Ok(Self {
            jobs_done: register(
                CounterVec::new(
                    Opts::new(
                        "verinfer_worker_jobs_done_total",
                        "Jobs and audits whose result this worker revealed",
                    ),
                    &["role", "model"],
                )?,
                registry,
            )?,
            failures: register(
                CounterVec::new(
                    Opts::new(
                        "verinfer_worker_failures_total",
                        "Failures by role and stage",
                    ),
                    &["role", "stage"],
                )?,
                registry,
            )?,
            inference_seconds: register(
                HistogramVec::new(
                    HistogramOpts::new(
                        "verinfer_worker_inference_seconds",
                        "Wall time of one inference batch",
                    )
                    .buckets(vec![
                        0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
                    ]),
                    &["model"],
                )?,
                registry,
            )?,
            batch_size: register(
                HistogramVec::new(
                    HistogramOpts::new("verinfer_worker_batch_size", "Inputs per inference batch")
                        .buckets(vec![1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0]),
                    &["model"],
                )?,
                registry,
            )?,
            open_jobs: register(
                GaugeVec::new(
                    Opts::new(
                        "verinfer_worker_open_jobs",
                        "Jobs held, by what the worker owes next",
                    ),
                    &["role", "phase"],
                )?,
                registry,
            )?,
            finalized_block: register(
                GaugeVec::new(
                    Opts::new(
                        "verinfer_worker_finalized_block",
                        "Latest finalized block processed",
                    ),
                    &["role"],
                )?,
                registry,
            )?,
            blocks_behind: register(
                GaugeVec::new(
                    Opts::new(
                        "verinfer_worker_blocks_behind",
                        "Finalized blocks waiting when the worker came round to them",
                    ),
                    &["role"],
                )?,
                registry,
            )?,
            deadline_slack_blocks: register(
                GaugeVec::new(
                    Opts::new(
                        "verinfer_worker_deadline_slack_blocks",
                        "Fewest blocks left before the commit deadline of a held job",
                    ),
                    &["role"],
                )?,
                registry,
            )?,
            transactions_in_flight: register(
                GaugeVec::new(
                    Opts::new(
                        "verinfer_worker_transactions_in_flight",
                        "Transactions sent and not yet final or failed",
                    ),
                    &["role"],
                )?,
                registry,
            )?,
            transactions: register(
                CounterVec::new(
                    Opts::new(
                        "verinfer_worker_transactions_total",
                        "Transactions by outcome",
                    ),
                    &["role", "call", "outcome"],
                )?,
                registry,
            )?,
            released: register(
                CounterVec::new(
                    Opts::new(
                        "verinfer_worker_released_total",
                        "Jobs handed back with release_jobs, by reason",
                    ),
                    &["reason"],
                )?,
                registry,
            )?,
        })
    }

    /// Registers the metrics and, if `addr` is given, serves them there in the background.
    pub fn serve(addr: Option<SocketAddr>) -> anyhow::Result<Self> {
        let registry = Registry::new_custom(None, None)?;
        let metrics = Self::register(&registry)?;
        if let Some(addr) = addr {
            tracing::info!("Prometheus metrics on http://{addr}/metrics");
            tokio::spawn(async move {
                if let Err(e) = substrate_prometheus_endpoint::init_prometheus(addr, registry).await
                {
                    tracing::error!("the Prometheus endpoint stopped: {e} (is port {} free? pass --prometheus-port)", addr.port());
                }
            });
        }
        Ok(metrics)
    }
}
