//! # verinfer primitives
//!
//! The vocabulary that the verinfer pallets, the runtime and the off-chain worker share, so
//! that each of them reads a model or a stake the same way.
//!
//! ## Concepts
//!
//! - **Model.** An inference model in the registry (the `Models` pallet), named by a
//!   [`ModelId`]. Its weights file is pinned by sha256 ([`WeightsHash`]) and format
//!   ([`WeightsFormat`]); its input and output are described by a [`TensorSchema`] each, so
//!   the chain can reject a job whose input cannot be what the model reads. A model goes
//!   through [`ModelStatus::Proposed`], [`ModelStatus::Approved`] and
//!   [`ModelStatus::Deprecated`]; only an approved model accepts jobs.
//! - **Verification class.** How two executions of the same job are compared
//!   ([`VerificationClass`]): bit-exact for integer models, within a tolerance for float
//!   models.
//! - **Contributors.** The people named in a model's entry, each with a royalty share of
//!   every job fee ([`Contributor`]). The shares of one model add up to at most 100 %.
//! - **Workers and auditors.** Accounts that bonded stake in the `ComputeStaking` pallet.
//!   Workers serve models and run jobs; auditors re-run a sample of them. A result that
//!   fails an audit costs a fraction of the bond; a missed deadline a fixed amount in
//!   proportion to the job's fee ([`missed_deadline_slash`]). [`SlashDestination`] says
//!   where slashed funds go. Each bonded account keeps [`Reputation`] counters, which
//!   [`reputation_score`] turns into the score (in thousandths) that the `Jobs` pallet
//!   filters and weights workers by.
//!
//! ## Traits
//!
//! Pallets never name each other. A pallet that needs the registry or the stakes (`Jobs`;
//! `ComputeStaking` and `Rewards` for the registry) takes a [`ModelRegistry`] or a
//! [`ComputeStakingInterface`] in its `Config`; its tests plug in a mock of the trait or
//! the real pallet.
//!
//! The `Jobs` pallet reports verified work (accepted results, honest audits, model usage)
//! to the era reward stream through a [`RewardsHook`].
//!
//! Every type that sits in runtime storage or calls is bounded and has a bounded encoding
//! (`MaxEncodedLen`); the views the traits return ([`ModelView`], [`WorkerTerms`]) and the
//! helpers' results are plain values.
#![cfg_attr(not(feature = "std"), no_std)]
// Tests and mocks may use plain arithmetic and indexing: a mistake there fails the test.
#![cfg_attr(test, allow(clippy::arithmetic_side_effects, clippy::indexing_slicing))]

extern crate alloc;

mod commitment;
mod economics;
#[cfg(test)]
mod fuzz;
pub mod generation;
mod model;
mod rewards;
mod sampling;
mod schema;
mod staking;
mod verification;

pub use commitment::*;
pub use economics::*;
pub use generation::*;
pub use model::*;
pub use rewards::*;
pub use sampling::*;
pub use schema::*;
/// The fraction type of the tolerances and shares, for clients that build them.
pub use sp_runtime::Perbill;
pub use staking::*;
pub use verification::*;
