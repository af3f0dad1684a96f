//! The inference engine the chain roles use: the models the worker can run, loaded once on
//! one device, behind a dedicated thread that takes batches of canonical input bytes and
//! returns canonical output bytes.
//!
//! burn modules are not shared across threads, so one thread owns them; the async roles
//! send it a batch and await the answer. One request is one batch: the miner groups the
//! waiting jobs of a model into a single request.

use std::path::Path;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};
use tokio::sync::oneshot;

use crate::digits::DigitImage;
use crate::models::ModelDir;
use crate::{local, with_backend, DeviceKind, InferenceModel, WorkerError};

/// A model this worker knows how to run, recognised on chain by the sha256 of its weights.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ModelKind {
    /// The integer-only digits CNN (`handwriting_model.pth`), verification class `Exact`.
    Digits,
    /// all-MiniLM-L6-v2 (`model.safetensors`), verification class `Tolerance`.
    MiniLm,
}

impl ModelKind {
    /// Every kind, in a fixed order.
    pub const ALL: [ModelKind; 2] = [ModelKind::Digits, ModelKind::MiniLm];

    /// The weights file the registry's `weights_hash` is the sha256 of.
    pub fn weights_file(self) -> &'static str {
        match self {
            ModelKind::Digits => "handwriting_model.pth",
            ModelKind::MiniLm => "model.safetensors",
        }
    }

    /// The registry family this implementation builds: a registry entry is served only
    /// when both its weights hash and its family match.
    pub fn family(self) -> verinfer_primitives::ModelFamily {
        match self {
            ModelKind::Digits => verinfer_primitives::ModelFamily::DigitsCnn,
            ModelKind::MiniLm => verinfer_primitives::ModelFamily::Bert,
        }
    }

    /// A short name for logs and metrics labels.
    pub fn label(self) -> &'static str {
        match self {
            ModelKind::Digits => "digits",
            ModelKind::MiniLm => "minilm",
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
    kind: ModelKind,
    inputs: Vec<Vec<u8>>,
    reply: oneshot::Sender<(Vec<Outcome>, Duration)>,
}

/// A handle to the inference thread.
#[derive(Clone)]
pub struct Engine {
    tx: mpsc::Sender<Request>,
    hashes: Vec<(ModelKind, [u8; 32])>,
    device: DeviceKind,
}

impl Engine {
    /// Hashes the weights files of `kinds`, loads the models on `device` in a new thread,
    /// and returns once they are ready (loading takes a few seconds; progress is logged).
    pub fn start(
        device: DeviceKind,
        dir: &ModelDir,
        kinds: &[ModelKind],
    ) -> Result<Self, WorkerError> {
        device.ensure_available()?;
        let mut hashes = Vec::new();
        for &kind in kinds {
            let path = dir.path().join(kind.weights_file());
            tracing::info!("hashing {}", path.display());
            hashes.push((kind, sha256_file(&path)?));
        }
        let (tx, rx) = mpsc::channel::<Request>();
        let (ready_tx, ready_rx) = mpsc::channel::<Result<(), WorkerError>>();
        let dir = dir.clone();
        let kinds = kinds.to_vec();
        std::thread::Builder::new()
            .name("inference".into())
            .spawn(move || {
                let run = || -> Result<(), WorkerError> {
                    with_backend!(device, |B, dev| {
                        serve::<B>(&dir, &dev, &kinds, rx, &ready_tx)
                    })
                };
                if let Err(e) = run() {
                    let _ = ready_tx.send(Err(e));
                }
            })
            .map_err(|e| WorkerError::Backend(format!("cannot start the inference thread: {e}")))?;
        match ready_rx.recv() {
            Ok(Ok(())) => Ok(Self { tx, hashes, device }),
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

    /// The sha256 of each loaded model's weights file.
    pub fn weights_hashes(&self) -> &[(ModelKind, [u8; 32])] {
        &self.hashes
    }

    /// The loaded model whose weights hash to `hash`.
    pub fn kind_for_hash(&self, hash: &[u8; 32]) -> Option<ModelKind> {
        self.hashes.iter().find(|(_, h)| h == hash).map(|(k, _)| *k)
    }

    /// Runs one batch of `kind`; returns one outcome per input, in order, and the time the
    /// batch took on the inference thread.
    pub async fn run(
        &self,
        kind: ModelKind,
        inputs: Vec<Vec<u8>>,
    ) -> Result<(Vec<Outcome>, Duration), WorkerError> {
        let (reply, rx) = oneshot::channel();
        self.tx
            .send(Request {
                kind,
                inputs,
                reply,
            })
            .map_err(|_| WorkerError::Backend("the inference thread has stopped".into()))?;
        rx.await
            .map_err(|_| WorkerError::Backend("the inference thread dropped a request".into()))
    }
}

fn serve<B: burn::prelude::Backend>(
    dir: &ModelDir,
    device: &B::Device,
    kinds: &[ModelKind],
    rx: mpsc::Receiver<Request>,
    ready: &mpsc::Sender<Result<(), WorkerError>>,
) -> Result<(), WorkerError> {
    let mut digits = None;
    let mut minilm = None;
    for kind in kinds {
        let started = Instant::now();
        match kind {
            ModelKind::Digits => {
                tracing::info!("loading and quantizing the digits CNN");
                dir.require(&["handwriting_model.pth"])?;
                digits = Some(local::load_digits_int::<B>(dir, device)?);
            }
            ModelKind::MiniLm => {
                tracing::info!("loading all-MiniLM-L6-v2");
                dir.require(&["model.safetensors", "vocab.txt"])?;
                minilm = Some(crate::minilm::MiniLm::<B>::load(dir.path(), device)?);
            }
        }
        tracing::info!("{} ready in {:.1?}", kind.label(), started.elapsed());
    }
    let _ = ready.send(Ok(()));
    for req in rx {
        let started = Instant::now();
        let outcomes = match req.kind {
            ModelKind::Digits => match &digits {
                Some(model) => run_batch(
                    model,
                    &req.inputs,
                    |b| DigitImage::from_bytes(b).map_err(|e| e.to_string()),
                    |o| o.canonical_bytes(),
                ),
                None => not_loaded(req.kind, req.inputs.len()),
            },
            ModelKind::MiniLm => match &minilm {
                Some(model) => run_batch(
                    model,
                    &req.inputs,
                    |b| {
                        std::str::from_utf8(b)
                            .map(str::to_owned)
                            .map_err(|e| format!("the input is not UTF-8 text: {e}"))
                    },
                    |o| o.canonical_bytes(),
                ),
                None => not_loaded(req.kind, req.inputs.len()),
            },
        };
        let _ = req.reply.send((outcomes, started.elapsed()));
    }
    Ok(())
}

fn not_loaded(kind: ModelKind, n: usize) -> Vec<Outcome> {
    vec![
        Err(format!(
            "the {} model is not loaded in this worker",
            kind.label()
        ));
        n
    ]
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
