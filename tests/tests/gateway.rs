//! `verinfer-worker gateway` with a real dev node, miner and auditor, driven by the official
//! OpenAI Python SDK (`tests/clients/openai_check.py`, in the virtual environment that
//! `scripts/setup.sh` makes): model listing, chat (plain and streamed), completions and
//! embeddings come back in OpenAI's shapes with a `verinfer` proof object whose verdict is
//! the chain's; the error cases answer with OpenAI's error shape and the right status.

use std::{path::PathBuf, process::Command};

use serde_json::Value;
use verinfer_e2e::*;

#[tokio::test]
async fn openai_clients_get_verified_answers_and_openai_errors() -> anyhow::Result<()> {
	let dir = tempfile::tempdir()?;
	let net = ServingNet::start(dir.path()).await?;
	// Approved, and served by nobody: its jobs have no worker.
	let orphan = dir.path().join("orphan.gguf");
	std::fs::write(&orphan, b"an approved model that no worker has")?;
	register_llm(&net.rpc, net.tiny + 1, "orphan-llm", &orphan).await?;
	let (rpc, url) = (&net.rpc, net.node.ws_url());
	let (gateway, base) =
		start_gateway("gateway", dir.path(), &url, &["--key", "//Dave", "--api-token", TOKEN])?;
	let logs = |e: anyhow::Error| e.context(format!("{}\n{}", gateway.log_tail(40), net.logs()));
	net.wait_on_duty().await.map_err(logs)?;
	wait_up(&base, &gateway).await?;

	// The official SDK, unmodified, against the gateway.
	let out = Command::new(python())
		.arg(repo_root().join("tests/clients/openai_check.py"))
		.args([&format!("{base}/v1"), TOKEN, "tiny-llama", "all-MiniLM-L6-v2"])
		.output()?;
	let stderr = String::from_utf8_lossy(&out.stderr);
	anyhow::ensure!(
		out.status.success(),
		"the OpenAI SDK script failed:\n{stderr}\n{}",
		gateway.log_tail(40)
	);
	let r: Value = serde_json::from_slice(&out.stdout)?;

	let ids: Vec<&str> = r["models"]
		.as_array()
		.unwrap()
		.iter()
		.filter_map(|m| m["id"].as_str())
		.collect();
	assert!(ids.contains(&"tiny-llama") && ids.contains(&"all-MiniLM-L6-v2"), "{ids:?}");
	assert!(!ids.contains(&"SmolLM2-135M-Instruct"), "a proposal is not listed: {ids:?}");
	let tiny = r["models"]
		.as_array()
		.unwrap()
		.iter()
		.find(|m| m["id"] == "tiny-llama")
		.unwrap();
	assert_eq!(tiny["verinfer"]["family"], "Llama", "{tiny}");

	let chat = &r["chat"];
	assert_eq!(chat["object"], "chat.completion");
	let answer = chat["choices"][0]["message"]["content"].as_str().unwrap_or_default().to_owned();
	assert_eq!(chat["choices"][0]["message"]["role"], "assistant");
	let proof = &chat["verinfer"];
	assert_eq!(proof["verdict"], "AcceptedByAudit", "{chat}");
	assert_eq!(proof["audited"], true);
	assert!(proof["commitment"].as_str().is_some_and(|c| c.len() == 66), "{proof}");
	assert!(
		chat["usage"]["completion_tokens"]
			.as_u64()
			.is_some_and(|n| (1..=16).contains(&n)),
		"{chat}"
	);
	// The verdict is the chain's.
	let on_chain = job(rpc, proof["job"].as_u64().unwrap()).await?;
	assert_eq!(on_chain["verdict"], "AcceptedByAudit", "{on_chain}");
	assert_eq!(on_chain["seed"], proof["seed"]);

	// Streamed: a role chunk, then the same (greedy) text, then the finish with the proof.
	let chunks = r["stream"].as_array().unwrap();
	assert_eq!(chunks[0]["choices"][0]["delta"]["role"], "assistant", "{chunks:?}");
	let streamed: String = chunks
		.iter()
		.filter_map(|c| c["choices"][0]["delta"]["content"].as_str())
		.collect();
	assert_eq!(streamed, answer, "greedy, so the streamed answer is the same text");
	let last = chunks.last().unwrap();
	assert!(last["choices"][0]["finish_reason"].is_string(), "{last}");
	assert_eq!(last["verinfer"]["verdict"], "AcceptedByAudit", "{last}");

	let completion = &r["completion"];
	assert_eq!(completion["object"], "text_completion");
	assert!(completion["choices"][0]["text"].is_string());
	assert_eq!(completion["verinfer"]["verdict"], "AcceptedByAudit", "{completion}");

	let vectors: Vec<Vec<f64>> = r["embeddings"]["data"]
		.as_array()
		.unwrap()
		.iter()
		.map(|d| d["embedding"].as_array().unwrap().iter().filter_map(Value::as_f64).collect())
		.collect();
	assert_eq!(vectors.len(), 2);
	assert!(vectors.iter().all(|v| v.len() == 384));
	let cosine: f64 = vectors[0].iter().zip(&vectors[1]).map(|(a, b)| a * b).sum();
	assert!(cosine > 0.5, "two sentences about a cat on a mat are close: {cosine}");
	assert!(r["embeddings"]["usage"]["prompt_tokens"].as_u64().is_some_and(|n| n > 4));
	let jobs = r["embeddings"]["verinfer"]["jobs"].as_array().unwrap();
	assert!(jobs.iter().all(|j| j["verdict"] == "AcceptedByAudit"), "{jobs:?}");
	let float: Vec<f64> = r["embeddings_float"]["data"][0]["embedding"]
		.as_array()
		.unwrap()
		.iter()
		.filter_map(Value::as_f64)
		.collect();
	let max_diff = float.iter().zip(&vectors[0]).map(|(a, b)| (a - b).abs()).fold(0.0, f64::max);
	assert!(max_diff < 1e-6, "base64 and float encodings carry the same vector: {max_diff}");

	assert_eq!(r["errors"]["unknown_model"]["status"], 404, "{}", r["errors"]);
	assert_eq!(r["errors"]["too_many_tokens"]["status"], 400);
	assert_eq!(r["errors"]["too_many_tokens"]["body"]["param"], "max_tokens", "{}", r["errors"]);

	// The other errors, each with its status, in OpenAI's shape.
	let chat_body = |model: &str| {
		format!(
			r#"{{"model":"{model}","messages":[{{"role":"user","content":"hi"}}],"max_tokens":4,"temperature":0}}"#
		)
	};
	let (status, body) = http(&base, "/v1/models", None, None);
	assert_eq!(status, 401, "no token: {body}");
	assert_eq!(body["error"]["code"], "invalid_api_key");
	let (status, body) =
		http(&base, "/v1/chat/completions", Some(TOKEN), Some(&chat_body("orphan-llm")));
	assert_eq!(status, 503, "no worker serves it: {body}");
	let (status, body) =
		http(&base, "/v1/chat/completions", Some(TOKEN), Some(&chat_body("all-MiniLM-L6-v2")));
	assert_eq!((status, body["error"]["param"].as_str()), (400, Some("model")), "{body}");
	let (status, body) =
		http(&base, "/v1/chat/completions", Some(TOKEN), Some(r#"{"model":"tiny-llama"}"#));
	assert_eq!((status, body["error"]["param"].as_str()), (400, Some("messages")), "{body}");
	let (status, body) = http(&base, "/v1/chat/completions", Some(TOKEN), Some("not json"));
	assert_eq!(status, 400, "{body}");

	// An account with no funds: 402. A deadline shorter than any job: 504, with the job id.
	let (broke, broke_base) = start_gateway(
		"gateway-broke",
		dir.path(),
		&url,
		&["--key", "//NoFunds", "--api-token", TOKEN],
	)?;
	wait_up(&broke_base, &broke).await?;
	let (status, body) =
		http(&broke_base, "/v1/chat/completions", Some(TOKEN), Some(&chat_body("tiny-llama")));
	assert_eq!(status, 402, "{body}");
	assert_eq!(body["error"]["code"], "insufficient_funds");
	let (hasty, hasty_base) = start_gateway(
		"gateway-hasty",
		dir.path(),
		&url,
		&["--key", "//Eve", "--api-token", TOKEN, "--timeout", "1"],
	)?;
	wait_up(&hasty_base, &hasty).await?;
	let (status, body) =
		http(&hasty_base, "/v1/chat/completions", Some(TOKEN), Some(&chat_body("tiny-llama")));
	assert_eq!(status, 504, "{body}");
	assert!(
		body["error"]["message"].as_str().is_some_and(|m| m.contains("GET /v1/jobs/")),
		"{body}"
	);

	// The web page and the job endpoints it uses.
	let page = ureq::get(&format!("{base}/"))
		.set("authorization", &format!("Bearer {TOKEN}"))
		.call()?
		.into_string()?;
	assert!(page.contains("Chat with an LLM") && page.contains("Draw a digit"));
	let (status, body) = http(&base, &format!("/v1/jobs/{}", proof["job"]), Some(TOKEN), None);
	assert_eq!(status, 200);
	assert_eq!(body["text"].as_str(), Some(answer.as_str()), "{body}");

	// A person in a browser: a real headless Chromium opens the page of a gateway without
	// tokens (loopback only), chats, and sees the verified answer, its phases and verdict.
	let (open, open_base) =
		start_gateway("gateway-page", dir.path(), &url, &["--key", "//Ferdie"])?;
	wait_up(&open_base, &open).await?;
	// Cargo's folder for integration tests' output, kept after the run.
	let shot = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("gateway-page.png");
	let out = Command::new(python())
		.arg(repo_root().join("tests/clients/browser_check.py"))
		.arg(format!("{open_base}/"))
		.arg(&shot)
		.output()?;
	let stderr = String::from_utf8_lossy(&out.stderr);
	anyhow::ensure!(
		out.status.success(),
		"the browser check failed:\n{stderr}\n{}",
		open.log_tail(30)
	);
	let seen: Value = serde_json::from_slice(&out.stdout)?;
	assert!(seen["status"].as_str().is_some_and(|s| s.contains("tiny-llama")), "{seen}");
	let phases: Vec<&str> =
		seen["phases"].as_array().unwrap().iter().filter_map(Value::as_str).collect();
	assert!(phases.iter().any(|p| p.starts_with("assigned to ")), "{phases:?}");
	assert!(phases.last().is_some_and(|p| p.starts_with("final at block ")), "{phases:?}");
	assert!(seen["verdict"].as_str().is_some_and(|v| v.contains("AcceptedByAudit")), "{seen}");
	assert!(seen["answer"].is_string(), "{seen}");
	assert!(std::fs::metadata(&shot)?.len() > 10_000, "a screenshot at {}", shot.display());
	eprintln!("the page's screenshot: {}", shot.display());

	// Prometheus counts requests by endpoint, status and model.
	let page = metrics(gateway.prometheus_port)?;
	assert!(
		page.contains(r#"verinfer_gateway_requests_total{endpoint="chat.completions",model="tiny-llama",status="200"} 2"#),
		"{page}"
	);
	assert!(page.contains(r#"status="503""#), "{page}");
	Ok(())
}
