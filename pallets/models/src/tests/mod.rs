//! The registry's tests, by topic, on the runtime in [`crate::mock`].

mod genesis;
mod lifecycle;
mod payee;
mod register;

use crate::{mock::*, HoldReason, Models};
use frame_support::traits::fungible::{Inspect, InspectHold};

/// Every test account, the pot included.
const ACCOUNTS: [u64; 7] = [1, 2, 3, 4, 5, POT, POOR];

/// Checks that no funds were minted or burnt, and that the held deposits are exactly the
/// deposits the registry records.
fn assert_conserved() {
	let total: u64 = ACCOUNTS.iter().map(Balances::total_balance).sum();
	assert_eq!(Balances::total_issuance(), total, "funds were minted or burnt");
	assert_eq!(total, 5 * ENDOWMENT + ED);
	let held: u64 = ACCOUNTS
		.iter()
		.map(|a| Balances::balance_on_hold(&HoldReason::ModelDeposit.into(), a))
		.sum();
	let recorded: u64 = Models::<Test>::iter_values().map(|m| m.deposit).sum();
	assert_eq!(held, recorded, "held deposits differ from the registry's records");
}

/// The deposit held from `who`.
fn held(who: u64) -> u64 {
	Balances::balance_on_hold(&HoldReason::ModelDeposit.into(), &who)
}
