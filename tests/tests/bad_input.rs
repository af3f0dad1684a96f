//! Bad input over JSON-RPC: malformed, unauthorised, mistimed and out-of-range requests,
//! each answered with its specific error (a pallet error of the failed extrinsic, a pool
//! rejection, or a JSON-RPC error), none leaving funds on hold or stopping the node.
//!
//! The test prints the table of requests and the errors they got.

use std::time::Duration;

use codec::{Decode, Encode};
use jsonrpsee::{core::client::ClientT, http_client::HttpClient, rpc_params};
use serde_json::Value;
use sp_core::{crypto::Ss58Codec, Pair, H256};
use sp_keyring::Sr25519Keyring::{self, Alice, Bob, Charlie};
use sp_runtime::{DispatchError, Perbill};
use verinfer_e2e::*;
use verinfer_runtime::{Runtime, RuntimeCall, RuntimeEvent, INF, MILLI_INF};

const STEP: Duration = Duration::from_secs(30);

type JobsError = pallet_jobs::Error<Runtime>;
type StakingError = pallet_compute_staking::Error<Runtime>;

/// What a request got.
#[derive(Debug, PartialEq)]
enum Outcome {
	/// Included; the call succeeded.
	Ok,
	/// Included; the call failed with this error.
	Failed(DispatchError),
	/// The pool or the RPC server refused it, with this message.
	Refused(String),
}

struct Recorder {
	rows: Vec<(String, String)>,
}

impl Recorder {
	fn record(&mut self, what: &str, got: &Outcome, expected: &Outcome) {
		assert_eq!(got, expected, "{what}");
		// Decoded module errors carry no name; the expected one (built from the pallet's
		// error type) does, and it equals the one received.
		let shown = match expected {
			Outcome::Failed(DispatchError::Module(m)) => {
				format!("{}::{}", pallet_name(m.index), m.message.unwrap_or("?"))
			},
			other => format!("{other:?}"),
		};
		self.rows.push((what.to_string(), shown));
	}

	fn refused(&mut self, what: &str, got: Outcome, must_mention: &str) {
		self.refused_with_any(what, got, &[must_mention]);
	}

	/// Like `refused`, where the node may give one of several correct reasons.
	fn refused_with_any(&mut self, what: &str, got: Outcome, mentions: &[&str]) {
		match &got {
			Outcome::Refused(msg) => assert!(
				mentions.iter().any(|m| msg.to_lowercase().contains(&m.to_lowercase())),
				"{what}: refused with `{msg}`, expected a mention of one of {mentions:?}"
			),
			other => panic!("{what}: expected a refusal, got {other:?}"),
		}
		self.rows.push((what.to_string(), format!("{got:?}")));
	}
}

fn pallet_name(index: u8) -> String {
	let index_of = |e: DispatchError| match e {
		DispatchError::Module(m) => Some(m.index),
		_ => None,
	};
	if Some(index) == index_of(JobsError::UnknownJob.into()) {
		"Jobs".into()
	} else if Some(index) == index_of(StakingError::NotBonded.into()) {
		"ComputeStaking".into()
	} else {
		format!("pallet #{index}")
	}
}

fn jobs(e: JobsError) -> Outcome {
	Outcome::Failed(e.into())
}

fn staking(e: StakingError) -> Outcome {
	Outcome::Failed(e.into())
}

/// Signs, submits and waits for `call` from `who`; reads the block's events for its result.
async fn send(rpc: &HttpClient, who: Sr25519Keyring, call: RuntimeCall) -> anyhow::Result<Outcome> {
	let from = best(rpc).await?.number;
	let xt = sign(rpc, &who.pair(), call).await?;
	if let Err(e) = submit(rpc, &xt).await {
		return Ok(Outcome::Refused(e.to_string()));
	}
	let block = wait_included(rpc, from, &xt).await?;
	let body: Value = rpc.request("chain_getBlock", rpc_params![block.hash]).await?;
	let wanted = format!("0x{}", hex::encode(xt.encode()));
	let index = body["block"]["extrinsics"]
		.as_array()
		.and_then(|x| x.iter().position(|x| x.as_str() == Some(wanted.as_str())))
		.ok_or_else(|| anyhow::anyhow!("extrinsic not in its block"))? as u32;
	// `System::Events` (its storage alias is private in FRAME): twox128("System") ++
	// twox128("Events"), the well-known key.
	let key = hex::decode("26aa394eea5630e07c48ae0c9558cef780d41e5e16056765bc8461851072c9d7")?;
	let raw: Option<String> = rpc
		.request("state_getStorage", rpc_params![format!("0x{}", hex::encode(key)), block.hash])
		.await?;
	let raw = hex::decode(raw.unwrap_or_default().trim_start_matches("0x"))?;
	let events = Vec::<frame_system::EventRecord<RuntimeEvent, H256>>::decode(&mut &raw[..])?;
	for e in events {
		if e.phase != frame_system::Phase::ApplyExtrinsic(index) {
			continue;
		}
		match e.event {
			RuntimeEvent::System(frame_system::Event::ExtrinsicSuccess { .. }) => {
				return Ok(Outcome::Ok)
			},
			RuntimeEvent::System(frame_system::Event::ExtrinsicFailed {
				dispatch_error, ..
			}) => return Ok(Outcome::Failed(dispatch_error)),
			_ => {},
		}
	}
	anyhow::bail!("no ExtrinsicSuccess/ExtrinsicFailed for the extrinsic")
}

async fn raw_submit(rpc: &HttpClient, bytes: &[u8]) -> Outcome {
	let r: Result<String, _> = rpc
		.request("author_submitExtrinsic", rpc_params![format!("0x{}", hex::encode(bytes))])
		.await;
	match r {
		Ok(h) => Outcome::Refused(format!("unexpectedly accepted as {h}")),
		Err(e) => Outcome::Refused(e.to_string()),
	}
}

async fn rpc_outcome(
	rpc: &HttpClient,
	method: &str,
	params: jsonrpsee::core::params::ArrayParams,
) -> Outcome {
	match rpc.request::<Value, _>(method, params).await {
		Ok(v) => Outcome::Refused(format!("answered {v}")),
		Err(e) => Outcome::Refused(e.to_string()),
	}
}

fn submit_job(model: u32, input: Vec<u8>, max_fee: u128, deadline: Option<u32>) -> RuntimeCall {
	RuntimeCall::Jobs(pallet_jobs::Call::submit_job {
		model,
		input: input.try_into().expect("within MaxInputLen"),
		max_fee,
		deadline,
	})
}

async fn held(rpc: &HttpClient, who: Sr25519Keyring) -> anyhow::Result<u128> {
	let key = frame_system::Account::<Runtime>::hashed_key_for(who.to_account_id());
	let raw = storage(rpc, &key).await?.unwrap_or_default();
	let info = frame_system::AccountInfo::<u32, pallet_balances::AccountData<u128>>::decode(
		&mut &raw[..],
	)?;
	Ok(info.data.reserved)
}

#[tokio::test]
async fn every_bad_request_gets_its_specific_error_and_holds_nothing() -> anyhow::Result<()> {
	let dir = tempfile::tempdir()?;
	let mut node =
		Node::start("dev", &dir.path().join("dev"), &["--dev", "--dev-block-time", "500"])?;
	let rpc = node.rpc()?;
	wait_finalized(&rpc, 1, Duration::from_secs(60))
		.await
		.map_err(|e| e.context(node.log_tail(30)))?;
	let mut rec = Recorder { rows: Vec::new() };
	let digit = vec![0u8; 784];
	let price = INF / 100;

	// Bonds.
	let bond = |value: u128, models: Vec<u32>| {
		RuntimeCall::ComputeStaking(pallet_compute_staking::Call::bond_worker {
			value,
			models: models.try_into().unwrap(),
			price,
			endpoint: Default::default(),
			capacity: 8,
		})
	};
	assert_eq!(send(&rpc, Bob, bond(2_000 * INF, vec![0])).await?, Outcome::Ok);
	rec.record(
		"bond twice",
		&send(&rpc, Bob, bond(2_000 * INF, vec![0])).await?,
		&staking(StakingError::AlreadyBonded),
	);
	rec.record(
		"bond below the minimum stake",
		&send(&rpc, Charlie, bond(500 * INF, vec![0])).await?,
		&staking(StakingError::BelowMinimumStake),
	);
	rec.record(
		"bond for an unknown model",
		&send(&rpc, Charlie, bond(2_000 * INF, vec![99])).await?,
		&staking(StakingError::ModelNotApproved),
	);
	rec.record(
		"bond for no model",
		&send(&rpc, Charlie, bond(2_000 * INF, vec![])).await?,
		&staking(StakingError::NoModels),
	);

	// Submissions.
	let cases: Vec<(&str, RuntimeCall, JobsError)> = vec![
		("unknown model", submit_job(99, digit.clone(), INF, None), JobsError::UnknownModel),
		("wrong input length", submit_job(0, vec![0; 100], INF, None), JobsError::MalformedInput),
		(
			"oversized text input",
			submit_job(1, vec![b'a'; 3_000], INF, None),
			JobsError::InputTooLarge,
		),
		(
			"text that is not UTF-8",
			submit_job(1, vec![0xff, 0xfe, 0xfd], INF, None),
			JobsError::MalformedInput,
		),
		("zero fee", submit_job(0, digit.clone(), 0, None), JobsError::FeeBelowMinimum),
		(
			"fee below the minimum",
			submit_job(0, digit.clone(), 9 * MILLI_INF, None),
			JobsError::FeeBelowMinimum,
		),
		(
			"fee below the model's price",
			submit_job(1, b"hi".to_vec(), 20 * MILLI_INF, None),
			JobsError::FeeBelowModelPrice,
		),
		(
			"expired deadline",
			submit_job(0, digit.clone(), INF, Some(1)),
			JobsError::DeadlineTooSoon,
		),
	];
	for (what, call, err) in cases {
		rec.record(what, &send(&rpc, Alice, call).await?, &jobs(err));
	}
	assert_eq!(held(&rpc, Alice).await?, 0, "no failed submission left a hold");

	// A real job, assigned to Bob.
	assert_eq!(send(&rpc, Alice, submit_job(0, digit.clone(), INF, None)).await?, Outcome::Ok);
	wait_job_status(&rpc, 0, "Assigned", STEP).await?;
	let cancel = |job| RuntimeCall::Jobs(pallet_jobs::Call::cancel_job { job });
	rec.record(
		"cancel an assigned job",
		&send(&rpc, Alice, cancel(0)).await?,
		&jobs(JobsError::NotCancellable),
	);
	rec.record(
		"cancel someone else's job",
		&send(&rpc, Charlie, cancel(0)).await?,
		&jobs(JobsError::NotJobOwner),
	);
	rec.record(
		"cancel an unknown job",
		&send(&rpc, Alice, cancel(999)).await?,
		&jobs(JobsError::UnknownJob),
	);

	let output: Vec<u8> = verinfer_primitives::encode_i32s(&[5, 1, 2, 3, 4, 0, 6, 7, 8, 9]);
	let salt = [7u8; 32];
	let weights = verinfer_runtime::genesis_config_presets::DIGITS_CNN_SHA256;
	let c = verinfer_primitives::commitment(
		0,
		&Bob.to_account_id(),
		&weights,
		&verinfer_primitives::input_hash(&digit),
		&output,
		&salt,
	);
	let commit =
		|job, commitment| RuntimeCall::Jobs(pallet_jobs::Call::commit_result { job, commitment });
	let reveal = |job, output: Vec<u8>, salt| {
		RuntimeCall::Jobs(pallet_jobs::Call::reveal_result {
			job,
			output: output.try_into().unwrap(),
			salt,
		})
	};
	rec.record(
		"commit from a worker that was not assigned",
		&send(&rpc, Charlie, commit(0, c)).await?,
		&jobs(JobsError::NotAssignedWorker),
	);
	rec.record(
		"commit to an unknown job",
		&send(&rpc, Bob, commit(999, c)).await?,
		&jobs(JobsError::UnknownJob),
	);
	rec.record(
		"reveal before committing",
		&send(&rpc, Bob, reveal(0, output.clone(), salt)).await?,
		&jobs(JobsError::RevealNotOpen),
	);
	assert_eq!(send(&rpc, Bob, commit(0, c)).await?, Outcome::Ok);
	rec.record(
		"commit twice",
		&send(&rpc, Bob, commit(0, c)).await?,
		&jobs(JobsError::NotAwaitingCommit),
	);
	let release = |jobs: Vec<u64>| {
		RuntimeCall::Jobs(pallet_jobs::Call::release_jobs { jobs: jobs.try_into().unwrap() })
	};
	rec.record(
		"release a committed job",
		&send(&rpc, Bob, release(vec![0])).await?,
		&jobs(JobsError::NotReleasable),
	);
	rec.record(
		"release an empty batch",
		&send(&rpc, Bob, release(vec![])).await?,
		&jobs(JobsError::EmptyBatch),
	);
	rec.record(
		"release someone else's job",
		&send(&rpc, Charlie, release(vec![0])).await?,
		&jobs(JobsError::NotAssignedWorker),
	);
	let batch = RuntimeCall::Jobs(pallet_jobs::Call::commit_results {
		items: vec![(999, c)].try_into().unwrap(),
	});
	rec.record(
		"batch commit to an unknown job",
		&send(&rpc, Bob, batch).await?,
		&jobs(JobsError::UnknownJob),
	);
	let audit_commit = RuntimeCall::Jobs(pallet_jobs::Call::commit_audit { job: 0, commitment: c });
	rec.record(
		"audit commit from a non-auditor",
		&send(&rpc, Charlie, audit_commit).await?,
		&jobs(JobsError::NotAnAuditor),
	);
	let audit_reveal = RuntimeCall::Jobs(pallet_jobs::Call::reveal_audit {
		job: 0,
		output: output.clone().try_into().unwrap(),
		salt,
	});
	rec.record(
		"audit reveal from a non-auditor",
		&send(&rpc, Charlie, audit_reveal).await?,
		&jobs(JobsError::NotAnAuditor),
	);
	wait_job_status(&rpc, 0, "Revealing", STEP).await?;
	let mut wrong = output.clone();
	wrong[0] ^= 1;
	rec.record(
		"reveal that does not match the commitment",
		&send(&rpc, Bob, reveal(0, wrong, salt)).await?,
		&jobs(JobsError::CommitmentMismatch),
	);
	assert_eq!(send(&rpc, Bob, reveal(0, output.clone(), salt)).await?, Outcome::Ok);
	rec.record(
		"reveal twice",
		&send(&rpc, Bob, reveal(0, output.clone(), salt)).await?,
		&jobs(JobsError::AlreadyRevealed),
	);

	// Governance calls from a plain account.
	let mut params = verinfer_runtime::genesis_config_presets::job_params(true);
	params.audit_probability = Perbill::zero();
	rec.record(
		"set_params from a signed account",
		&send(&rpc, Alice, RuntimeCall::Jobs(pallet_jobs::Call::set_params { params })).await?,
		&Outcome::Failed(DispatchError::BadOrigin),
	);
	rec.record(
		"resolve_dispute from a signed account",
		&send(
			&rpc,
			Alice,
			RuntimeCall::Jobs(pallet_jobs::Call::resolve_dispute { job: 0, accept: true }),
		)
		.await?,
		&Outcome::Failed(DispatchError::BadOrigin),
	);

	// A reveal after the reveal deadline: by then the chain has taken the job from Bob.
	assert_eq!(send(&rpc, Alice, submit_job(0, digit.clone(), INF, None)).await?, Outcome::Ok);
	wait_job_status(&rpc, 1, "Assigned", STEP).await?;
	let c1 = verinfer_primitives::commitment(
		1,
		&Bob.to_account_id(),
		&weights,
		&verinfer_primitives::input_hash(&digit),
		&output,
		&salt,
	);
	assert_eq!(send(&rpc, Bob, commit(1, c1)).await?, Outcome::Ok);
	wait_job_status(&rpc, 1, "Revealing", STEP).await?;
	let late = wait_for("the reveal deadline to pass", Duration::from_secs(60), || async {
		let j = job(&rpc, 1).await?;
		Ok((j["status"] != "Revealing").then_some(j))
	})
	.await?;
	rec.record(
		"reveal after the deadline",
		&send(&rpc, Bob, reveal(1, output.clone(), salt)).await?,
		&jobs(JobsError::NotAssignedWorker),
	);
	assert_ne!(late["worker"], Bob.to_account_id().to_ss58check(), "the job was taken from Bob");

	// Refused by the pool.
	let good = sign(
		&rpc,
		&Alice.pair(),
		RuntimeCall::System(frame_system::Call::remark { remark: vec![1] }),
	)
	.await?;
	let bytes = good.encode();
	rec.refused("malformed SCALE", raw_submit(&rpc, &[0x42, 0x13, 0x37]).await, "decode");
	rec.refused(
		"truncated extrinsic",
		raw_submit(&rpc, &bytes[..bytes.len() - 10]).await,
		"decode",
	);
	let mut forged = bytes.clone();
	let sig_at = bytes.len() - 80;
	forged[sig_at] ^= 0xff;
	rec.refused("forged signature", raw_submit(&rpc, &forged).await, "invalid");
	submit(&rpc, &good).await?;
	wait_included(&rpc, 0, &good).await?;
	// The same bytes again: the pool has just seen them included, so it either still bans
	// their hash or finds the nonce used; both refuse the replay.
	rec.refused_with_any(
		"replayed extrinsic",
		raw_submit(&rpc, &bytes).await,
		&["banned", "outdated"],
	);
	// A new transaction with a nonce that is already used.
	let used =
		rpc.request::<u32, _>(
			"system_accountNextIndex",
			rpc_params![Alice.to_account_id().to_string()],
		)
		.await? - 1;
	let stale = sign_with_nonce(
		&rpc,
		&Alice.pair(),
		RuntimeCall::System(frame_system::Call::remark { remark: vec![3] }),
		used,
	)
	.await?;
	rec.refused(
		"transaction with a used nonce",
		raw_submit(&rpc, &stale.encode()).await,
		"outdated",
	);
	let (pauper, _) = sp_core::sr25519::Pair::generate();
	let unfunded =
		sign(&rpc, &pauper, RuntimeCall::System(frame_system::Call::remark { remark: vec![2] }))
			.await?;
	rec.refused(
		"transaction from an account without funds",
		raw_submit(&rpc, &unfunded.encode()).await,
		"pay",
	);

	// Refused by the RPC server.
	rec.refused(
		"unknown RPC method",
		rpc_outcome(&rpc, "jobs_doesNotExist", rpc_params![]).await,
		"not found",
	);
	rec.refused(
		"jobs_getJob with a string id",
		rpc_outcome(&rpc, "jobs_getJob", rpc_params!["abc"]).await,
		"invalid",
	);
	rec.refused(
		"jobs_listJobs with an unknown status",
		rpc_outcome(&rpc, "jobs_listJobs", rpc_params![serde_json::json!({"status": "Nope"})])
			.await,
		"invalid",
	);
	rec.refused(
		"jobs_estimateFee without parameters",
		rpc_outcome(&rpc, "jobs_estimateFee", rpc_params![]).await,
		"invalid",
	);
	let unknown_job: Value = rpc.request("jobs_getJob", rpc_params![999]).await?;
	assert_eq!(unknown_job, Value::Null, "an unknown job is null, not an error");
	rec.rows.push(("jobs_getJob of an unknown job".into(), "null".into()));
	let body = ureq::post(&node.rpc_url())
		.set("Content-Type", "application/json")
		.send_string("{not json");
	let text = match body {
		Ok(r) => r.into_string()?,
		Err(ureq::Error::Status(_, r)) => r.into_string()?,
		Err(e) => return Err(e.into()),
	};
	assert!(text.contains("-32700"), "malformed JSON gets a parse error: {text}");
	rec.rows.push(("malformed JSON-RPC body".into(), "parse error -32700".into()));

	// Nothing is left on hold once job 1 expires, and the node is still up.
	// Bob missed its reveal, so the job went back to the queue without a worker for Bob to
	// take: it ends when the queue timeout (200 dev blocks) refunds it.
	wait_for("job 1 to end", Duration::from_secs(180), || async {
		let j = job(&rpc, 1).await?;
		Ok((j["status"] == "Expired" || j["status"] == "Finalized").then_some(()))
	})
	.await?;
	assert_eq!(held(&rpc, Alice).await?, 0, "Alice holds nothing after all of it");
	assert!(node.is_running(), "the node survived every request");

	println!("{:<48} error", "request");
	for (what, got) in &rec.rows {
		println!("{what:<48} {got}");
	}
	assert!(rec.rows.len() >= 30, "{} distinct bad requests", rec.rows.len());
	Ok(())
}
