//! Starting, killing and restarting `verinfer-node` processes.

use std::{
	fs::File,
	net::TcpListener,
	path::{Path, PathBuf},
	process::{Child, Command, Stdio},
	time::Duration,
};

use anyhow::{anyhow, Context};
use jsonrpsee::http_client::{HttpClient, HttpClientBuilder};

/// The `verinfer-node` binary under test: `$VERINFER_NODE`, or the one cargo built next to
/// this test executable.
pub fn node_binary() -> PathBuf {
	if let Some(path) = std::env::var_os("VERINFER_NODE") {
		return path.into();
	}
	// The test executable is `<target>/<profile>/deps/<test>-<hash>`.
	let exe = std::env::current_exe().expect("the test executable has a path");
	let profile_dir = exe.parent().and_then(Path::parent).expect("target/<profile>/deps");
	profile_dir.join("verinfer-node")
}

/// The repository root, for committed files such as `chain-specs/`.
pub fn repo_root() -> PathBuf {
	Path::new(env!("CARGO_MANIFEST_DIR"))
		.parent()
		.expect("tests/ is in the repo")
		.to_path_buf()
}

/// A free TCP port on 127.0.0.1.
pub fn free_port() -> u16 {
	TcpListener::bind("127.0.0.1:0")
		.and_then(|l| l.local_addr())
		.map(|a| a.port())
		.expect("the OS hands out a free loopback port")
}

/// The loopback ports one node listens on.
#[derive(Clone, Copy, Debug)]
pub struct Ports {
	/// libp2p.
	pub p2p: u16,
	/// JSON-RPC (HTTP and WebSocket).
	pub rpc: u16,
	/// Prometheus metrics.
	pub prometheus: u16,
}

impl Ports {
	/// Three fresh free ports.
	pub fn free() -> Self {
		Self { p2p: free_port(), rpc: free_port(), prometheus: free_port() }
	}
}

/// A running `verinfer-node`. Dropping it kills the process.
pub struct Node {
	/// A name for logs and error messages.
	pub name: String,
	/// The node's ports.
	pub ports: Ports,
	/// The database and keystore directory, kept across restarts.
	pub base_path: PathBuf,
	args: Vec<String>,
	log_path: PathBuf,
	child: Option<Child>,
}

impl Node {
	/// Starts `verinfer-node` with `args` plus the loopback ports and `base_path`.
	pub fn start(name: &str, base_path: &Path, args: &[&str]) -> anyhow::Result<Self> {
		let mut node = Self {
			name: name.to_string(),
			ports: Ports::free(),
			base_path: base_path.to_path_buf(),
			args: args.iter().map(|s| s.to_string()).collect(),
			log_path: base_path.join(format!("{name}.log")),
			child: None,
		};
		node.spawn()?;
		Ok(node)
	}

	fn spawn(&mut self) -> anyhow::Result<()> {
		std::fs::create_dir_all(&self.base_path)?;
		let log = File::options()
			.create(true)
			.append(true)
			.open(&self.log_path)
			.with_context(|| format!("opening {}", self.log_path.display()))?;
		let bin = node_binary();
		let child = Command::new(&bin)
			.args(&self.args)
			.arg("--base-path")
			.arg(&self.base_path)
			.args(["--listen-addr", &format!("/ip4/127.0.0.1/tcp/{}", self.ports.p2p)])
			.args(["--rpc-port", &self.ports.rpc.to_string()])
			.args(["--prometheus-port", &self.ports.prometheus.to_string()])
			.args(["--no-telemetry", "--no-mdns"])
			.stdin(Stdio::null())
			.stdout(log.try_clone()?)
			.stderr(log)
			.spawn()
			.with_context(|| {
				format!("starting {} (build it with `cargo build --workspace`)", bin.display())
			})?;
		self.child = Some(child);
		Ok(())
	}

	/// Kills the node with SIGKILL: no shutdown, no flush.
	pub fn kill(&mut self) {
		if let Some(mut child) = self.child.take() {
			let _ = child.kill();
			let _ = child.wait();
		}
	}

	/// Starts the node again on the same base path and ports.
	pub fn restart(&mut self) -> anyhow::Result<()> {
		self.kill();
		self.spawn()
	}

	/// Whether the process is still running.
	pub fn is_running(&mut self) -> bool {
		matches!(self.child.as_mut().map(|c| c.try_wait()), Some(Ok(None)))
	}

	/// The node's HTTP JSON-RPC endpoint.
	pub fn rpc_url(&self) -> String {
		format!("http://127.0.0.1:{}", self.ports.rpc)
	}

	/// The node's WebSocket JSON-RPC endpoint.
	pub fn ws_url(&self) -> String {
		format!("ws://127.0.0.1:{}", self.ports.rpc)
	}

	/// A JSON-RPC client for this node.
	pub fn rpc(&self) -> anyhow::Result<HttpClient> {
		HttpClientBuilder::default()
			.request_timeout(Duration::from_secs(10))
			.build(self.rpc_url())
			.map_err(|e| anyhow!("rpc client for {}: {e}", self.name))
	}

	/// The last lines of the node's log, for failure messages.
	pub fn log_tail(&self, lines: usize) -> String {
		let text = std::fs::read_to_string(&self.log_path).unwrap_or_default();
		let all: Vec<&str> = text.lines().collect();
		all[all.len().saturating_sub(lines)..].join("\n")
	}

	/// The libp2p address other nodes can dial, given this node's peer id.
	pub fn multiaddr(&self, peer_id: &str) -> String {
		format!("/ip4/127.0.0.1/tcp/{}/p2p/{peer_id}", self.ports.p2p)
	}
}

impl Drop for Node {
	fn drop(&mut self) {
		self.kill();
	}
}

/// Starts a `--dev` node (a block at least every 500 ms) under `dir/dev` and waits for its
/// first finalized block; returns it with its JSON-RPC client.
pub async fn start_dev_node(dir: &Path) -> anyhow::Result<(Node, HttpClient)> {
	let node = Node::start("dev", &dir.join("dev"), &["--dev", "--dev-block-time", "500"])?;
	let rpc = node.rpc()?;
	crate::wait_finalized(&rpc, 1, Duration::from_secs(60))
		.await
		.map_err(|e| e.context(node.log_tail(30)))?;
	Ok((node, rpc))
}
