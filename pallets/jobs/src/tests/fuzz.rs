//! Fuzzing the pallet's call sequences on the mock runtime (proptest): random mixes of
//! submissions (valid and malformed), cancellations, commits, reveals, audit commits and
//! reveals (honest, lying, or from the wrong account), bonding changes, disputes settled
//! by root, parameter changes and block advances.
//!
//! After every step no call has panicked and total issuance is unchanged. At the end the
//! chain runs past every deadline and retention period: no job fee is left on hold, no job
//! is left in storage, and issuance is still what genesis minted.
//!
//! `#[ignore]`d: `scripts/fuzz.sh` runs it for a bounded number of cases.

use super::*;
use frame_support::traits::fungible::InspectHold as _;
use proptest::prelude::*;
use sp_runtime::Perbill;

#[derive(Debug, Clone)]
enum Op {
	Submit { owner: u64, model: ModelId, len: usize, fill: u8, max_fee: u64 },
	Cancel { owner: u64, job: JobId },
	Commit { who: u64, job: JobId, honest: bool },
	Reveal { who: u64, job: JobId, honest: bool },
	CommitAudit { who: u64, job: JobId, honest: bool },
	RevealAudit { who: u64, job: JobId, honest: bool },
	BondSecondWorker,
	Chill { who: u64 },
	Activate { who: u64 },
	Unbond { who: u64, value: u64 },
	Resolve { job: JobId, accept: bool },
	SetAuditProbability { percent: u32 },
	Advance { blocks: u64 },
}

/// The accounts that act: dApps, both workers, the auditors and a stranger.
fn actor() -> impl Strategy<Value = u64> {
	prop_oneof![
		Just(DAPP),
		Just(2u64),
		Just(WORKER),
		Just(WORKER_2),
		Just(20u64),
		Just(21u64),
		Just(22u64),
		Just(7u64)
	]
}

fn op() -> impl Strategy<Value = Op> {
	let job = 0u64..10;
	prop_oneof![
		4 => (prop_oneof![Just(DAPP), Just(2u64), Just(3u64)], 0u32..3, 0usize..70, any::<u8>(), 0u64..3_000)
			.prop_map(|(owner, model, len, fill, max_fee)| Op::Submit { owner, model, len, fill, max_fee }),
		1 => (actor(), job.clone()).prop_map(|(owner, job)| Op::Cancel { owner, job }),
		3 => (actor(), job.clone(), any::<bool>()).prop_map(|(who, job, honest)| Op::Commit { who, job, honest }),
		3 => (actor(), job.clone(), any::<bool>()).prop_map(|(who, job, honest)| Op::Reveal { who, job, honest }),
		3 => (actor(), job.clone(), any::<bool>()).prop_map(|(who, job, honest)| Op::CommitAudit { who, job, honest }),
		3 => (actor(), job.clone(), any::<bool>()).prop_map(|(who, job, honest)| Op::RevealAudit { who, job, honest }),
		1 => Just(Op::BondSecondWorker),
		1 => actor().prop_map(|who| Op::Chill { who }),
		1 => actor().prop_map(|who| Op::Activate { who }),
		1 => (actor(), 0u64..600_000).prop_map(|(who, value)| Op::Unbond { who, value }),
		1 => (job.clone(), any::<bool>()).prop_map(|(job, accept)| Op::Resolve { job, accept }),
		1 => (0u32..=100).prop_map(|percent| Op::SetAuditProbability { percent }),
		4 => (1u64..8).prop_map(|blocks| Op::Advance { blocks }),
	]
}

/// What `who` would commit or reveal for `job`: the right output or a wrong one.
fn output_for(job: JobId, honest: bool) -> Vec<u8> {
	let model = JobsStorage::<Test>::get(job).map_or(EXACT, |j| j.model);
	if honest {
		honest_output(model)
	} else {
		wrong_output(model)
	}
}

fn commitment_for(job: JobId, who: u64, honest: bool) -> [u8; 32] {
	match JobsStorage::<Test>::get(job) {
		Some(_) => commitment_of(job, who, &output_for(job, honest)),
		None => [7; 32],
	}
}

fn apply(op: &Op) {
	let signed = RuntimeOrigin::signed;
	// Errors are expected (wrong account, wrong phase, bad input); panics are not.
	let _ = match op.clone() {
		Op::Submit { owner, model, len, fill, max_fee } => {
			let input = BoundedVec::truncate_from(vec![fill; len]);
			Jobs::submit_job(signed(owner), model, input, max_fee, None)
		},
		Op::Cancel { owner, job } => Jobs::cancel_job(signed(owner), job),
		Op::Commit { who, job, honest } => {
			Jobs::commit_result(signed(who), job, commitment_for(job, who, honest))
		},
		Op::Reveal { who, job, honest } => {
			let output = BoundedVec::truncate_from(output_for(job, honest));
			Jobs::reveal_result(signed(who), job, output, salt_of(who))
		},
		Op::CommitAudit { who, job, honest } => {
			Jobs::commit_audit(signed(who), job, commitment_for(job, who, honest))
		},
		Op::RevealAudit { who, job, honest } => {
			let output = BoundedVec::truncate_from(output_for(job, honest));
			Jobs::reveal_audit(signed(who), job, output, salt_of(who))
		},
		Op::BondSecondWorker => ComputeStaking::bond_worker(
			signed(WORKER_2),
			WORKER_STAKE,
			vec![EXACT].try_into().unwrap(),
			PRICE,
			Default::default(),
			8,
		),
		Op::Chill { who } => ComputeStaking::chill(signed(who)),
		Op::Activate { who } => ComputeStaking::activate(signed(who)),
		Op::Unbond { who, value } => ComputeStaking::unbond(signed(who), value),
		Op::Resolve { job, accept } => Jobs::resolve_dispute(RuntimeOrigin::root(), job, accept),
		Op::SetAuditProbability { percent } => {
			let mut p = crate::Params::<Test>::get().expect("params are set at genesis");
			p.audit_probability = Perbill::from_percent(percent);
			Jobs::set_params(RuntimeOrigin::root(), p)
		},
		Op::Advance { blocks } => {
			run_to(System::block_number() + blocks);
			Ok(())
		},
	};
}

proptest! {
	#![proptest_config(ProptestConfig { failure_persistence: None, ..ProptestConfig::default() })]

	#[test]
	#[ignore = "fuzzing: run by scripts/fuzz.sh"]
	fn fuzz_call_sequences_conserve_issuance_and_settle(ops in proptest::collection::vec(op(), 1..80)) {
		new_test_ext().execute_with(|| {
			let issuance = genesis_issuance();
			for op in &ops {
				apply(op);
				prop_assert_eq!(Balances::total_issuance(), issuance, "issuance moved after {:?}", op);
			}
			// Past every window, the dispute window and the retention period.
			run_to(System::block_number() + 200);
			prop_assert_eq!(Balances::total_issuance(), issuance);
			for who in [DAPP, 2, 3] {
				prop_assert_eq!(
					Balances::balance_on_hold(&HoldReason::JobFee.into(), &who),
					0,
					"a fee of {} is still held after every deadline", who
				);
			}
			prop_assert_eq!(JobsStorage::<Test>::iter().count(), 0, "every job was pruned");
			Ok(())
		})?;
	}
}
