//! Property test: random sequences of bonding, unbonding, slashing and withdrawing never
//! mint or burn funds, and the holds always equal what the ledgers record.

use super::*;
use proptest::prelude::*;
use sp_runtime::Perbill;
use verinfer_primitives::{ComputeStakingInterface, SlashDestination};

type Staking = Pallet<Test>;

#[derive(Clone, Debug)]
enum Op {
	BondWorker { who: u64, value: u64, model: u32 },
	BondAuditor { who: u64, value: u64 },
	BondExtra { who: u64, value: u64 },
	Unbond { who: u64, value: u64 },
	Withdraw { who: u64 },
	Chill { who: u64 },
	Activate { who: u64 },
	Slash { who: u64, percent: u32, reporter: Option<u64> },
	Advance { blocks: u64 },
}

fn op() -> impl Strategy<Value = Op> {
	// Accounts 1 to 4 act; reporters include 50, an account that does not exist.
	let who = 1u64..=4;
	let value = 0u64..=2_000;
	prop_oneof![
		(who.clone(), value.clone(), 0u32..3).prop_map(|(who, value, model)| Op::BondWorker {
			who,
			value,
			model
		}),
		(who.clone(), value.clone()).prop_map(|(who, value)| Op::BondAuditor { who, value }),
		(who.clone(), value.clone()).prop_map(|(who, value)| Op::BondExtra { who, value }),
		(who.clone(), value).prop_map(|(who, value)| Op::Unbond { who, value }),
		who.clone().prop_map(|who| Op::Withdraw { who }),
		who.clone().prop_map(|who| Op::Chill { who }),
		who.clone().prop_map(|who| Op::Activate { who }),
		(who, 0u32..=100, proptest::option::of(prop_oneof![Just(5u64), Just(50u64)]))
			.prop_map(|(who, percent, reporter)| Op::Slash { who, percent, reporter }),
		(0u64..=30).prop_map(|blocks| Op::Advance { blocks }),
	]
}

fn apply(op: Op) {
	let signed = RuntimeOrigin::signed;
	// Calls may fail (that is part of the test); a failed call changes nothing.
	let _ = match op {
		Op::BondWorker { who, value, model } => {
			Staking::bond_worker(signed(who), value, models(&[model]), 1, Default::default(), 8)
		},
		Op::BondAuditor { who, value } => Staking::bond_auditor(signed(who), value),
		Op::BondExtra { who, value } => Staking::bond_extra(signed(who), value),
		Op::Unbond { who, value } => Staking::unbond(signed(who), value),
		Op::Withdraw { who } => Staking::withdraw_unbonded(signed(who)),
		Op::Chill { who } => Staking::chill(signed(who)),
		Op::Activate { who } => Staking::activate(signed(who)),
		Op::Slash { who, percent, reporter } => {
			let destination =
				reporter.map_or(SlashDestination::Treasury, SlashDestination::Account);
			let before = Staking::stake(&who);
			let slashed = Staking::slash(&who, Perbill::from_percent(percent), destination);
			assert_eq!(Staking::stake(&who), before - slashed);
			Ok(())
		},
		Op::Advance { blocks } => {
			System::set_block_number(System::block_number() + blocks);
			Ok(())
		},
	};
}

/// Like `assert_conserved`, but account 50 may have been created by a reporter reward.
fn check() {
	let accounts = ACCOUNTS.iter().copied().chain([50]);
	let total: u64 = accounts.map(|a| Balances::total_balance(&a)).sum();
	assert_eq!(Balances::total_issuance(), total, "funds were minted or burnt");
	assert_eq!(total, 9 * ENDOWMENT + ED);
	let held: u64 = ACCOUNTS.iter().map(|a| bonded(*a)).sum();
	let recorded: u64 = Ledgers::<Test>::iter_values().map(|l| l.total()).sum();
	assert_eq!(held, recorded, "holds differ from the ledgers");
	assert_ok!(Pallet::<Test>::do_try_state());
}

proptest! {
	#![proptest_config(ProptestConfig::with_cases(256))]

	#[test]
	fn issuance_and_holds_never_drift(ops in proptest::collection::vec(op(), 1..60)) {
		new_test_ext().execute_with(|| {
			for op in ops {
				apply(op);
				check();
			}
		});
	}
}
