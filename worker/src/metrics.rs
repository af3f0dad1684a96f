//! Prometheus metrics, served by the same endpoint crate the node uses
//! (`substrate-prometheus-endpoint`) at `http://<addr>/metrics`.

use std::net::SocketAddr;

use substrate_prometheus_endpoint::{
    register, CounterVec, GaugeVec, HistogramOpts, HistogramVec, Opts, PrometheusError, Registry, U64,
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
}

impl Metrics {
    /// Registers the metrics in `registry`.
    pub fn register(registry: &Registry) -> Result<Self, PrometheusError> {
        Ok(Self {
            jobs_done: register(
                CounterVec::new(Opts::new("verinfer_worker_jobs_done_total", "Jobs and audits whose result this worker revealed"), &["role", "model"])?,
                registry,
            )?,
            failures: register(
                CounterVec::new(Opts::new("verinfer_worker_failures_total", "Failures by role and stage"), &["role", "stage"])?,
                registry,
            )?,
            inference_seconds: register(
                HistogramVec::new(
                    HistogramOpts::new("verinfer_worker_inference_seconds", "Wall time of one inference batch")
                        .buckets(vec![0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0]),
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
                GaugeVec::new(Opts::new("verinfer_worker_open_jobs", "Jobs held, by what the worker owes next"), &["role", "phase"])?,
                registry,
            )?,
            finalized_block: register(
                GaugeVec::new(Opts::new("verinfer_worker_finalized_block", "Latest finalized block processed"), &["role"])?,
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
                if let Err(e) = substrate_prometheus_endpoint::init_prometheus(addr, registry).await {
                    tracing::error!("the Prometheus endpoint stopped: {e} (is port {} free? pass --prometheus-port)", addr.port());
                }
            });
        }
        Ok(metrics)
    }
}
