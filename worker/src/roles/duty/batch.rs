//! The batched settlement transactions of the duty loop: what one batch carries, how it
//! is signed, how much it weighs, and how it is split when it is heavier than one
//! transaction may be.

use anyhow::{Context as _, Result};
use runtime::runtime_types::bounded_collections::bounded_vec::BoundedVec as Bounded;

use super::{Duty, StepKey};
use crate::chain::{runtime, AtBlock, Chain, JobId, Key};

/// An output to reveal.
pub(super) struct Output(pub(super) Vec<u8>);

/// The most weight (ref time, proof size) one normal transaction may have, from the
/// runtime's `System::BlockWeights`.
pub(super) fn max_extrinsic_weight(at: &AtBlock) -> Result<(u64, u64)> {
    let weights = at
        .constants()
        .entry(runtime::constants().system().block_weights())
        .context("reading System::BlockWeights")?;
    let normal = weights.per_class.normal;
    let max = normal
        .max_extrinsic
        .unwrap_or(normal.max_total.unwrap_or(weights.max_block));
    Ok((max.ref_time, max.proof_size))
}

/// The items of one batched call.
pub(super) enum Items {
    Release(Vec<JobId>),
    Commit(Vec<(JobId, [u8; 32])>),
    /// A generation miner's commitment and the draft it publishes (`commit_generation`).
    CommitGeneration(JobId, [u8; 32], Box<verinfer_primitives::GenerationDraft>),
    Reveal(Vec<(JobId, Output, [u8; 32])>),
}

/// A batched call and the steps it carries.
pub(super) struct Batch {
    pub(super) items: Items,
    pub(super) steps: Vec<StepKey>,
}

type Signed = subxt::transactions::SubmittableTransaction<
    crate::chain::Config,
    subxt::client::OnlineClientAtBlockImpl<crate::chain::Config>,
>;

impl Items {
    pub(super) fn len(&self) -> usize {
        match self {
            Items::Release(j) => j.len(),
            Items::Commit(i) => i.len(),
            Items::CommitGeneration(..) => 1,
            Items::Reveal(i) => i.len(),
        }
    }

    /// The two halves of the batch.
    pub(super) fn split(self) -> (Items, Items) {
        fn halves<T>(mut v: Vec<T>) -> (Vec<T>, Vec<T>) {
            let back = v.split_off(v.len() / 2);
            (v, back)
        }
        match self {
            Items::Release(j) => {
                let (a, b) = halves(j);
                (Items::Release(a), Items::Release(b))
            }
            Items::Commit(i) => {
                let (a, b) = halves(i);
                (Items::Commit(a), Items::Commit(b))
            }
            // One item: nothing to split (the caller splits only batches of several).
            one @ Items::CommitGeneration(..) => (one, Items::Commit(Vec::new())),
            Items::Reveal(i) => {
                let (a, b) = halves(i);
                (Items::Reveal(a), Items::Reveal(b))
            }
        }
    }
}

/// Signs one batched call (the miner's or the auditor's form of it), without submitting.
pub(super) async fn sign_batch(
    tx: &mut crate::chain::Transactions,
    key: &Key,
    duty: Duty,
    items: &Items,
    params: <<crate::chain::Config as subxt::Config>::TransactionExtensions as subxt::config::TransactionExtensions<crate::chain::Config>>::Params,
) -> Result<Signed, subxt::error::ExtrinsicError> {
    let jobs = runtime::tx().jobs();
    match (items, duty) {
        (Items::Release(j), _) => {
            tx.create_signed(&jobs.release_jobs(Bounded(j.clone())), key.pair(), params)
                .await
        }
        (Items::Commit(i), Duty::Mine) => {
            tx.create_signed(&jobs.commit_results(Bounded(i.clone())), key.pair(), params)
                .await
        }
        (Items::CommitGeneration(job, c, draft), _) => {
            let call = jobs.commit_generation(*job, *c, subxt::utils::Static((**draft).clone()));
            tx.create_signed(&call, key.pair(), params).await
        }
        (Items::Commit(i), Duty::Verify) => {
            tx.create_signed(&jobs.commit_audits(Bounded(i.clone())), key.pair(), params)
                .await
        }
        (Items::Reveal(i), Duty::Mine) => {
            let items = i
                .iter()
                .map(|(j, o, s)| (*j, Bounded(o.0.clone()), *s))
                .collect();
            tx.create_signed(&jobs.reveal_results(Bounded(items)), key.pair(), params)
                .await
        }
        (Items::Reveal(i), Duty::Verify) => {
            let items = i
                .iter()
                .map(|(j, o, s)| (*j, Bounded(o.0.clone()), *s))
                .collect();
            tx.create_signed(&jobs.reveal_audits(Bounded(items)), key.pair(), params)
                .await
        }
    }
}

/// What `TransactionPaymentApi_query_info` says of a transaction: its weight, class and fee.
#[derive(codec::Decode, Debug)]
struct DispatchInfo {
    #[codec(compact)]
    ref_time: u64,
    #[codec(compact)]
    proof_size: u64,
    _class: u8,
    _partial_fee: u128,
}

/// The weight the runtime charges for the signed transaction `encoded`, at block `at`.
pub(super) async fn weight_of(chain: &Chain, at: &AtBlock, encoded: &[u8]) -> Result<(u64, u64)> {
    let mut data = encoded.to_vec();
    data.extend_from_slice(&(encoded.len() as u32).to_le_bytes());
    let hex_data = format!("0x{}", hex::encode(&data));
    let block = format!("{:?}", at.block_hash());
    let answer: String = chain
        .rpc
        .request(
            "state_call",
            subxt::rpcs::rpc_params!["TransactionPaymentApi_query_info", hex_data, block],
        )
        .await
        .context("TransactionPaymentApi_query_info")?;
    let bytes = hex::decode(answer.trim_start_matches("0x"))?;
    let info = <DispatchInfo as codec::Decode>::decode(&mut &bytes[..])
        .context("decoding the dispatch info")?;
    Ok((info.ref_time, info.proof_size))
}
