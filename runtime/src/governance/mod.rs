//! On-chain governance: token holders decide by referendum.
//!
//! - Anyone notes a proposal's call as a preimage (`Preimage::note_preimage`), submits a
//!   referendum for it on a track (`Referenda::submit`) and places, or lets someone place,
//!   the track's decision deposit (`Referenda::place_decision_deposit`).
//! - Token holders vote with conviction (`ConvictionVoting::vote`): the longer they agree
//!   to lock their balance after the referendum, the more their vote weighs.
//! - A referendum that keeps enough approval and support through its track's confirm
//!   period passes; the scheduler dispatches its call, with the track's origin
//!   ([`origins`]), once the enactment delay has passed.
//!
//! [`tracks`] lists the tracks and why the development chain's are short.
//!
//! There is no technical committee or other fast lane: see the README's token-holder
//! section for why.

pub mod origins;
pub mod tracks;
