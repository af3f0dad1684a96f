//! Block production for development chains: instant seal that also finalizes.
//!
//! `--dev` must never make a test wait for a 2-second BABE slot or a GRANDPA round. The
//! node therefore seals a block as soon as a transaction enters the pool, and at least every
//! `--dev-block-time` otherwise, and finalizes each block as it is sealed. The blocks still
//! carry a BABE pre-digest (Alice's VRF claim on the slot, so every block adds VRF
//! randomness) and a timestamp one slot past their parent's, so the runtime's BABE and
//! Timestamp pallets see a valid chain of slots: the very runtime that the local testnet
//! and production run under real BABE and GRANDPA.
//!
//! The cost of that choice: while blocks come faster than one per slot, the chain's clock
//! runs ahead of the wall clock by up to one slot per block. It catches up whenever blocks
//! are slower than slots. Nothing in verinfer measures time in milliseconds, only in
//! blocks, so this does not change any behaviour under test.
//!
//! Under load, sealing one block per transaction would make deadlines counted in blocks
//! pass in a fraction of a second (a burst of 400 jobs once ran 40-block windows out in
//! seconds). Blocks sealed for transactions are therefore paced: at most one per
//! `--dev-min-block-interval` (200 ms by default), each taking every transaction that
//! arrived meanwhile. A phase of `n` blocks thus lasts at least `n` intervals of wall time
//! on the dev chain, and the dev job parameters (`job_params(true)`) size their windows for
//! that pace: 40 blocks, at least 8 s, against a worker round trip of well under a second.

use std::{
	sync::atomic::{AtomicU64, Ordering},
	time::{Duration, Instant},
};

use futures::{FutureExt, Stream, StreamExt};
use sc_consensus_manual_seal::EngineCommand;
use sp_blockchain::HeaderBackend;
use sp_consensus_babe::{Slot, SlotDuration};
use verinfer_runtime::{opaque::Block, Hash};

/// A clock that hands out strictly increasing BABE slots, never behind the wall clock.
pub struct DevClock {
	slot_duration: SlotDuration,
	last_slot: AtomicU64,
}

impl DevClock {
	/// Starts after the slot of the best block, so a restarted dev node keeps its chain.
	pub fn new<C: HeaderBackend<Block>>(
		client: &C,
		slot_duration: SlotDuration,
	) -> Result<Self, String> {
		let best = client.info().best_hash;
		let header = client
			.header(best)
			.map_err(|e| e.to_string())?
			.ok_or_else(|| format!("best block {best} has no header in the database"))?;
		let last_slot = sc_consensus_babe::find_pre_digest::<Block>(&header)
			.map(|digest| *digest.slot())
			// Genesis carries no pre-digest.
			.unwrap_or(0);
		Ok(Self { slot_duration, last_slot: AtomicU64::new(last_slot) })
	}

	/// The time and slot the dev chain has reached: the later of the wall clock and the
	/// start of the last slot handed out. Imported dev blocks are checked against it.
	pub fn now(&self) -> (sp_timestamp::Timestamp, Slot) {
		let millis = self.slot_duration.as_millis().max(1);
		let wall = *sp_timestamp::Timestamp::current();
		let last = self.last_slot.load(Ordering::SeqCst).saturating_mul(millis);
		let now = wall.max(last);
		(sp_timestamp::Timestamp::new(now), Slot::from(now / millis))
	}

	/// The timestamp and slot of the next block: the later of the current wall-clock slot
	/// and the slot after the last one handed out, and that slot's start.
	pub fn next(&self) -> (sp_timestamp::Timestamp, Slot) {
		let millis = self.slot_duration.as_millis().max(1);
		let now_slot = *sp_timestamp::Timestamp::current() / millis;
		let mut last = self.last_slot.load(Ordering::SeqCst);
		loop {
			let next = now_slot.max(last.saturating_add(1));
			match self.last_slot.compare_exchange(last, next, Ordering::SeqCst, Ordering::SeqCst) {
				Ok(_) => {
					return (
						sp_timestamp::Timestamp::new(next.saturating_mul(millis)),
						Slot::from(next),
					)
				},
				Err(current) => last = current,
			}
		}
	}
}

/// How fast the dev chain seals.
#[derive(Clone, Copy, Debug)]
pub struct DevPace {
	/// The longest time between two blocks: an empty block is sealed after it.
	pub max_interval: Duration,
	/// The shortest time between two blocks sealed for transactions.
	pub min_interval: Duration,
}

/// One item per block: after a trigger (`true` for a timer tick, `false` for a
/// transaction), waits until `min_interval` has passed since the previous block, then takes
/// every trigger that arrived meanwhile, so that their transactions share one block. The
/// item says whether the block may be empty (only timer ticks triggered it).
fn paced<S>(triggers: S, min_interval: Duration) -> impl Stream<Item = bool> + Send
where
	S: Stream<Item = bool> + Send + Unpin + 'static,
{
	futures::stream::unfold((triggers, None::<Instant>), move |(mut triggers, last)| async move {
		let mut create_empty = triggers.next().await?;
		if let Some(wait) =
			last.map(|at| (at + min_interval).saturating_duration_since(Instant::now()))
		{
			if !wait.is_zero() {
				futures_timer::Delay::new(wait).await;
			}
		}
		while let Some(Some(timer)) = triggers.next().now_or_never() {
			create_empty &= timer;
		}
		Some((create_empty, (triggers, Some(Instant::now()))))
	})
}

/// The commands that drive the seal task: one per batch of transactions imported into the
/// pool and one every `pace.max_interval`, never two within `pace.min_interval`, and
/// whatever the `engine_*` RPC methods send. Each seals and finalizes.
pub fn seal_commands<S, R>(
	pool_imports: S,
	pace: DevPace,
	rpc_commands: R,
) -> impl Stream<Item = EngineCommand<Hash>> + Unpin
where
	S: Stream + Send + Unpin + 'static,
	R: Stream<Item = EngineCommand<Hash>> + Send + Unpin + 'static,
{
	let block_time = pace.max_interval;
	let seal = |create_empty| EngineCommand::SealNewBlock {
		create_empty,
		finalize: true,
		parent_hash: None,
		sender: None,
	};
	let on_transaction = pool_imports.map(|_| false).boxed();
	let on_timer = futures::stream::unfold((), move |()| async move {
		futures_timer::Delay::new(block_time).await;
		Some((true, ()))
	})
	.boxed();
	let sealed = paced(futures::stream::select(on_transaction, on_timer), pace.min_interval)
		.map(seal)
		.boxed();
	futures::stream::select(sealed, rpc_commands)
}
