//! `verinfer-worker submit`: what a dApp does, from the command line. Submit a job, follow
//! it block by block (progress on stderr) and print the verified result as JSON (stdout).

use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Context, Result};
use serde_json::json;

use super::{format_inf, parse_inf};
use crate::chain::{self, Chain, JobStatus, Verdict};
use crate::dapp;
use crate::models::ModelDir;

/// What to submit.
#[derive(clap::Subcommand, Debug, Clone)]
pub enum SubmitInput {
    /// A 28×28 digit image for the digits CNN: one of the 1,797 sklearn digits (upscaled),
    /// or a raw 784-byte file.
    Digits {
        /// Index into the sklearn digits (its true label is printed beside the result).
        #[arg(long, conflicts_with = "image_file")]
        image_index: Option<usize>,
        /// A file of exactly 784 bytes, row-major, 0 = background.
        #[arg(long)]
        image_file: Option<std::path::PathBuf>,
    },
    /// A sentence for all-MiniLM-L6-v2 (an embedding comes back).
    Text {
        /// The text (or use --file).
        #[arg(conflicts_with = "file")]
        text: Option<String>,
        /// A UTF-8 text file.
        #[arg(long)]
        file: Option<std::path::PathBuf>,
    },
    /// A raw-prompt completion by a registered LLM: prints the verified text, its token
    /// ids and why it ended.
    Generate {
        /// The prompt, continued as is.
        #[arg(long)]
        prompt: String,
        #[command(flatten)]
        gen: GenerationArgs,
    },
    /// One user message to a registered LLM, rendered with the model's chat template and
    /// its default system prompt: prints the verified answer.
    Chat {
        /// The user message.
        message: String,
        #[command(flatten)]
        gen: GenerationArgs,
    },
    /// Any registered model, by name, with an input file in its canonical encoding.
    Raw {
        /// The model's name in the registry (see the models_list RPC).
        #[arg(long)]
        model: String,
        /// The input bytes.
        #[arg(long)]
        input_file: std::path::PathBuf,
    },
}

/// The options of an LLM job (see docs/llm.md for the request format).
#[derive(clap::Args, Debug, Clone)]
pub struct GenerationArgs {
    /// The LLM's registry name.
    #[arg(long, default_value = "SmolLM2-135M-Instruct")]
    pub model: String,
    /// The most tokens to generate (at most 256).
    #[arg(long, default_value_t = 64)]
    pub max_tokens: u32,
    /// 0 is greedy.
    #[arg(long, default_value_t = 0.0)]
    pub temperature: f32,
    /// Keep the K most likely tokens (0: all).
    #[arg(long, default_value_t = 0)]
    pub top_k: u32,
    /// Keep the most likely tokens up to this probability (1: all).
    #[arg(long, default_value_t = 1.0)]
    pub top_p: f32,
    /// Stop once the text contains this (repeatable, at most 4).
    #[arg(long)]
    pub stop: Vec<String>,
}

impl GenerationArgs {
    /// The job input: the request JSON, checked as a worker will check it.
    fn request(&self, prompt: Option<String>, chat: Option<String>) -> Result<Vec<u8>> {
        let request = crate::llm::JobRequest {
            prompt,
            messages: chat.map(|c| vec![crate::llm::Message::user(c)]),
            max_tokens: self.max_tokens,
            temperature: self.temperature,
            top_k: self.top_k,
            top_p: self.top_p,
            stop: self.stop.clone(),
            // The chain draws the seed when it assigns the job.
            seed: None,
        };
        let bytes = request.to_bytes();
        crate::llm::JobRequest::parse(&bytes).context("nothing was submitted")?;
        Ok(bytes)
    }
}

/// Options of `submit`.
#[derive(clap::Args, Debug, Clone)]
pub struct SubmitArgs {
    /// The node's WebSocket JSON-RPC endpoint.
    #[arg(
        long,
        default_value = "ws://127.0.0.1:9944",
        env = "VERINFER_NODE_URL",
        global = true
    )]
    pub url: String,
    #[command(flatten)]
    pub key: chain::keys::KeyArgs,
    /// The most to pay, in INF [default: the `suggestedMaxFee` of jobs_estimateFee].
    #[arg(long, value_parser = parse_inf, global = true)]
    pub max_fee: Option<u128>,
    /// Give up waiting for the final result after this many seconds.
    #[arg(long, default_value_t = 300, global = true)]
    pub timeout: u64,
    #[command(subcommand)]
    pub input: SubmitInput,
}

const DIGITS_MODEL: &str = "digits-cnn";
const TEXT_MODEL: &str = "all-MiniLM-L6-v2";

/// Runs `submit`; prints the result JSON on stdout.
pub async fn run(args: SubmitArgs, dir: &ModelDir) -> Result<()> {
    let key = args.key.load()?;
    let (model_name, input, label) = match &args.input {
        SubmitInput::Digits {
            image_index,
            image_file,
        } => match (image_index, image_file) {
            (Some(i), _) => {
                let data = crate::local::load_digits_data(dir)?;
                let d = data
                    .get(*i)
                    .ok_or_else(|| anyhow!("--image-index must be below {}", data.len()))?;
                (DIGITS_MODEL.to_string(), d.image.0.to_vec(), Some(d.label))
            }
            (None, Some(path)) => (
                DIGITS_MODEL.to_string(),
                std::fs::read(path).with_context(|| format!("reading {}", path.display()))?,
                None,
            ),
            (None, None) => bail!("give --image-index <0..1796> or --image-file <784-byte file>"),
        },
        SubmitInput::Text { text, file } => {
            let t = match (text, file) {
                (Some(t), _) => t.clone(),
                (None, Some(p)) => std::fs::read_to_string(p)
                    .with_context(|| format!("reading {}", p.display()))?,
                (None, None) => bail!("give the text as an argument or with --file"),
            };
            (TEXT_MODEL.to_string(), t.into_bytes(), None)
        }
        SubmitInput::Generate { prompt, gen } => (
            gen.model.clone(),
            gen.request(Some(prompt.clone()), None)?,
            None,
        ),
        SubmitInput::Chat { message, gen } => (
            gen.model.clone(),
            gen.request(None, Some(message.clone()))?,
            None,
        ),
        SubmitInput::Raw { model, input_file } => (
            model.clone(),
            std::fs::read(input_file)
                .with_context(|| format!("reading {}", input_file.display()))?,
            None,
        ),
    };

    let chain = Chain::connect_with_backoff(&args.url, Some(Duration::from_secs(60))).await?;
    let registry = chain.models().await?;
    let (model, info) = registry
        .iter()
        .find(|(_, m)| m.name() == model_name)
        .ok_or_else(|| {
            anyhow!("no model named `{model_name}` in the registry (models_list shows the names)")
        })?;
    if let Err(e) = info.spec.input.check(&input) {
        bail!(
            "the input does not fit {model_name}'s schema ({e:?}: {:?}, {} bytes): nothing was submitted",
            info.spec.input.element,
            info.spec.input.max_bytes
        );
    }
    let max_fee = match args.max_fee {
        Some(f) => f,
        None => dapp::suggested_fee(&chain, *model, input.len()).await?.ok_or_else(|| {
            anyhow!("no worker serves {model_name} right now (jobs_estimateFee has no suggestedMaxFee): start one, or pass --max-fee")
        })?,
    };
    eprintln!(
        "submitting a {model_name} job ({} input bytes, max fee {})",
        input.len(),
        format_inf(max_fee)
    );
    let started = Instant::now();
    let id = dapp::submit_job(
        &chain,
        &key,
        &dapp::Nonces::default(),
        *model,
        input,
        max_fee,
    )
    .await?;
    eprintln!(
        "  job {id}: submitted and finalized ({:.1?})",
        started.elapsed()
    );

    let blocks = dapp::Blocks::follow(chain.clone());
    let timeout = Duration::from_secs(args.timeout);
    let snapshot = dapp::follow_job(&chain, &blocks, id, timeout, dapp::is_final, |s| {
        let job = &s.job;
        let detail = match job.status {
            JobStatus::Assigned => format!(
                " to {}",
                job.worker.as_ref().map_or("?".into(), |w| w.to_string())
            ),
            JobStatus::Auditing => format!(" by {} auditor(s)", job.auditors.0.len()),
            JobStatus::Revealing => format!(" (audited: {:?})", job.audited),
            _ => String::new(),
        };
        eprintln!(
            "  job {id}: {}{detail} ({:.1?})",
            s.status(),
            started.elapsed()
        );
    })
    .await
    .map_err(|e| match e {
        dapp::FollowError::Timeout { status } => anyhow!(
            "job {id} is still {status} after {} s: see jobs_getJob {id}, or raise --timeout",
            args.timeout
        ),
        dapp::FollowError::Chain(e) => e,
    })?;
    let output = dapp::output_of(&chain, &snapshot, id).await?;
    let (at, job) = (&snapshot.at, &snapshot.job);
    let accepted = job.verdict.as_ref().is_some_and(Verdict::accepted);
    let mut out = json!({
        "job": id,
        "model": model_name,
        "status": format!("{:?}", job.status),
        "verdict": job.verdict.as_ref().map(|v| format!("{v:?}")),
        "accepted": accepted,
        "audited": job.audited,
        "worker": job.worker.as_ref().map(|w| w.to_string()),
        "block": at.block_number(),
        "seconds": (started.elapsed().as_secs_f64() * 10.0).round() / 10.0,
        "output": output.as_ref().map(|o| format!("0x{}", hex::encode(o))),
    });
    if info.spec.family == verinfer_primitives::ModelFamily::Llama {
        // What `infer generate --seed` needs to replay the job.
        out["seed"] = json!(hex::encode(job.seed));
    }
    if let Some(bytes) = output {
        if info.spec.family == verinfer_primitives::ModelFamily::Llama {
            let result = crate::llm::JobOutput::parse(&bytes)?;
            out["text"] = json!(result.text);
            out["ids"] = json!(result.ids);
            out["finish"] = json!(result.finish);
            out["prompt_tokens"] = json!(result.prompt_tokens);
        }
        match info.spec.output.element {
            verinfer_primitives::ElementType::I32 => {
                let logits = verinfer_primitives::decode_i32s(&bytes).unwrap_or_default();
                let digit = (0..logits.len()).max_by_key(|&i| (logits[i], std::cmp::Reverse(i)));
                out["logits"] = json!(logits);
                out["digit"] = json!(digit);
            }
            verinfer_primitives::ElementType::F32 => {
                let v = verinfer_primitives::decode_f32s(&bytes).unwrap_or_default();
                let norm = v.iter().map(|x| f64::from(*x).powi(2)).sum::<f64>().sqrt();
                out["dimensions"] = json!(v.len());
                out["norm"] = json!((norm * 1e6).round() / 1e6);
                out["embedding"] = json!(v);
            }
            _ => {}
        }
    }
    if let Some(l) = label {
        out["label"] = json!(l);
    }
    println!("{}", serde_json::to_string_pretty(&out)?);
    Ok(())
}
