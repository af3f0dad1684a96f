//! Command-line interface.

use sc_cli::RunCmd;

/// verinfer-node: run a verinfer validator or full node, or manage its keys and chain data.
///
/// Quick start: `verinfer-node --dev` runs a one-validator development chain that seals and
/// finalizes a block as soon as transactions arrive (at most one per
/// `--dev-min-block-interval`, and at least one per `--dev-block-time`). `verinfer-node --chain local --alice` joins the four-validator
/// local testnet; see `scripts/testnet.sh`.
#[derive(Debug, clap::Parser)]
#[command(name = "verinfer-node", propagate_version = true, args_conflicts_with_subcommands = true)]
pub struct Cli {
	#[command(subcommand)]
	pub subcommand: Option<Subcommand>,

	#[clap(flatten)]
	pub run: RunCmd,

	/// Development chains only: the longest time, in milliseconds, between two sealed
	/// blocks when no transaction arrives. Transactions are sealed into a block at once.
	#[arg(long, value_name = "MS", default_value_t = 1000)]
	pub dev_block_time: u64,

	/// Development chains only: the shortest time, in milliseconds, between two blocks
	/// sealed for transactions. Under a burst, transactions that arrive meanwhile share
	/// one block, so the chain advances at most one block per interval and deadlines
	/// counted in blocks keep a wall-clock length (40 blocks: at least 8 s at 200 ms).
	#[arg(long, value_name = "MS", default_value_t = 200)]
	pub dev_min_block_interval: u64,
}

/// Everything `verinfer-node` can do besides running a node.
#[derive(Debug, clap::Subcommand)]
#[allow(clippy::large_enum_variant)]
pub enum Subcommand {
	/// Key management: generate, inspect and insert keys (`key insert` puts a validator's
	/// BABE and GRANDPA keys in its keystore).
	#[command(subcommand)]
	Key(sc_cli::KeySubcommand),

	/// Export a chain spec (`--chain dev|local|<file>`, `--raw` for the raw genesis storage).
	ExportChainSpec(sc_cli::ExportChainSpecCmd),

	/// Validate blocks.
	CheckBlock(sc_cli::CheckBlockCmd),

	/// Export blocks to a file.
	ExportBlocks(sc_cli::ExportBlocksCmd),

	/// Export the state of a given block into a chain spec.
	ExportState(sc_cli::ExportStateCmd),

	/// Import blocks from a file.
	ImportBlocks(sc_cli::ImportBlocksCmd),

	/// Remove the whole chain database of the selected chain.
	PurgeChain(sc_cli::PurgeChainCmd),

	/// Revert the chain to a previous state.
	Revert(sc_cli::RevertCmd),

	/// Benchmark the runtime's pallets, blocks or this machine. Only in nodes built with
	/// `--features runtime-benchmarks` (see `scripts/benchmark.sh`).
	#[cfg(feature = "runtime-benchmarks")]
	#[command(subcommand)]
	Benchmark(frame_benchmarking_cli::BenchmarkCmd),

	/// Show the database's meta columns.
	ChainInfo(sc_cli::ChainInfoCmd),
}
