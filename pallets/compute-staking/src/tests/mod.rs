//! The staking tests, by topic, on the runtime in [`crate::mock`].

mod bonding;
mod duty;
mod interface;
mod invariants;
mod params;
mod unbonding;

use crate::{mock::*, HoldReason, Ledgers, ModelsOf, Pallet};
use frame_support::{
	assert_ok,
	traits::fungible::{Inspect, InspectHold},
};

/// Every account the tests use, the pot included.
const ACCOUNTS: [u64; 10] = [1, 2, 3, 4, 5, 6, 7, 8, 9, POT];

/// Checks that no funds were minted or burnt, that the bonds on hold are exactly what the
/// ledgers record, and the pallet's other invariants.
fn assert_conserved() {
	let total: u64 = ACCOUNTS.iter().map(Balances::total_balance).sum();
	assert_eq!(Balances::total_issuance(), total, "funds were minted or burnt");
	assert_eq!(total, 9 * ENDOWMENT + ED);
	let held: u64 = ACCOUNTS.iter().map(|a| bonded(*a)).sum();
	let recorded: u64 = Ledgers::<Test>::iter_values().map(|l| l.total()).sum();
	assert_eq!(held, recorded, "holds differ from the ledgers");
	assert_ok!(Pallet::<Test>::do_try_state());
}

/// What `who` has on hold as bond.
fn bonded(who: u64) -> u64 {
	Balances::balance_on_hold(&HoldReason::Bond.into(), &who)
}

fn models(ids: &[u32]) -> ModelsOf<Test> {
	ids.to_vec().try_into().unwrap()
}

/// Bonds `who` as a worker for `ids` with `value`.
fn worker(who: u64, value: u64, ids: &[u32]) {
	assert_ok!(Pallet::<Test>::bond_worker(
		RuntimeOrigin::signed(who),
		value,
		models(ids),
		7,
		b"gpu=A100".to_vec().try_into().unwrap(),
		8
	));
}

/// Bonds `who` as an auditor with `value`.
fn auditor(who: u64, value: u64) {
	assert_ok!(Pallet::<Test>::bond_auditor(RuntimeOrigin::signed(who), value));
}
