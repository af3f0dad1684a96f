//! `verinfer-worker gateway`: an OpenAI-compatible HTTP API over verinfer. Each request
//! becomes one job (one per input for embeddings), signed by the operator's account with
//! locally counted nonces, and is answered once the chain's verdict is final (`verified`,
//! the default) or as soon as the worker revealed (`fast`, verdict `pending`; for an LLM as
//! soon as the miner published its draft). Every answer
//! carries a `verinfer` object: the job, the verdict, the auditors, the worker, the fee,
//! the commitment and the sampling seed.
//!
//! Endpoints: `GET /v1/models`, `POST /v1/chat/completions`, `POST /v1/completions`,
//! `POST /v1/embeddings`, `GET /v1/jobs/{id}`. Errors take OpenAI's shape.

mod completions;
mod embeddings;
mod jobs;
pub mod openai;

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::{Context as _, Result};
use axum::body::Bytes;
use axum::extract::{ConnectInfo, Path, Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::middleware::{self, Next};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{json, Value};
use substrate_prometheus_endpoint::{
    register, CounterVec, HistogramOpts, HistogramVec, Opts, Registry, U64,
};
use verinfer_primitives::{ModelFamily, ModelStatus};

use crate::chain::{self, Chain, JobId, Key, ModelInfo};
use crate::dapp::{self, Blocks, FollowError, Nonces, Snapshot};
use crate::llm::{JobOutput, JobRequest};
use openai::{ApiError, ChatRequest, CompletionRequest, EmbeddingRequest};

/// Options of `gateway`.
#[derive(clap::Args, Debug, Clone)]
pub struct GatewayArgs {
    /// The node's WebSocket JSON-RPC endpoint.
    #[arg(long, default_value = "ws://127.0.0.1:9944", env = "VERINFER_NODE_URL")]
    pub url: String,
    #[command(flatten)]
    pub key: chain::keys::KeyArgs,
    /// Where to serve the API.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// Accept only requests with `Authorization: Bearer <token>` (repeatable).
    #[arg(
        long = "api-token",
        env = "VERINFER_GATEWAY_TOKENS",
        value_delimiter = ',',
        hide_env_values = true
    )]
    pub api_tokens: Vec<String>,
    /// Serve clients other than loopback without a token (the operator's account pays).
    #[arg(long)]
    pub public: bool,
    /// Answer 504 when a job is not final (or, in fast mode, revealed) after this many
    /// seconds.
    #[arg(long, default_value_t = 180)]
    pub timeout: u64,
    /// Serve Prometheus metrics on this port of 127.0.0.1 (0 turns them off).
    #[arg(long, default_value_t = 9617)]
    pub prometheus_port: u16,
}

/// When to answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
    /// Once the verdict is final.
    Verified,
    /// Once the worker revealed; the verdict may still be pending.
    Fast,
}

impl Mode {
    fn label(self) -> &'static str {
        match self {
            Mode::Verified => "verified",
            Mode::Fast => "fast",
        }
    }

    /// From the `x-verinfer-mode` header or the body's `verinfer_mode`.
    fn of(headers: &HeaderMap, field: Option<&str>) -> Result<Self, ApiError> {
        let header = headers.get("x-verinfer-mode").and_then(|v| v.to_str().ok());
        match field.or(header).unwrap_or("verified") {
            "verified" => Ok(Mode::Verified),
            "fast" => Ok(Mode::Fast),
            other => Err(ApiError::invalid(
                "verinfer_mode",
                format!("mode `{other}` is not `verified` or `fast`"),
            )),
        }
    }
}

struct Metrics {
    requests: CounterVec<U64>,
    seconds: HistogramVec,
}

impl Metrics {
    fn new(registry: &Registry) -> Result<Self> {
        Ok(Self {
            requests: register(
                CounterVec::new(
                    Opts::new(
                        "verinfer_gateway_requests_total",
                        "Requests by endpoint, HTTP status and model",
                    ),
                    &["endpoint", "status", "model"],
                )?,
                registry,
            )?,
            seconds: register(
                HistogramVec::new(
                    HistogramOpts::new(
                        "verinfer_gateway_request_seconds",
                        "Time to answer, by endpoint and mode",
                    )
                    .buckets(vec![0.1, 0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 40.0, 80.0, 160.0]),
                    &["endpoint", "mode"],
                )?,
                registry,
            )?,
        })
    }
}

struct Gateway {
    chain: Chain,
    key: Key,
    nonces: Nonces,
    blocks: Blocks,
    timeout: Duration,
    tokens: Vec<String>,
    public: bool,
    metrics: Metrics,
    /// MiniLM's WordPiece, to count embedding tokens, when its vocabulary is at hand.
    wordpiece: Option<crate::minilm::tokenize::Tokenizer>,
}

/// Runs the gateway until the process is stopped.
pub async fn run(args: GatewayArgs, dir: &crate::models::ModelDir) -> Result<()> {
    let key = args.key.load()?;
    let loopback = args.listen.ip().is_loopback();
    anyhow::ensure!(
        loopback || args.public || !args.api_tokens.is_empty(),
        "--listen {} is not a loopback address: pass --api-token <secret> so that only your apps can spend {}'s funds, or --public to serve anyone",
        args.listen,
        key.account()
    );
    let chain = Chain::connect_with_backoff(&args.url, Some(Duration::from_secs(60))).await?;
    let registry = Registry::new_custom(None, None)?;
    let metrics = Metrics::new(&registry)?;
    if args.prometheus_port != 0 {
        let addr = SocketAddr::from(([127, 0, 0, 1], args.prometheus_port));
        tracing::info!("Prometheus metrics on http://{addr}/metrics");
        tokio::spawn(async move {
            if let Err(e) = substrate_prometheus_endpoint::init_prometheus(addr, registry).await {
                tracing::error!("the Prometheus endpoint stopped: {e} (is port {} free? pass --prometheus-port)", addr.port());
            }
        });
    }
    let vocab = dir.path().join("vocab.txt");
    let wordpiece = crate::minilm::tokenize::Tokenizer::from_file(&vocab, 512).ok();
    let gateway = Arc::new(Gateway {
        blocks: Blocks::follow(chain.clone()),
        chain,
        key,
        nonces: Nonces::default(),
        timeout: Duration::from_secs(args.timeout),
        tokens: args.api_tokens,
        public: args.public,
        metrics,
        wordpiece,
    });
    let app = Router::new()
        .route("/", get(page))
        .route("/v1/models", get(models))
        .route("/v1/chat/completions", post(completions::chat))
        .route("/v1/completions", post(completions::completions))
        .route("/v1/embeddings", post(embeddings::embeddings))
        .route("/v1/jobs", post(jobs::post_job))
        .route("/v1/jobs/{id}", get(jobs::job))
        .route("/v1/jobs/{id}/events", get(jobs::job_events))
        .layer(middleware::from_fn_with_state(gateway.clone(), guard))
        .with_state(gateway.clone());
    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .with_context(|| {
            format!(
                "cannot listen on {}: is the port free? pass --listen",
                args.listen
            )
        })?;
    tracing::info!(
        "OpenAI-compatible API on http://{}/v1 (jobs signed by {}); the web page is http://{}/",
        args.listen,
        gateway.key.account(),
        args.listen
    );
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .await
    .context("the HTTP server stopped")
}

/// Tokens when configured; otherwise loopback clients only, unless `--public`.
async fn guard(
    State(g): State<Arc<Gateway>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    request: Request,
    next: Next,
) -> Response {
    if !g.tokens.is_empty() {
        let given = request
            .headers()
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "));
        if !given.is_some_and(|t| g.tokens.iter().any(|k| k == t)) {
            return ApiError::new(
                StatusCode::UNAUTHORIZED,
                "invalid_api_key",
                "missing or wrong API token: send Authorization: Bearer <one of the gateway's --api-token values>",
            )
            .into_response();
        }
    } else if !g.public && !is_loopback(peer.ip()) {
        return ApiError::new(
            StatusCode::FORBIDDEN,
            "not_loopback",
            "this gateway serves only its own machine: its operator can add --api-token or --public",
        )
        .into_response();
    }
    next.run(request).await
}

fn is_loopback(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => v4.is_loopback(),
        IpAddr::V6(v6) => {
            v6.is_loopback() || v6.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback())
        }
    }
}

fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

fn parse<T: serde::de::DeserializeOwned>(body: &Bytes) -> Result<T, ApiError> {
    serde_json::from_slice(body).map_err(|e| {
        let msg = e.to_string();
        // serde names the missing or mistyped field in its message.
        let param = msg.split('`').nth(1).unwrap_or("body").to_owned();
        ApiError::invalid(&param, format!("the request body is not valid: {msg}"))
    })
}

/// Counts the request and its latency, then answers.
fn answered(
    g: &Gateway,
    endpoint: &str,
    model: &str,
    mode: Mode,
    started: Instant,
    response: Result<Response, ApiError>,
) -> Response {
    let response = response.unwrap_or_else(|e| {
        tracing::info!("{endpoint} {model}: {} {}", e.status.as_u16(), e.message);
        e.into_response()
    });
    // A model name from a request that was refused before it reached a model is not a
    // label: arbitrary names would grow the metric without bound.
    let status = response.status();
    let model = match status.as_u16() {
        400 | 401 | 403 | 404 => "",
        _ => model,
    };
    g.metrics
        .requests
        .with_label_values(&[endpoint, status.as_str(), model])
        .inc();
    g.metrics
        .seconds
        .with_label_values(&[endpoint, mode.label()])
        .observe(started.elapsed().as_secs_f64());
    response
}

/// The approved registry entry named `name`.
async fn approved(g: &Gateway, name: &str) -> Result<(u32, ModelInfo), ApiError> {
    let registry = g.chain.models().await.map_err(|e| unavailable(&e))?;
    let found = registry.into_iter().find(|(_, m)| m.name() == name);
    match found {
        Some((id, info)) if *info.status == ModelStatus::Approved => Ok((id, info)),
        Some((_, info)) => Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "model_not_found",
            format!("model `{name}` is {:?}, not approved: it takes no jobs (GET /v1/models lists those that do)", *info.status),
        )),
        None => Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "model_not_found",
            format!("no model named `{name}` in the registry (GET /v1/models lists them)"),
        )),
    }
}

fn unavailable(e: &anyhow::Error) -> ApiError {
    tracing::warn!("the node failed: {e:#}");
    ApiError::new(
        StatusCode::BAD_GATEWAY,
        "node_unavailable",
        "the gateway cannot read the chain right now: check that its node is running and synced",
    )
}

/// Prices, checks funds, submits. Returns the job id.
async fn submit(
    g: &Gateway,
    model: u32,
    name: &str,
    info: &ModelInfo,
    input: Vec<u8>,
) -> Result<JobId, ApiError> {
    if let Err(e) = info.spec.input.check(&input) {
        return Err(ApiError::invalid(
            "input",
            format!(
                "the request does not fit {name}'s input schema ({e:?}; at most {} bytes)",
                info.spec.input.max_bytes
            ),
        ));
    }
    let fee = dapp::suggested_fee(&g.chain, model, input.len())
        .await
        .map_err(|e| unavailable(&e))?
        .ok_or_else(|| {
            ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "no_worker",
                format!("no worker serves `{name}` right now: try again later"),
            )
        })?;
    let me = g.key.account();
    let free = g
        .chain
        .free_balance(&me)
        .await
        .map_err(|e| unavailable(&e))?;
    if free <= fee {
        return Err(ApiError::new(
            StatusCode::PAYMENT_REQUIRED,
            "insufficient_funds",
            format!(
                "the gateway's account {me} holds {} and a job costs up to {}: its operator must fund it",
                crate::roles::format_inf(free),
                crate::roles::format_inf(fee)
            ),
        ));
    }
    let id = dapp::submit_job(&g.chain, &g.key, &g.nonces, model, input, fee)
        .await
        .map_err(|e| {
            tracing::warn!("submitting a {name} job failed: {e:#}");
            let text = format!("{e:#}");
            if text.contains("Inability to pay") || text.contains("FundsUnavailable") {
                ApiError::new(
                    StatusCode::PAYMENT_REQUIRED,
                    "insufficient_funds",
                    format!("the gateway's account {me} cannot pay for the job: its operator must fund it"),
                )
            } else if text.contains("QueueFull") {
                ApiError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "queue_full",
                    "the chain's job queue is full: try again in a few blocks",
                )
            } else {
                ApiError::new(
                    StatusCode::BAD_GATEWAY,
                    "submit_failed",
                    "the chain did not take the job: try again; the gateway's log has the reason",
                )
            }
        })?;
    tracing::info!(job = id, "submitted a {name} job");
    Ok(id)
}

/// Waits for the job as `mode` asks; returns the snapshot and the worker's output. In fast
/// mode an LLM job (`draft`) answers with the miner's draft, public from its commit on, and
/// any other job once its worker revealed.
async fn settle(
    g: &Gateway,
    id: JobId,
    mode: Mode,
    draft: bool,
) -> Result<(Snapshot, Vec<u8>), ApiError> {
    let done = move |j: &chain::Job| match mode {
        Mode::Verified => dapp::is_final(j),
        Mode::Fast if draft => dapp::is_drafted(j),
        Mode::Fast => dapp::is_revealed(j),
    };
    let snapshot = dapp::follow_job(&g.chain, &g.blocks, id, g.timeout, done, |s| {
        tracing::info!(job = id, "phase {}", s.status());
    })
    .await
    .map_err(|e| match e {
        FollowError::Timeout { status } => ApiError::new(
            StatusCode::GATEWAY_TIMEOUT,
            "job_timeout",
            format!(
                "job {id} is still {status} after {} s: GET /v1/jobs/{id} gives its verdict later",
                g.timeout.as_secs()
            ),
        ),
        FollowError::Chain(e) => unavailable(&e),
    })?;
    let output = dapp::output_of(&g.chain, &snapshot, id)
        .await
        .map_err(|e| unavailable(&e))?;
    match output {
        Some(o) => Ok((snapshot, o)),
        None => Err(ApiError::new(
            StatusCode::BAD_GATEWAY,
            "job_rejected",
            format!(
                "job {id} ended {} with verdict {}: no verified result (the fee was refunded); GET /v1/jobs/{id} has the details",
                snapshot.status(),
                snapshot.job.verdict.as_ref().map_or("none".into(), |v| format!("{v:?}"))
            ),
        )),
    }
}

async fn page() -> impl IntoResponse {
    axum::response::Html(include_str!("../../web/index.html"))
}

async fn models(State(g): State<Arc<Gateway>>) -> Response {
    let started = Instant::now();
    let result = async {
        let registry = g.chain.models().await.map_err(|e| unavailable(&e))?;
        let data: Vec<Value> = registry
            .iter()
            .filter(|(_, m)| *m.status == ModelStatus::Approved)
            .map(|(id, m)| {
                json!({
                    "id": m.name(),
                    "object": "model",
                    "created": 0,
                    "owned_by": m.owner.to_string(),
                    "verinfer": {
                        "model": id,
                        "version": String::from_utf8_lossy(&m.spec.version[..]),
                        "family": format!("{:?}", m.spec.family),
                        "verification": format!("{:?}", m.spec.verification),
                        "base_price": m.spec.base_price.to_string(),
                        "weights_sha256": hex::encode(m.spec.weights_hash),
                    }
                })
            })
            .collect();
        Ok(Json(json!({ "object": "list", "data": data })).into_response())
    }
    .await;
    answered(&g, "models", "", Mode::Verified, started, result)
}

fn usage(out: &JobOutput) -> Value {
    let completion = out.ids.len() as u64;
    let prompt = u64::from(out.prompt_tokens);
    json!({"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion})
}

fn bad_output(id: JobId) -> ApiError {
    ApiError::new(
        StatusCode::BAD_GATEWAY,
        "bad_output",
        format!("job {id}'s result is not an LLM result: GET /v1/jobs/{id}"),
    )
}
