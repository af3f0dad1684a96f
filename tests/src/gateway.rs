//! The gateway under test: a dev node with a miner and a blind auditor serving the shipped
//! models and the tiny test LLM (`tiny-llama`), gateways in front of it, and the Python
//! clients in `tests/clients/` (the official OpenAI SDK, Selenium) that drive them.

use std::{
	path::{Path, PathBuf},
	time::Duration,
};

use serde_json::Value;

use crate::*;

/// The bearer token the tests' gateways accept.
pub const TOKEN: &str = "test-token";

const STARTUP: Duration = Duration::from_secs(120);

/// The Python of the virtual environment `scripts/setup.sh` makes (`$VERINFER_VENV`).
pub fn python() -> PathBuf {
	std::env::var_os("VERINFER_VENV")
		.map(PathBuf::from)
		.unwrap_or_else(|| {
			PathBuf::from(std::env::var_os("HOME").unwrap_or_default()).join(".cache/verinfer-venv")
		})
		.join("bin/python")
}

/// A dev node, `tiny-llama` registered and approved, a miner (Bob) and an auditor
/// (Charlie) serving it and the shipped models.
pub struct ServingNet {
	/// The node.
	pub node: Node,
	/// Its HTTP JSON-RPC client.
	pub rpc: jsonrpsee::http_client::HttpClient,
	/// `tiny-llama`'s model id; the next id is free.
	pub tiny: u32,
	/// The miner.
	pub miner: Worker,
	/// The auditor.
	pub auditor: Worker,
}

impl ServingNet {
	/// Starts it all in `dir`; [`Self::wait_on_duty`] waits until it serves.
	pub async fn start(dir: &Path) -> anyhow::Result<Self> {
		let (node, rpc) = start_dev_node(dir).await?;
		let tiny = next_model_id();
		register_llm(&rpc, tiny, "tiny-llama", &tiny_llama()).await?;
		let models = models_folder_with(dir, &[&tiny_llama()])?;
		let models = models.to_string_lossy().into_owned();
		let url = node.ws_url();
		let miner = Worker::start(
			"miner",
			dir,
			&url,
			&["--models-dir", &models, "mine", "--key", "//Bob", "--bond", "2000"],
		)?;
		let auditor = Worker::start(
			"auditor",
			dir,
			&url,
			&["--models-dir", &models, "verify", "--key", "//Charlie", "--bond", "6000"],
		)?;
		Ok(Self { node, rpc, tiny, miner, auditor })
	}

	/// Waits until the miner serves `tiny-llama` and MiniLM and the auditor is on duty.
	pub async fn wait_on_duty(&self) -> anyhow::Result<()> {
		wait_on_duty(&self.rpc, &[(self.tiny, 1), (1, 1)], &[&self.auditor], STARTUP).await
	}

	/// The last lines of every log.
	pub fn logs(&self) -> String {
		format!(
			"{}\n{}\n{}",
			self.miner.log_tail(30),
			self.auditor.log_tail(30),
			self.node.log_tail(10)
		)
	}
}

/// Starts `verinfer-worker gateway` on a free loopback port: the process and its base URL.
pub fn start_gateway(
	name: &str,
	dir: &Path,
	url: &str,
	extra: &[&str],
) -> anyhow::Result<(Worker, String)> {
	let listen = format!("127.0.0.1:{}", free_port());
	let mut args = vec!["gateway", "--listen", &listen];
	args.extend(extra);
	let gateway = Worker::start(name, dir, url, &args)?;
	Ok((gateway, format!("http://{listen}")))
}

/// Waits until the gateway at `base` answers HTTP.
pub async fn wait_up(base: &str, gateway: &Worker) -> anyhow::Result<()> {
	wait_for("the gateway to answer", STARTUP, || async {
		let (status, _) = http(base, "/v1/models", Some(TOKEN), None);
		Ok((status != 0).then_some(()))
	})
	.await
	.map_err(|e| e.context(gateway.log_tail(30)))
}

/// `POST path` (or `GET` when `body` is `None`) with an optional bearer token: the status
/// (0 when nothing answered) and the JSON body.
pub fn http(base: &str, path: &str, token: Option<&str>, body: Option<&str>) -> (u16, Value) {
	let url = format!("{base}{path}");
	let req = match body {
		Some(_) => ureq::post(&url).set("content-type", "application/json"),
		None => ureq::get(&url),
	};
	let req = match token {
		Some(t) => req.set("authorization", &format!("Bearer {t}")),
		None => req,
	};
	let req = req.timeout(Duration::from_secs(240));
	let res = match body {
		Some(b) => req.send_string(b),
		None => req.call(),
	};
	let (status, text) = match res {
		Ok(r) => (r.status(), r.into_string().unwrap_or_default()),
		Err(ureq::Error::Status(code, r)) => (code, r.into_string().unwrap_or_default()),
		Err(e) => (0, e.to_string()),
	};
	(status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
}
