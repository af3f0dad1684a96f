//! `verinfer-node`: the validator and full node of the verinfer appchain.

mod chain_spec;
mod cli;
mod command;
mod dev_seal;
mod market_rpc;
mod rpc;
mod service;

fn main() -> sc_cli::Result<()> {
	command::run()
}
