//! A harness for end-to-end tests: start the real `verinfer-node` binary on free loopback
//! ports, talk to it over JSON-RPC, and wait on chain state with deadlines.
//!
//! Every process is killed when its [`Node`] is dropped, and every temporary directory is
//! removed with its [`tempfile::TempDir`], so a failing test leaves nothing behind.

pub mod accounting;
pub mod burst;
pub mod chain;
pub mod gateway;
pub mod governance;
pub mod models;
pub mod network;
pub mod node;
pub mod worker;

pub use accounting::*;
pub use burst::*;
pub use chain::*;
pub use gateway::*;
pub use governance::*;
pub use models::*;
pub use network::*;
pub use node::*;
pub use worker::*;

use std::time::{Duration, Instant};

/// Polls `check` until it returns `Some`, or fails with `what` once `timeout` has passed.
pub async fn wait_for<T, F, Fut>(what: &str, timeout: Duration, mut check: F) -> anyhow::Result<T>
where
	F: FnMut() -> Fut,
	Fut: std::future::Future<Output = anyhow::Result<Option<T>>>,
{
	let deadline = Instant::now() + timeout;
	let mut last_error = None;
	loop {
		match check().await {
			Ok(Some(value)) => return Ok(value),
			Ok(None) => {},
			Err(e) => last_error = Some(e),
		}
		if Instant::now() >= deadline {
			let detail = last_error.map(|e| format!(" (last error: {e:#})")).unwrap_or_default();
			anyhow::bail!("timed out after {timeout:?} waiting for {what}{detail}");
		}
		tokio::time::sleep(Duration::from_millis(200)).await;
	}
}
