//! The inference engine the chain roles use: registry models loaded by family from the
//! weights files the registry pins (found by sha256), once, on one device, behind a
//! dedicated thread that takes batches of canonical input bytes and returns canonical
//! output bytes. A new model of a known family is a registry entry, not new code.
//!
//! burn modules are not shared across threads, so one thread owns them; the async roles
//! send it a batch and await the answer. One request is one batch: the miner groups the
//! waiting jobs of a model into a single request.

use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};
use tokio::sync::oneshot;

use verinfer_primitives::ModelFamily;

use crate::digits::{DigitImage, DigitsInt};
use crate::llm::LlmModel;
use crate::minilm::MiniLm;
use crate::{local, with_backend, DeviceKind, InferenceModel, WorkerError};

/// A weights file to load as a model of a registry family: the engine builds the
/// family's network from whatever shape the file has.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ModelSource {
    /// The registry family.
    pub family: ModelFamily,
    /// The weights file.
    pub path: PathBuf,
    /// Its sha256, the registry's `weights_hash`: the engine's key for the model.
    pub weights_hash: [u8; 32],
    /// A name for logs and metric labels (the registry name).
    pub label: String,
}

/// A short name of a family for logs.
pub fn family_label(family: ModelFamily) -> &'static str {
    match family {
        ModelFamily::DigitsCnn => "digits CNN",
        ModelFamily::Bert => "BERT encoder",
        ModelFamily::Llama => "Llama LLM",
    }
}

/// A loaded model of one family.
enum Loaded<B: burn::prelude::Backend> {
    Digits(DigitsInt<B>),
    Bert(Box<MiniLm<B>>),
    Llama(Box<LlmModel<B>>),
}

impl<B: burn::prelude::Backend> Loaded<B> {
    /// Builds the family's model from the file; refuses, with the reason, a file the
    /// family cannot run.
    fn load(source: &ModelSource, device: &B::Device) -> Result<Self, WorkerError> {
        Ok(match source.family {
            ModelFamily::DigitsCnn => {
                Loaded::Digits(local::digits_int_from_file(&source.path, device)?)
            }
            ModelFamily::Bert => Loaded::Bert(Box::new(MiniLm::load_file(&source.path, device)?)),
            ModelFamily::Llama => Loaded::Llama(Box::new(LlmModel::load(&source.path, device)?)),
        })
    }

    fn run(&self, inputs: &[Vec<u8>]) -> Vec<Outcome> {
        match self {
            Loaded::Digits(model) => run_batch(
                model,
                inputs,
                |b| DigitImage::from_bytes(b).map_err(|e| e.to_string()),
                |o| o.canonical_bytes(),
            ),
            Loaded::Bert(model) => run_batch(
                model.as_ref(),
                inputs,
                |b| {
                    std::str::from_utf8(b)
                        .map(str::to_owned)
                        .map_err(|e| format!("the input is not UTF-8 text: {e}"))
                },
                |o| o.canonical_bytes(),
            ),
            // Generations of one batch decode together; the generation audit's tolerances
            // absorb the summation order that batching changes.
            Loaded::Llama(model) => model
                .run_jobs(inputs)
                .into_iter()
                .map(|r| r.map_err(|e| e.to_string()))
                .collect(),
        }
    }

    /// Audits generation drafts (`drafts[i]` for `inputs[i]`, as the chain holds it): one
    /// `GenerationReport` (SCALE) per job. Only an LLM audits generations.
    fn audit(&self, inputs: &[Vec<u8>], drafts: &[Vec<u8>]) -> Vec<Outcome> {
        use codec::Encode as _;
        match self {
            Loaded::Llama(model) => inputs
                .iter()
                .zip(drafts)
                .map(|(input, draft)| {
                    let draft = crate::llm::job::decode_draft(draft).map_err(|e| e.to_string())?;
                    model
                        .audit_job(input, &draft)
                        .map(|report| report.encode())
                        .map_err(|e| e.to_string())
                })
                .collect(),
            _ => vec![Err("only an LLM audits generation drafts".to_owned()); inputs.len()],
        }
    }
}

/// sha256 of a file, streamed.
pub fn sha256_file(path: &Path) -> Result<[u8; 32], WorkerError> {
    let mut file = std::fs::File::open(path).map_err(|_| WorkerError::MissingFile {
        path: path.to_path_buf(),
    })?;
    let mut hasher = Sha256::new();
    std::io::copy(&mut file, &mut hasher).map_err(|e| WorkerError::BadFile {
        path: path.to_path_buf(),
        reason: e.to_string(),
    })?;
    Ok(hasher.finalize().into())
}

/// The result of one input of a batch: the canonical output bytes, or why the input was
/// refused before compute (or the compute failed).
pub type Outcome = Result<Vec<u8>, String>;

struct Request {
    weights_hash: [u8; 32],
    inputs: Vec<Vec<u8>>,
    /// Present for audits of generation drafts: one draft per input.
    drafts: Option<Vec<Vec<u8>>>,
    reply: oneshot::Sender<(Vec<Outcome>, Duration)>,
}

/// A handle to the inference thread.
#[derive(Clone)]
pub struct Engine {
    tx: mpsc::Sender<Request>,
    loaded: Vec<ModelSource>,
    device: DeviceKind,
}

/// A model the engine could not load, and why.
#[derive(Clone, Debug)]
pub struct Refused {
    /// What was asked.
    pub source: ModelSource,
    /// Why the family cannot run the file.
    pub reason: String,
}

impl Engine {
    /// Loads each source as a model of its family on `device`, in a new thread, and
    /// returns once they are ready (loading takes a few seconds; progress is logged). A
    /// file the family cannot run is refused with the reason and left out; the others
    /// still load. Sources with the same weights are loaded once.
    pub fn start(
        device: DeviceKind,
        sources: &[ModelSource],
    ) -> Result<(Self, Vec<Refused>), WorkerError> {
        device.ensure_available()?;
        let mut unique: Vec<ModelSource> = Vec::new();
        for s in sources {
            if !unique.iter().any(|u| u.weights_hash == s.weights_hash) {
                unique.push(s.clone());
            }
        }
        let (tx, rx) = mpsc::channel::<Request>();
        let (ready_tx, ready_rx) = mpsc::channel::<Result<Vec<Refused>, WorkerError>>();
        let to_load = unique.clone();
        std::thread::Builder::new()
            .name("inference".into())
            .spawn(move || {
                let run = || -> Result<(), WorkerError> {
                    with_backend!(device, |B, dev| serve::<B>(&dev, &to_load, rx, &ready_tx))
                };
                if let Err(e) = run() {
                    let _ = ready_tx.send(Err(e));
                }
            })
            .map_err(|e| WorkerError::Backend(format!("cannot start the inference thread: {e}")))?;
        match ready_rx.recv() {
            Ok(Ok(refused)) => {
                let loaded = unique
                    .into_iter()
                    .filter(|s| {
                        !refused
                            .iter()
                            .any(|r| r.source.weights_hash == s.weights_hash)
                    })
                    .collect();
                Ok((Self { tx, loaded, device }, refused))
            }
            Ok(Err(e)) => Err(e),
            Err(_) => Err(WorkerError::Backend(
                "the inference thread stopped while loading".into(),
            )),
        }
    }

    /// The device inference runs on.
    pub fn device(&self) -> DeviceKind {
        self.device
    }

    /// The models loaded.
    pub fn loaded(&self) -> &[ModelSource] {
        &self.loaded
    }

    /// The loaded model whose weights hash to `hash`.
    pub fn model_for_hash(&self, hash: &[u8; 32]) -> Option<&ModelSource> {
        self.loaded.iter().find(|s| &s.weights_hash == hash)
    }

    /// Runs one batch of the model with weights `weights_hash`; returns one outcome per
    /// input, in order, and the time the batch took on the inference thread.
    pub async fn run(
        &self,
        weights_hash: [u8; 32],
        inputs: Vec<Vec<u8>>,
    ) -> Result<(Vec<Outcome>, Duration), WorkerError> {
        self.send(weights_hash, inputs, None).await
    }

    /// Audits generation drafts with the LLM whose weights hash to `weights_hash`: one
    /// SCALE `GenerationReport` per `(input, draft)`, and the time it took.
    pub async fn audit(
        &self,
        weights_hash: [u8; 32],
        jobs: Vec<(Vec<u8>, Vec<u8>)>,
    ) -> Result<(Vec<Outcome>, Duration), WorkerError> {
        let (inputs, drafts) = jobs.into_iter().unzip();
        self.send(weights_hash, inputs, Some(drafts)).await
    }

    async fn send(
        &self,
        weights_hash: [u8; 32],
        inputs: Vec<Vec<u8>>,
        drafts: Option<Vec<Vec<u8>>>,
    ) -> Result<(Vec<Outcome>, Duration), WorkerError> {
        let (reply, rx) = oneshot::channel();
        self.tx
            .send(Request {
                weights_hash,
                inputs,
                drafts,
                reply,
            })
            .map_err(|_| WorkerError::Backend("the inference thread has stopped".into()))?;
        rx.await
            .map_err(|_| WorkerError::Backend("the inference thread dropped a request".into()))
    }
}

fn serve<B: burn::prelude::Backend>(
    device: &B::Device,
    sources: &[ModelSource],
    rx: mpsc::Receiver<Request>,
    ready: &mpsc::Sender<Result<Vec<Refused>, WorkerError>>,
) -> Result<(), WorkerError> {
    let mut models: Vec<([u8; 32], Loaded<B>)> = Vec::new();
    let mut refused = Vec::new();
    for source in sources {
        let started = Instant::now();
        tracing::info!(
            "loading {} as a {} from {}",
            source.label,
            family_label(source.family),
            source.path.display()
        );
        match Loaded::<B>::load(source, device) {
            Ok(model) => {
                tracing::info!("{} ready in {:.1?}", source.label, started.elapsed());
                models.push((source.weights_hash, model));
            }
            Err(e) => {
                tracing::warn!(
                    "refusing {}: a {} cannot run {}: {e}",
                    source.label,
                    family_label(source.family),
                    source.path.display()
                );
                refused.push(Refused {
                    source: source.clone(),
                    reason: e.to_string(),
                });
            }
        }
    }
    let _ = ready.send(Ok(refused));
    for req in rx {
        let started = Instant::now();
        let outcomes = match models.iter().find(|(h, _)| *h == req.weights_hash) {
            Some((_, model)) => match &req.drafts {
                Some(drafts) => model.audit(&req.inputs, drafts),
                None => model.run(&req.inputs),
            },
            None => vec![
                Err(format!(
                    "the model with weights 0x{} is not loaded in this worker",
                    hex::encode(req.weights_hash)
                ));
                req.inputs.len()
            ],
        };
        let _ = req.reply.send((outcomes, started.elapsed()));
    }
    Ok(())
}

/// Decodes each input (refusing bad ones before any compute), runs the good ones as one
/// batch, and encodes the outputs canonically.
fn run_batch<M: InferenceModel>(
    model: &M,
    inputs: &[Vec<u8>],
    decode: impl Fn(&[u8]) -> Result<M::Input, String>,
    encode: impl Fn(&M::Output) -> Vec<u8>,
) -> Vec<Outcome> {
    let mut good = Vec::new();
    let mut slots = Vec::new();
    let mut outcomes: Vec<Outcome> = Vec::with_capacity(inputs.len());
    for (i, bytes) in inputs.iter().enumerate() {
        match decode(bytes) {
            Ok(input) => {
                good.push(input);
                slots.push(i);
                outcomes.push(Ok(Vec::new()));
            }
            Err(e) => outcomes.push(Err(e)),
        }
    }
    if good.is_empty() {
        return outcomes;
    }
    match model.run_batch(&good) {
        Ok(outputs) if outputs.len() == slots.len() => {
            for (slot, out) in slots.into_iter().zip(outputs) {
                outcomes[slot] = Ok(encode(&out));
            }
        }
        Ok(outputs) => {
            let msg = format!(
                "the model returned {} outputs for {} inputs",
                outputs.len(),
                slots.len()
            );
            for slot in slots {
                outcomes[slot] = Err(msg.clone());
            }
        }
        Err(e) => {
            let msg = e.to_string();
            for slot in slots {
                outcomes[slot] = Err(msg.clone());
            }
        }
    }
    outcomes
}
