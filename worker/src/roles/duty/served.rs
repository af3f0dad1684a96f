//! Which registry models this worker serves: the approved entries whose weights hash to a
//! local weights file.

use std::collections::{BTreeMap, BTreeSet};

use anyhow::Result;
use verinfer_primitives::ModelId;

use crate::chain::ModelInfo;
use crate::engine::{Engine, ModelKind};

/// A model this worker serves: the registry entry and the local implementation.
#[derive(Clone, Debug)]
pub struct Served {
    /// The registry entry.
    pub info: ModelInfo,
    /// The local model whose weights hash to the entry's `weights_hash`.
    pub kind: ModelKind,
}

/// Matches the registry against the loaded models: the served models are the approved
/// entries whose `weights_hash` equals the sha256 of a local weights file, optionally
/// restricted to `names`.
pub fn match_models(
    registry: &[(ModelId, ModelInfo)],
    engine: &Engine,
    names: &[String],
) -> Result<BTreeMap<ModelId, Served>> {
    let mut served = BTreeMap::new();
    let mut seen_names = BTreeSet::new();
    for (id, info) in registry {
        let name = info.name();
        if !names.is_empty() && !names.iter().any(|n| n == &name) {
            continue;
        }
        seen_names.insert(name.clone());
        if *info.status != verinfer_primitives::ModelStatus::Approved {
            tracing::info!("model {id} ({name}) is {:?}; not serving it", *info.status);
            continue;
        }
        match engine.kind_for_hash(&info.spec.weights_hash) {
            Some(kind) if kind.family() != info.spec.family => tracing::warn!(
                "model {id} ({name}) is registered as family {:?}, but its weights are the local {} model of family {:?}; not serving it: the registry entry is wrong, ask governance to deprecate it",
                info.spec.family,
                kind.label(),
                kind.family()
            ),
            Some(kind) => {
                tracing::info!("serving model {id} ({name}) with the local {} weights (sha256 matches the registry)", kind.label());
                served.insert(*id, Served { info: info.clone(), kind });
            }
            None if !names.is_empty() => anyhow::bail!(
                "model {id} ({name}) has weights sha256 0x{} on chain, and no local weights file matches it: run scripts/fetch-models.sh or point --models-dir at the right files",
                hex::encode(info.spec.weights_hash)
            ),
            None => tracing::info!("model {id} ({name}): no local weights with sha256 0x{}; not serving it", hex::encode(info.spec.weights_hash)),
        }
    }
    for n in names {
        if !seen_names.contains(n) {
            anyhow::bail!(
                "no model named `{n}` in the registry: see the models_list RPC for the names"
            );
        }
    }
    if served.is_empty() {
        anyhow::bail!("none of the registry's approved models matches a local weights file: run scripts/fetch-models.sh");
    }
    Ok(served)
}
