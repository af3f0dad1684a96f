//! The real worker on a real dev node: `verinfer-worker mine` and `verify` processes run
//! the shipped models, and `verinfer-worker submit` posts jobs and prints the verified
//! results, for both models; the dev chain audits every job once an auditor is bonded.

use std::time::Duration;

use jsonrpsee::http_client::HttpClient;
use verinfer_e2e::*;

const STARTUP: Duration = Duration::from_secs(60);
const JOB: Duration = Duration::from_secs(120);

async fn wait_bonded(rpc: &HttpClient, model: u32, n: usize) -> anyhow::Result<()> {
	wait_for(&format!("{n} worker(s) bonded for model {model}"), STARTUP, || async {
		Ok((workers(rpc, model).await?.len() >= n).then_some(()))
	})
	.await
}

#[tokio::test]
async fn miner_and_auditor_complete_real_jobs_for_both_models() -> anyhow::Result<()> {
	let dir = tempfile::tempdir()?;
	let (node, rpc) = start_dev_node(dir.path()).await?;

	let url = node.ws_url();
	let miner =
		Worker::start("miner", dir.path(), &url, &["mine", "--key", "//Bob", "--bond", "2000"])?;
	let auditor = Worker::start(
		"auditor",
		dir.path(),
		&url,
		&["verify", "--key", "//Charlie", "--bond", "6000"],
	)?;
	let logs = |e: anyhow::Error| {
		e.context(format!(
			"{}\n{}\n{}",
			miner.log_tail(40),
			auditor.log_tail(40),
			node.log_tail(20)
		))
	};
	wait_bonded(&rpc, 0, 1).await.map_err(logs)?;
	wait_bonded(&rpc, 1, 1).await.map_err(logs)?;
	wait_for("the auditor's bond", STARTUP, || async {
		Ok(auditor.log().contains("following finalized blocks").then_some(()))
	})
	.await
	.map_err(logs)?;

	// A real sklearn digit (index 0 is a 0) through the integer CNN.
	let digits = submit_job(&url, &["--key", "//Alice", "digits", "--image-index", "0"], JOB)
		.await
		.map_err(logs)?;
	assert_eq!(digits["status"], "Finalized", "{digits}");
	assert_eq!(digits["verdict"], "AcceptedByAudit", "the auditor re-ran it and agreed: {digits}");
	assert_eq!(digits["audited"], true);
	assert_eq!(digits["label"], 0);
	assert_eq!(digits["digit"], 0, "the integer CNN classifies sklearn digit #0 as a 0: {digits}");
	assert_eq!(digits["logits"].as_array().map(Vec::len), Some(10));

	// A sentence through all-MiniLM-L6-v2, judged within the registry's tolerance.
	let text = submit_job(
		&url,
		&["--key", "//Alice", "text", "Verifiable inference on a Substrate chain."],
		JOB,
	)
	.await
	.map_err(logs)?;
	assert_eq!(text["verdict"], "AcceptedByAudit", "{text}");
	assert_eq!(text["dimensions"], 384);
	let norm = text["norm"].as_f64().unwrap_or_default();
	assert!((norm - 1.0).abs() < 1e-4, "a unit-length embedding, got norm {norm}");

	// Prometheus on the worker counts what it did.
	let mined = wait_for("the miner to count its digits job", Duration::from_secs(30), || async {
		let page = metrics(miner.prometheus_port)?;
		Ok(page
			.contains("verinfer_worker_jobs_done_total{model=\"digits-cnn\",role=\"mine\"} 1")
			.then_some(page))
	})
	.await?;
	assert!(
		mined.contains("verinfer_worker_inference_seconds_count{model=\"all-MiniLM-L6-v2\"}"),
		"{mined}"
	);
	// A reveal counts once its transaction is final, which the worker hears of just after
	// the job is: wait for it, boundedly.
	let counted = "verinfer_worker_jobs_done_total{model=\"all-MiniLM-L6-v2\",role=\"verify\"} 1";
	wait_for("the auditor to count its MiniLM audit", Duration::from_secs(30), || async {
		Ok(metrics(auditor.prometheus_port)?.contains(counted).then_some(()))
	})
	.await?;
	Ok(())
}
