//! Starting `verinfer-worker` processes (`mine`, `verify`) and running `submit`.

use std::{
	fs::File,
	path::{Path, PathBuf},
	process::{Child, Command, Stdio},
	time::Duration,
};

use anyhow::Context;

use crate::{free_port, repo_root};

/// The release `verinfer-worker` binary: `$VERINFER_WORKER` (set by `scripts/test.sh`), or
/// where `scripts/lib.sh` builds it.
pub fn worker_binary() -> PathBuf {
	if let Some(path) = std::env::var_os("VERINFER_WORKER") {
		return path.into();
	}
	let home = std::env::var_os("HOME").map(PathBuf::from).unwrap_or_default();
	home.join(".cache/verinfer-worker-target/release/verinfer-worker")
}

/// The model files folder: `$VERINFER_MODELS_DIR` or `<repo>/.models`.
pub fn models_dir() -> PathBuf {
	std::env::var_os("VERINFER_MODELS_DIR")
		.map(PathBuf::from)
		.unwrap_or_else(|| repo_root().join(".models"))
}

fn command() -> anyhow::Result<Command> {
	let bin = worker_binary();
	anyhow::ensure!(
		bin.is_file(),
		"{} is missing: run scripts/test.sh (it fetches the models and builds the worker), or set VERINFER_WORKER",
		bin.display()
	);
	let mut cmd = Command::new(bin);
	cmd.env("VERINFER_MODELS_DIR", models_dir()).env("RUST_LOG", "info");
	Ok(cmd)
}

/// A running `verinfer-worker mine` or `verify`. Dropping it kills the process.
pub struct Worker {
	/// A name for messages.
	pub name: String,
	/// Its Prometheus port on 127.0.0.1.
	pub prometheus_port: u16,
	log_path: PathBuf,
	args: Vec<String>,
	child: Option<Child>,
}

impl Worker {
	/// Starts `verinfer-worker <args>` against `url`, logging to `<dir>/<name>.log`.
	pub fn start(name: &str, dir: &Path, url: &str, args: &[&str]) -> anyhow::Result<Self> {
		let mut w = Self {
			name: name.into(),
			prometheus_port: free_port(),
			log_path: dir.join(format!("{name}.log")),
			args: args.iter().map(|s| s.to_string()).collect(),
			child: None,
		};
		w.args.extend(["--url".into(), url.into()]);
		w.spawn()?;
		Ok(w)
	}

	fn spawn(&mut self) -> anyhow::Result<()> {
		let log = File::options().create(true).append(true).open(&self.log_path)?;
		// Each test's workers keep their LLM results in the test's own folder (a restart of
		// the same worker finds them there).
		let state = self.log_path.with_file_name("worker-state");
		let child = command()?
			.env("VERINFER_STATE_DIR", state)
			.args(&self.args)
			.args(["--prometheus-port", &self.prometheus_port.to_string()])
			.stdin(Stdio::null())
			.stdout(log.try_clone()?)
			.stderr(log)
			.spawn()
			.context("starting verinfer-worker")?;
		self.child = Some(child);
		Ok(())
	}

	/// Kills the worker with SIGKILL.
	pub fn kill(&mut self) {
		if let Some(mut c) = self.child.take() {
			let _ = c.kill();
			let _ = c.wait();
		}
	}

	/// Kills the worker with SIGKILL and starts it again with the same arguments, logging
	/// to the same file.
	pub fn restart(&mut self) -> anyhow::Result<()> {
		self.kill();
		self.spawn()
	}

	/// Whether the process still runs.
	pub fn is_running(&mut self) -> bool {
		matches!(self.child.as_mut().map(|c| c.try_wait()), Some(Ok(None)))
	}

	/// The last lines of its log.
	pub fn log_tail(&self, lines: usize) -> String {
		let text = std::fs::read_to_string(&self.log_path).unwrap_or_default();
		let all: Vec<&str> = text.lines().collect();
		format!("--- {} ---\n{}", self.name, all[all.len().saturating_sub(lines)..].join("\n"))
	}

	/// The last `lines` of its log that are warnings or errors, whenever they were logged.
	pub fn warnings(&self, lines: usize) -> String {
		let text = self.log();
		let hits: Vec<&str> =
			text.lines().filter(|l| l.contains("WARN") || l.contains("ERROR")).collect();
		format!(
			"--- {} (warnings) ---\n{}",
			self.name,
			hits[hits.len().saturating_sub(lines)..].join("\n")
		)
	}

	/// Its whole log.
	pub fn log(&self) -> String {
		std::fs::read_to_string(&self.log_path).unwrap_or_default()
	}
}

impl Worker {
	/// Whether its duty loop is running: it logged that it follows finalized blocks, which
	/// it does once bonded and connected.
	pub fn on_duty(&self) -> bool {
		self.log().contains("following finalized blocks")
	}
}

/// Waits, up to `timeout`, until at least `count` active workers serve each `(model,
/// count)` of `miners` and every one of `auditors` is on duty ([`Worker::on_duty`]).
pub async fn wait_on_duty(
	rpc: &jsonrpsee::http_client::HttpClient,
	miners: &[(u32, usize)],
	auditors: &[&Worker],
	timeout: Duration,
) -> anyhow::Result<()> {
	crate::wait_for("the miners and auditors to be on duty", timeout, || async {
		for (model, count) in miners {
			if crate::workers(rpc, *model).await?.len() < *count {
				return Ok(None);
			}
		}
		Ok(auditors.iter().all(|a| a.on_duty()).then_some(()))
	})
	.await
}

impl Drop for Worker {
	fn drop(&mut self) {
		self.kill();
	}
}

/// Runs `verinfer-worker <args>` to completion (at most `timeout`) and parses the JSON it
/// prints on stdout.
pub async fn worker_json(args: &[&str], timeout: Duration) -> anyhow::Result<serde_json::Value> {
	let mut cmd = tokio::process::Command::from(command()?);
	cmd.args(args);
	cmd.kill_on_drop(true);
	let out = tokio::time::timeout(timeout, cmd.output())
		.await
		.with_context(|| format!("verinfer-worker {args:?} did not exit in time"))??;
	let stderr = String::from_utf8_lossy(&out.stderr);
	anyhow::ensure!(out.status.success(), "verinfer-worker {args:?} failed:\n{stderr}");
	serde_json::from_slice(&out.stdout)
		.with_context(|| format!("verinfer-worker {args:?} printed no JSON; stderr:\n{stderr}"))
}

/// Runs `verinfer-worker submit <args> --url <url>` to completion (at most `timeout`) and
/// parses the JSON it prints.
pub async fn submit_job(
	url: &str,
	args: &[&str],
	timeout: Duration,
) -> anyhow::Result<serde_json::Value> {
	let mut cmd = tokio::process::Command::from(command()?);
	cmd.arg("submit")
		.args(args)
		.args(["--url", url, "--timeout", &timeout.as_secs().to_string()]);
	cmd.kill_on_drop(true);
	let out = tokio::time::timeout(timeout + Duration::from_secs(30), cmd.output())
		.await
		.context("verinfer-worker submit did not exit in time")??;
	let stderr = String::from_utf8_lossy(&out.stderr);
	anyhow::ensure!(out.status.success(), "verinfer-worker submit failed:\n{stderr}");
	serde_json::from_slice(&out.stdout)
		.with_context(|| format!("submit printed no JSON; stderr:\n{stderr}"))
}
