//! Which registry models this worker serves: the approved entries whose weights hash to a
//! local weights file, each loaded as a model of the family the registry names.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use anyhow::Result;
use verinfer_primitives::ModelId;

use crate::chain::ModelInfo;
use crate::engine::{family_label, ModelSource, Refused};

/// A model this worker serves: the registry entry and the local file it loads.
#[derive(Clone, Debug)]
pub struct Served {
    /// The registry entry.
    pub info: ModelInfo,
    /// The local weights file whose sha256 is the entry's `weights_hash`, and the family.
    pub source: ModelSource,
}

impl Served {
    /// The metric label: the registry name.
    pub fn label(&self) -> &str {
        &self.source.label
    }

    /// Whether its jobs are audited by generation (`VerificationClass::Generation`): the
    /// miner publishes a draft and auditors teacher-force it.
    pub fn is_generation(&self) -> bool {
        matches!(
            self.info.spec.verification,
            verinfer_primitives::VerificationClass::Generation(_)
        )
    }
}

/// Matches the registry against the local weights files (`local`: path and sha256): the
/// served models are the approved entries whose `weights_hash` equals the sha256 of a
/// local file, optionally restricted to `names`.
pub fn match_models(
    registry: &[(ModelId, ModelInfo)],
    local: &[(PathBuf, [u8; 32])],
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
        match local.iter().find(|(_, h)| *h == info.spec.weights_hash) {
            Some((path, hash)) => {
                tracing::info!(
                    "model {id} ({name}): {} matches its weights sha256; serving it as a {}",
                    path.display(),
                    family_label(info.spec.family)
                );
                let source = ModelSource {
                    family: info.spec.family,
                    path: path.clone(),
                    weights_hash: *hash,
                    label: name,
                };
                served.insert(*id, Served { info: info.clone(), source });
            }
            None if !names.is_empty() => anyhow::bail!(
                "model {id} ({name}) has weights sha256 0x{} on chain, and no weights file in the models folder matches it: run scripts/fetch-models.sh, or put the file the registry pins ({}) into --models-dir",
                hex::encode(info.spec.weights_hash),
                info.location()
            ),
            None => tracing::info!(
                "model {id} ({name}): no local weights with sha256 0x{}; not serving it",
                hex::encode(info.spec.weights_hash)
            ),
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

/// Drops the models the engine refused to load (it said why), and fails when none is
/// left.
pub fn keep_loaded(
    mut served: BTreeMap<ModelId, Served>,
    refused: &[Refused],
) -> Result<BTreeMap<ModelId, Served>> {
    served.retain(|id, s| {
        let keep = !refused
            .iter()
            .any(|r| r.source.weights_hash == s.source.weights_hash);
        if !keep {
            tracing::warn!(
                "not serving model {id} ({}): its family cannot run its weights file; ask its contributor or governance to fix the registry entry",
                s.label()
            );
        }
        keep
    });
    if served.is_empty() {
        let reasons: Vec<String> = refused
            .iter()
            .map(|r| format!("{}: {}", r.source.label, r.reason))
            .collect();
        anyhow::bail!("no served model could be loaded: {}", reasons.join("; "));
    }
    Ok(served)
}
