//! `verinfer-worker`: argument parsing only; the work happens in the library.

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};
use verinfer_worker::models::{ModelDir, MODELS_DIR_ENV};
use verinfer_worker::roles::duty::Duty;
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
    /// Loads the models, checks each one's sha256 against the registry, checks (or with
    /// --bond creates) the account's worker bond, then follows finalized blocks, batching
    /// waiting jobs per model. Reconnects with backoff when the node goes away.
    Mine(MineArgs),
    /// Verify: beside a validator, re-run the jobs this auditor is drawn for, blind, and
    /// commit and reveal the audit as the Jobs pallet asks.
    Verify(DutyArgs),
    /// Submit a job (a digit image or a sentence), wait, and print the verified result as
    /// JSON; progress goes to stderr.
    Submit(SubmitArgs),
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
        Command::Mine(m) => block_on(verinfer_worker::roles::run_duty(
            Duty::Mine,
            m.duty,
            verinfer_worker::roles::Offer {
                price: m.price,
                capacity: m.capacity,
                capacity_budget: m.capacity_budget,
            },
            cli.device,
            models,
        )),
        Command::Verify(v) => block_on(verinfer_worker::roles::run_duty(
            Duty::Verify,
            v,
            verinfer_worker::roles::Offer {
                price: 0,
                capacity: None,
                capacity_budget: 0.0,
            },
            cli.device,
            models,
        )),
        Command::Submit(s) => block_on(verinfer_worker::roles::submit::run(s, &models)),
        other => with_backend!(cli.device, |B, device| run::<B>(other, &models, &device)),
    }
}

/// Runs a chain role on a multi-threaded tokio runtime.
fn block_on(f: impl std::future::Future<Output = Result<()>>) -> Result<()> {
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
        Command::Mine(_) | Command::Verify(_) | Command::Submit(_) => {
            anyhow::bail!("chain roles run on the async runtime, see main()")
        }
    }
    Ok(())
}
