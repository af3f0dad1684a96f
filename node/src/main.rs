//! `verinfer-node`: the validator and full node of the verinfer appchain.

mod chain_spec;
mod cli;
mod command;
mod dev_seal;
mod market_rpc;
mod rpc;
mod service;

// `sc_cli::Error` and `sc_service::Error` are Substrate's own error types, which the CLI
// runner and the service builder require; boxing them is not an option here.
#[allow(clippy::result_large_err)]
fn main() -> sc_cli::Result<()> {
	command::run()
}
