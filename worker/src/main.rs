//! `verinfer-worker`: argument parsing only; the work happens in the library.

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};
use verinfer_worker::models::{ModelDir, MODELS_DIR_ENV};
use verinfer_worker::roles::submit::SubmitArgs;
use verinfer_worker::roles::{DutyArgs, MineArgs};
use verinfer_worker::{local, with_backend, DeviceKind, InferenceModel};

#[derive(Parser, Debug)]
#[command(
    name = "verinfer-worker",
    version,
    about = "verinfer's off-chain inference worker"
)]
struct Cli {
    /// Where inference runs: cpu (burn-flex) or cuda (burn-cuda; needs `--features cuda`).
    #[arg(long, global = true, default_value = "cpu", env = "VERINFER_DEVICE")]
    device: DeviceKind,
    /// Folder with the model files from scripts/fetch-models.sh [default: <repo>/.models].
    #[arg(long, global = true, env = MODELS_DIR_ENV)]
    models_dir: Option<std::path::PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Mine: run the jobs the chain assigns to this account, commit, then reveal.
    ///
    /// Hashes the weights files in the models folder, builds every approved registry model
    /// whose sha256 matches one as the model's family, checks (or with --bond creates) the
    /// account's worker bond, then follows finalized blocks, batching waiting jobs per
    /// model. Reconnects with backoff when the node goes away.
    Mine(MineArgs),
    /// Verify: beside a validator, re-run the jobs this auditor is drawn for, blind, and
    /// commit and reveal the audit as the Jobs pallet asks.
    Verify(DutyArgs),
    /// Submit a job (a digit image, a sentence, an LLM chat or completion, or raw bytes),
    /// wait, and print the verified result as JSON; progress goes to stderr.
    Submit(SubmitArgs),
    /// An OpenAI-compatible HTTP API (/v1/models, /v1/chat/completions, /v1/completions,
    /// /v1/embeddings) and a web page, over jobs signed by this account, each answer with
    /// the proof of its verification.
    Gateway(verinfer_worker::gateway::GatewayArgs),
    /// DEV CHAINS ONLY: approve a proposed registry model with the chain's sudo key (on
    /// other chains a `models` track referendum approves models).
    DevApproveModel {
        /// The node's WebSocket JSON-RPC endpoint.
        #[arg(long, default_value = "ws://127.0.0.1:9944", env = "VERINFER_NODE_URL")]
        url: String,
        #[command(flatten)]
        key: verinfer_worker::chain::keys::KeyArgs,
        /// The model's registry name.
        #[arg(long)]
        model: String,
    },
    /// Runs one model on one input and prints the output.
    Infer {
        #[command(subcommand)]
        model: InferModel,
    },
    /// Accuracy of the float and integer digits models on all 1,797 sklearn digits.
    Accuracy {
        /// Images per batch.
        #[arg(long, default_value_t = 64)]
        batch: usize,
    },
    /// Recomputes the digits activation scales (to pin in digits/quant.rs).
    CalibrateDigits,
    /// Times MiniLM on --device; prints JSON {"batch/N": seconds per batch}.
    TimeMinilm {
        /// Sentences to embed, one a line; batches cycle through them.
        #[arg(long)]
        sentences: std::path::PathBuf,
        /// Batch sizes.
        #[arg(long, value_delimiter = ',', default_value = "1,8,64")]
        batches: Vec<usize>,
        /// Minimum measuring time per batch size, in seconds.
        #[arg(long, default_value_t = 3.0)]
        seconds: f64,
    },
    /// Times an LLM on --device: prefill, decode at each batch size, and the audit prefill
    /// against the generation it checks; prints JSON.
    TimeLlm {
        #[command(flatten)]
        model: LlmArg,
        /// Tokens per prompt.
        #[arg(long, default_value_t = 128)]
        prompt_tokens: usize,
        /// Tokens generated per sequence.
        #[arg(long, default_value_t = 128)]
        generated_tokens: usize,
        /// Decode batch sizes.
        #[arg(long, value_delimiter = ',', default_value = "1,8")]
        batches: Vec<usize>,
    },
    /// Calibrates the generation audit: the chain's verdict on the auditor's report for
    /// honest jobs (greedy and sampled, decode batches of 1 and --batch) and for each cheat
    /// (another seed, greedy for sampled, hand-written text, another model, another
    /// prompt's text, truncated, padded past the end token, a copied fingerprint), the
    /// noise the tolerances absorb, and the audit's cost; prints JSON (see
    /// llm/calibrate.rs). The tolerance flags default to SmolLM2's genesis entry.
    CalibrateLlm {
        #[command(flatten)]
        model: LlmArg,
        /// Honest jobs (half greedy, half sampled at temperature 0.8 and top-p 0.95).
        #[arg(long, default_value_t = 64)]
        jobs: usize,
        /// Tokens per job, at most.
        #[arg(long, default_value_t = 48)]
        max_tokens: usize,
        /// The decode batch of the batched honest jobs (three quarters of them).
        #[arg(long, default_value_t = 8)]
        batch: usize,
        /// Jobs per cheat.
        #[arg(long, default_value_t = 200)]
        cheat_jobs: usize,
        /// The GGUF the `other_model` cheat generates with (e.g. the output of
        /// scripts/requantize_q8.py); without it that cheat is skipped.
        #[arg(long)]
        other_model: Option<std::path::PathBuf>,
        /// `max_gap`, thousandths of a sampler score.
        #[arg(long, default_value_t = 50)]
        max_gap: u32,
        /// The share of positions that may be soft misses, in percent.
        #[arg(long, default_value_t = 2)]
        soft_misses_percent: u32,
        /// `fingerprint_max_diff`, thousandths.
        #[arg(long, default_value_t = 250)]
        fingerprint_max_diff: u32,
        /// `fingerprint_min_overlap`, of 8.
        #[arg(long, default_value_t = 5)]
        fingerprint_min_overlap: u8,
        /// Output lengths whose audit cost is timed against their generation.
        #[arg(long, value_delimiter = ',', default_value = "128,256")]
        cost_tokens: Vec<usize>,
        /// Jobs timed per output length.
        #[arg(long, default_value_t = 4)]
        cost_jobs: usize,
    },
    /// MiniLM and integer-digits divergence between CPU and CUDA (needs `--features cuda`).
    CompareDevices {
        /// Sentences to embed, one a line.
        #[arg(long)]
        sentences: std::path::PathBuf,
        /// How many sklearn digits to compare.
        #[arg(long, default_value_t = 1797)]
        digit_images: usize,
    },
}

#[derive(Subcommand, Debug)]
enum InferModel {
    /// The integer digits CNN on one sklearn digit (upscaled to 28×28).
    Digits {
        /// Index into the 1,797 sklearn digits.
        #[arg(long)]
        image_index: usize,
    },
    /// all-MiniLM-L6-v2 sentence embedding.
    Text {
        /// The sentence(s); several are embedded as one batch.
        #[arg(required = true)]
        texts: Vec<String>,
    },
    /// An LLM's token ids for TEXT: prints {"ids": [...]}.
    Tokenize {
        #[command(flatten)]
        model: LlmArg,
        /// The text; control tokens such as <|im_start|> written in it become their ids.
        text: String,
    },
    /// Generates with an LLM: prints {"prompt_ids", "ids", "text", "finish", "margins"}.
    Generate(GenerateArgs),
    /// One teacher-forced prefill over --ids: prints, for each position after the prompt,
    /// the token that came next, the sampler's own choice there, and how close it was.
    Prefill(PrefillArgs),
}

/// Which LLM.
#[derive(clap::Args, Debug)]
struct LlmArg {
    /// The model's registry name (e.g. SmolLM2-135M-Instruct), or a path to a .gguf file.
    /// With --url, the name is looked up in that chain's registry and the file is the one
    /// in the models folder whose sha256 the registry pins; without it, the file is
    /// <name>.gguf or <name>.<quantization>.gguf in the models folder.
    #[arg(long)]
    model: String,
    /// A node's WebSocket JSON-RPC endpoint whose model registry resolves --model.
    #[arg(long)]
    url: Option<String>,
}

/// How tokens are chosen.
#[derive(clap::Args, Debug, Clone)]
struct SamplingArgs {
    /// 0 is greedy.
    #[arg(long, default_value_t = 0.0)]
    temperature: f32,
    /// Keep the K most likely tokens (0: all).
    #[arg(long, default_value_t = 0)]
    top_k: u32,
    /// Keep the most likely tokens up to this probability (1: all).
    #[arg(long, default_value_t = 1.0)]
    top_p: f32,
    /// The 32-byte sampling seed, hex [default: zeros].
    #[arg(long, value_parser = parse_seed, default_value = "00")]
    seed: [u8; 32],
}

impl SamplingArgs {
    fn params(&self) -> verinfer_primitives::SamplingParams {
        verinfer_primitives::SamplingParams {
            temperature: self.temperature,
            top_k: self.top_k,
            top_p: self.top_p,
        }
    }
}

#[derive(clap::Args, Debug)]
struct GenerateArgs {
    #[command(flatten)]
    model: LlmArg,
    /// A raw prompt, continued as is.
    #[arg(long, conflicts_with = "chat", required_unless_present = "chat")]
    prompt: Option<String>,
    /// One user message, rendered with the model's chat template (and its default system
    /// prompt).
    #[arg(long)]
    chat: Option<String>,
    /// The most tokens to generate.
    #[arg(long, default_value_t = 64)]
    max_tokens: usize,
    /// Stop once the text contains this (repeatable).
    #[arg(long)]
    stop: Vec<String>,
    #[command(flatten)]
    sampling: SamplingArgs,
}

#[derive(clap::Args, Debug)]
struct PrefillArgs {
    #[command(flatten)]
    model: LlmArg,
    /// The token ids, comma-separated: the prompt, then the generated tokens.
    #[arg(long, value_delimiter = ',', required_unless_present = "ids_file")]
    ids: Vec<u32>,
    /// A file with the ids as a JSON array (or an object with "prompt_ids" and "ids", as
    /// `infer generate` prints).
    #[arg(long, conflicts_with = "ids")]
    ids_file: Option<std::path::PathBuf>,
    /// How many of the ids are the prompt [default: 1].
    #[arg(long)]
    prompt_len: Option<usize>,
    #[command(flatten)]
    sampling: SamplingArgs,
}

/// A hex seed of up to 32 bytes, right-padded with zeros.
fn parse_seed(s: &str) -> Result<[u8; 32], String> {
    let bytes = hex::decode(s.trim_start_matches("0x")).map_err(|e| format!("not hex: {e}"))?;
    if bytes.len() > 32 {
        return Err("a seed is at most 32 bytes (64 hex digits)".into());
    }
    let mut seed = [0u8; 32];
    seed[..bytes.len()].copy_from_slice(&bytes);
    Ok(seed)
}

fn main() -> Result<()> {
    let cli = Cli::parse();
    // `submit` prints its own progress; its logs stay quiet unless RUST_LOG asks.
    let default_filter = if matches!(cli.command, Command::Submit(_)) {
        "warn"
    } else {
        "info"
    };
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| default_filter.into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let models = cli
        .models_dir
        .map(ModelDir::new)
        .unwrap_or_else(ModelDir::from_env_or_repo);
    tracing::info!(device = %cli.device, models = %models.path().display(), "starting");
    match cli.command {
        Command::Mine(m) => block_on(verinfer_worker::roles::run_mine(m, cli.device, models)),
        Command::Verify(v) => block_on(verinfer_worker::roles::run_verify(v, cli.device, models)),
        Command::Submit(s) => block_on(verinfer_worker::roles::submit::run(s, &models)),
        Command::Gateway(g) => block_on(verinfer_worker::gateway::run(g, &models)),
        Command::DevApproveModel { url, key, model } => {
            let key = key.load()?;
            let id = block_on(verinfer_worker::roles::dev_approve_model(
                &url, &key, &model,
            ))?;
            println!(
                "{}",
                serde_json::json!({ "model": id, "name": model, "status": "Approved" })
            );
            Ok(())
        }
        other => with_backend!(cli.device, |B, device| run::<B>(other, &models, &device)),
    }
}

/// Runs a chain role on a multi-threaded tokio runtime.
fn block_on<T>(f: impl std::future::Future<Output = Result<T>>) -> Result<T> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?
        .block_on(f)
}

fn read_lines(path: &std::path::Path) -> Result<Vec<String>> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let lines: Vec<String> = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(str::to_owned)
        .collect();
    anyhow::ensure!(!lines.is_empty(), "{} holds no sentences", path.display());
    Ok(lines)
}

fn load_llm<B: burn::prelude::Backend>(
    model: &LlmArg,
    models: &ModelDir,
    device: &B::Device,
) -> Result<verinfer_worker::llm::LlmModel<B>> {
    let path = match &model.url {
        None => verinfer_worker::llm::resolve(&model.model, models)?,
        Some(url) => {
            let (path, family) = block_on(verinfer_worker::roles::registry_weights(
                url,
                &model.model,
                models,
            ))?;
            anyhow::ensure!(
                family == verinfer_primitives::ModelFamily::Llama,
                "{} is a {family:?} model in the registry, not an LLM",
                model.model
            );
            path
        }
    };
    Ok(verinfer_worker::llm::LlmModel::load(&path, device)?)
}

/// The ids and prompt length of `infer prefill`.
fn prefill_ids(args: &PrefillArgs) -> Result<(Vec<u32>, usize)> {
    let (ids, from_file) = match &args.ids_file {
        None => (args.ids.clone(), None),
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("reading {}", path.display()))?;
            let v: serde_json::Value = serde_json::from_str(&text)
                .with_context(|| format!("{} is not JSON", path.display()))?;
            let list = |v: &serde_json::Value| -> Result<Vec<u32>> {
                serde_json::from_value(v.clone()).context("ids must be an array of token ids")
            };
            if v.is_array() {
                (list(&v)?, None)
            } else {
                let prompt = list(&v["prompt_ids"])?;
                let n = prompt.len();
                ([prompt, list(&v["ids"])?].concat(), Some(n))
            }
        }
    };
    let prompt_len = args.prompt_len.or(from_file).unwrap_or(1);
    anyhow::ensure!(
        (1..=ids.len()).contains(&prompt_len),
        "--prompt-len must be between 1 and the number of ids ({})",
        ids.len()
    );
    Ok((ids, prompt_len))
}

fn run<B: burn::prelude::Backend>(
    command: Command,
    models: &ModelDir,
    device: &B::Device,
) -> Result<()> {
    match command {
        Command::Infer {
            model: InferModel::Digits { image_index },
        } => {
            let data = local::load_digits_data(models)?;
            let digit = data
                .get(image_index)
                .with_context(|| format!("--image-index must be below {}", data.len()))?;
            let model = local::load_digits_int::<B>(models, device)?;
            let out = model.run(digit.image.clone())?;
            println!("label      {}", digit.label);
            println!("predicted  {}", out.predicted());
            println!("int logits {:?}", out.0);
            println!("output     {}", hex::encode(out.canonical_bytes()));
            println!("model      {}", hex::encode(model.digest()));
        }
        Command::Infer {
            model: InferModel::Text { texts },
        } => {
            let embeddings = local::embed_texts::<B>(models, device, &texts)?;
            for (t, e) in texts.iter().zip(embeddings) {
                println!("{}", serde_json::json!({ "text": t, "embedding": e.0 }));
            }
        }
        Command::Infer {
            model: InferModel::Tokenize { model, text },
        } => {
            let m = load_llm::<B>(&model, models, device)?;
            println!(
                "{}",
                serde_json::json!({ "ids": m.tokenizer.encode(&text)? })
            );
        }
        Command::Infer {
            model: InferModel::Generate(args),
        } => {
            let m = load_llm::<B>(&args.model, models, device)?;
            let prompt = match (&args.prompt, &args.chat) {
                (Some(p), _) => m.tokenizer.encode(p)?,
                (None, Some(c)) => m.chat_ids(&[verinfer_worker::llm::Message::user(c.clone())])?,
                (None, None) => anyhow::bail!("give --prompt TEXT or --chat TEXT"),
            };
            let request = verinfer_worker::llm::Request {
                prompt: prompt.clone(),
                max_tokens: args.max_tokens,
                sampling: args.sampling.params(),
                stop: args.stop.clone(),
                seed: args.sampling.seed,
            };
            let started = std::time::Instant::now();
            let g = m.generate(std::slice::from_ref(&request))?.remove(0);
            let seconds = started.elapsed().as_secs_f64();
            println!(
                "{}",
                serde_json::json!({
                    "prompt_ids": prompt,
                    "ids": g.ids,
                    "text": g.text,
                    "finish": g.finish,
                    "margins": g.margins.iter().map(|m| (m * 1e4).round() / 1e4).collect::<Vec<_>>(),
                    "seconds": (seconds * 1e3).round() / 1e3,
                })
            );
        }
        Command::Infer {
            model: InferModel::Prefill(args),
        } => {
            let m = load_llm::<B>(&args.model, models, device)?;
            let (ids, prompt_len) = prefill_ids(&args)?;
            let started = std::time::Instant::now();
            let steps = verinfer_worker::llm::generate::audit_steps(
                &m.llama,
                &ids,
                prompt_len,
                &args.sampling.params(),
                &args.sampling.seed,
            )?;
            let seconds = started.elapsed().as_secs_f64();
            println!(
                "{}",
                serde_json::json!({
                    "tokens": ids.len(),
                    "prompt_len": prompt_len,
                    "steps": steps,
                    "seconds": (seconds * 1e3).round() / 1e3,
                })
            );
        }
        Command::Accuracy { batch } => {
            let a = local::digits_accuracy::<B>(models, device, batch)?;
            println!("images          {}", a.total);
            println!(
                "float accuracy  {:.2} % ({} correct)",
                a.float_percent(),
                a.float_correct
            );
            println!(
                "int accuracy    {:.2} % ({} correct)",
                a.int_percent(),
                a.int_correct
            );
            println!("disagreements   {}", a.disagreements);
            println!("int model       {}", hex::encode(a.int_digest));
        }
        Command::TimeLlm {
            model,
            prompt_tokens,
            generated_tokens,
            batches,
        } => {
            let m = load_llm::<B>(&model, models, device)?;
            let t = m.time(prompt_tokens, generated_tokens, &batches)?;
            println!("{}", serde_json::to_string(&t)?);
        }
        Command::CalibrateLlm {
            model,
            jobs,
            max_tokens,
            batch,
            cheat_jobs,
            other_model,
            max_gap,
            soft_misses_percent,
            fingerprint_max_diff,
            fingerprint_min_overlap,
            cost_tokens,
            cost_jobs,
        } => {
            let m = load_llm::<B>(&model, models, device)?;
            let other = other_model
                .map(|p| verinfer_worker::llm::LlmModel::<B>::load(&p, device))
                .transpose()?;
            let tolerance = verinfer_primitives::GenerationTolerance {
                max_gap,
                soft_misses: sp_arithmetic_percent(soft_misses_percent),
                fingerprint_max_diff,
                fingerprint_min_overlap,
            };
            if !tolerance.is_valid() {
                anyhow::bail!("the tolerances must be positive, and the overlap at most 8");
            }
            let plan = verinfer_worker::llm::calibrate::Plan {
                jobs,
                max_tokens,
                batch,
                cheat_jobs,
                tolerance,
                cost_tokens,
                cost_jobs,
            };
            let report = m.calibrate(&plan, other.as_ref())?;
            println!("{}", serde_json::to_string(&report)?);
        }
        Command::TimeMinilm {
            sentences,
            batches,
            seconds,
        } => {
            let times = local::time_minilm::<B>(
                models,
                device,
                &read_lines(&sentences)?,
                &batches,
                seconds,
            )?;
            let json: serde_json::Map<String, serde_json::Value> = times
                .into_iter()
                .map(|(b, t)| (format!("minilm/batch/{b}"), t.into()))
                .collect();
            println!("{}", serde_json::Value::Object(json));
        }
        Command::CompareDevices {
            sentences,
            digit_images,
        } => {
            // Always CPU against CUDA, whatever --device says.
            let d = local::compare_cpu_cuda(models, &read_lines(&sentences)?, digit_images)?;
            println!("sentences              {}", d.sentences);
            println!("minilm max abs diff    {:e}", d.minilm_max_abs_diff);
            println!("minilm min cosine      {:.9}", d.minilm_min_cosine);
            println!("digits images          {}", d.digit_images);
            println!("digits int mismatches  {}", d.digits_int_mismatches);
            anyhow::ensure!(
                d.digits_int_mismatches == 0,
                "the integer digits model is not bit-identical on CPU and CUDA"
            );
        }
        Command::CalibrateDigits => {
            let s = local::calibrate_digits::<B>(models, device)?;
            println!("{s:?}");
        }
        Command::Mine(_)
        | Command::Verify(_)
        | Command::Submit(_)
        | Command::Gateway(_)
        | Command::DevApproveModel { .. } => {
            anyhow::bail!("chain roles run on the async runtime, see main()")
        }
    }
    Ok(())
}

/// `percent` % as the runtime's `Perbill`.
fn sp_arithmetic_percent(percent: u32) -> verinfer_primitives::Perbill {
    verinfer_primitives::Perbill::from_percent(percent)
}
