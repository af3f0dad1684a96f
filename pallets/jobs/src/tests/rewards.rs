//! The reward stream, fed by settled jobs: accepted results earn the worker and the model's
//! contributors compute units (the fee paid), auditors on the verdict's side one point per
//! audit, and total issuance grows by exactly the era's emission.

use super::*;
use pallet_rewards::{CurrentPoints, Event as RewardsEvent, PerGroup};

/// An `EXACT` job that is audited and settled, with honest auditors.
fn settled_audited_job(worker_output: &[u8]) -> (JobId, Vec<u64>) {
	let (id, auditors) = audited_job(worker_output);
	let out = honest_output(EXACT);
	for a in &auditors {
		commit_audit(id, *a, &out);
	}
	reveal(id, WORKER, worker_output);
	for a in &auditors {
		reveal_audit(id, *a, &out);
	}
	(id, auditors)
}

#[test]
fn without_a_stream_nothing_is_recorded() {
	new_test_ext().execute_with(|| {
		let issuance = genesis_issuance();
		settled_audited_job(&honest_output(EXACT));
		assert_eq!(CurrentPoints::<Test>::get(), Default::default());
		run_to(REWARD_ERA * 3);
		assert_settled(issuance);
	});
}

#[test]
fn settled_jobs_earn_points_and_issuance_grows_by_exactly_the_emission() {
	new_test_ext().execute_with(|| {
		let issuance = genesis_issuance();
		start_rewards();
		// An accepted job: the worker and the model's one contributor earn its fee (1000)
		// in compute units, each auditor a point.
		let (ok, auditors) = settled_audited_job(&honest_output(EXACT));
		assert_eq!(last_verdict(ok), Some(Verdict::AcceptedByAudit));
		assert_eq!(
			CurrentPoints::<Test>::get(),
			PerGroup { workers: 1_000, auditors: 3, contributors: 1_000 }
		);
		// A rejected job: only the auditors who caught the worker earn.
		let (bad, _) = settled_audited_job(&wrong_output(EXACT));
		assert_eq!(last_verdict(bad), Some(Verdict::RejectedByAudit));
		assert_eq!(
			CurrentPoints::<Test>::get(),
			PerGroup { workers: 1_000, auditors: 6, contributors: 1_000 }
		);
		let era_closes = 1 + REWARD_ERA;
		run_to(era_closes);
		// A third of 9000 per group: 2970 each, 8910 minted.
		assert_eq!(Balances::total_issuance(), issuance + 8_910);
		assert!(System::events().iter().any(|r| matches!(
			&r.event,
			RuntimeEvent::Rewards(RewardsEvent::EraClosed { era: 0, .. })
		)));

		let claim = |who: u64| {
			let before = Balances::balance(&who);
			assert_ok!(Rewards::claim_rewards(RuntimeOrigin::signed(who), 0));
			Balances::balance(&who) - before
		};
		assert_eq!(claim(WORKER), 2_970);
		assert_eq!(claim(CONTRIBUTOR), 2_970);
		let paid: u64 = auditors.iter().map(|a| claim(*a)).sum();
		assert_eq!(paid, 2_970);
		// Claims move what was minted; they create nothing.
		assert_eq!(Balances::total_issuance(), issuance + 8_910);
		for who in 1..=9u64 {
			assert_eq!(Balances::balance_on_hold(&HoldReason::JobFee.into(), &who), 0);
		}
	});
}
