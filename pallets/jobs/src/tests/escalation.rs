//! Inconclusive audits: a tie (or nobody revealed) draws more auditors once; their
//! majority, counted with the first round's, decides; a second tie goes to governance.

use super::*;
use crate::Error;
use frame_support::assert_noop;
use pallet_compute_staking::Pallet as Staking;
use verinfer_primitives::ComputeStakingInterface;

/// Auditors beyond the mock's three, so that an escalation can draw two more.
const MORE_AUDITORS: [u64; 2] = [23, 24];

/// Two auditors per job, five active auditors, and an `EXACT` job whose first audit round
/// is tied: auditor 0 agrees with the honest worker, auditor 1 lies. Returns the job and
/// the first round's auditors; the escalation's draw is pending.
fn tied_job() -> (JobId, Vec<u64>) {
	let mut p = params();
	p.auditors_per_job = 2;
	assert_ok!(Jobs::set_params(RuntimeOrigin::root(), p));
	for a in MORE_AUDITORS {
		assert_ok!(ComputeStaking::bond_auditor(RuntimeOrigin::signed(a), AUDITOR_STAKE));
	}
	let id = submit(DAPP, EXACT, &[1, 2, 3, 4], 5_000);
	run_until(id, JobStatus::Assigned);
	let out = honest_output(EXACT);
	commit(id, WORKER, &out);
	run_until(id, JobStatus::Auditing);
	let first: Vec<u64> = job(id).auditors.iter().map(|a| a.who).collect();
	commit_audit(id, first[0], &out);
	commit_audit(id, first[1], &wrong_output(EXACT));
	reveal(id, WORKER, &out);
	reveal_audit(id, first[0], &out);
	reveal_audit(id, first[1], &wrong_output(EXACT));
	// Tied: escalated, the draw two blocks on.
	let j = job(id);
	assert_eq!((j.status, j.escalation, j.auditors.len()), (JobStatus::Auditing, Some(2), 2));
	assert!(!events().iter().any(|e| matches!(e, Event::JobDisputed { .. })));
	(id, first)
}

/// Runs to the escalation's draw and returns the auditors it added.
fn escalate(id: JobId, first: &[u64]) -> Vec<u64> {
	run_to(System::block_number() + 2);
	let j = job(id);
	assert_eq!(j.status, JobStatus::Auditing);
	let added: Vec<u64> = j.auditors.iter().skip(first.len()).map(|a| a.who).collect();
	assert_eq!(added.len(), 2);
	for a in &added {
		assert!(!first.contains(a) && *a != WORKER && *a != DAPP, "{a} may not be drawn again");
	}
	assert!(events().contains(&Event::AuditEscalated { job: id, auditors: added.clone() }));
	added
}

#[test]
fn a_tie_escalates_and_the_new_majority_accepts() {
	new_test_ext().execute_with(|| {
		let issuance = genesis_issuance();
		let (id, first) = tied_job();
		let out = honest_output(EXACT);
		// While the draw is pending, and after it, the first round is over.
		assert_noop!(
			Jobs::commit_audit(RuntimeOrigin::signed(first[0]), id, [0; 32]),
			Error::<Test>::AlreadyCommitted
		);
		let added = escalate(id, &first);
		assert_noop!(
			Jobs::reveal_result(
				RuntimeOrigin::signed(WORKER),
				id,
				BoundedVec::truncate_from(out.clone()),
				salt_of(WORKER)
			),
			Error::<Test>::AlreadyRevealed
		);
		for a in &added {
			commit_audit(id, *a, &out);
		}
		assert_eq!(job(id).status, JobStatus::Revealing);
		let liar_stake = Staking::<Test>::stake(&first[1]);
		let before: Vec<u64> =
			[first[0], added[0], added[1]].iter().map(Balances::balance).collect();
		for a in &added {
			reveal_audit(id, *a, &out);
		}
		// Three against one, counting the first round's reveals.
		assert_eq!(last_verdict(id), Some(Verdict::AcceptedByAudit));
		assert_eq!(Staking::<Test>::stake(&first[1]), liar_stake * 4 / 5);
		// The auditors' 20 % of the 1000 fee goes to the three on the winning side.
		let gained: u64 = [first[0], added[0], added[1]]
			.iter()
			.zip(before)
			.map(|(a, b)| Balances::balance(a) - b)
			.sum();
		assert_eq!(gained, 200);
		assert_eq!(Balances::balance(&DAPP), ENDOWMENT - PRICE);
		assert_settled(issuance);
	});
}

#[test]
fn the_escalated_majority_can_reject() {
	new_test_ext().execute_with(|| {
		let issuance = genesis_issuance();
		let (id, first) = tied_job();
		let added = escalate(id, &first);
		let wrong = wrong_output(EXACT);
		for a in &added {
			commit_audit(id, *a, &wrong);
		}
		let stake = Staking::<Test>::stake(&WORKER);
		for a in &added {
			reveal_audit(id, *a, &wrong);
		}
		assert_eq!(last_verdict(id), Some(Verdict::RejectedByAudit));
		assert_eq!(Staking::<Test>::stake(&WORKER), stake / 2);
		assert_eq!(Staking::<Test>::stake(&first[0]), AUDITOR_STAKE * 4 / 5);
		assert_eq!(
			Balances::balance(&DAPP),
			ENDOWMENT,
			"the dApp pays nothing for a rejected result"
		);
		assert_settled(issuance);
	});
}

#[test]
fn a_second_tie_goes_to_governance() {
	new_test_ext().execute_with(|| {
		let issuance = genesis_issuance();
		let (id, first) = tied_job();
		let added = escalate(id, &first);
		commit_audit(id, added[0], &honest_output(EXACT));
		commit_audit(id, added[1], &wrong_output(EXACT));
		reveal_audit(id, added[0], &honest_output(EXACT));
		reveal_audit(id, added[1], &wrong_output(EXACT));
		assert_eq!(job(id).status, JobStatus::Disputed);
		assert!(events().contains(&Event::JobDisputed { job: id }));
		assert_eq!(job(id).auditors.len(), 4, "escalated once only");
		assert_noop!(
			Jobs::resolve_dispute(RuntimeOrigin::signed(DAPP), id, true),
			sp_runtime::DispatchError::BadOrigin
		);
		assert_ok!(Jobs::resolve_dispute(RuntimeOrigin::root(), id, true));
		assert_eq!(last_verdict(id), Some(Verdict::AcceptedByGovernance));
		for liar in [first[1], added[1]] {
			assert_eq!(Staking::<Test>::stake(&liar), AUDITOR_STAKE * 4 / 5);
		}
		assert_noop!(
			Jobs::resolve_dispute(RuntimeOrigin::root(), id, true),
			Error::<Test>::NotDisputed
		);
		assert_settled(issuance);
	});
}

#[test]
fn escalated_auditors_that_stay_silent_are_slashed_and_governance_decides() {
	new_test_ext().execute_with(|| {
		let issuance = genesis_issuance();
		let (id, first) = tied_job();
		let added = escalate(id, &first);
		// Nobody of the new round commits: the first round is not slashed again.
		run_until(id, JobStatus::Revealing);
		assert_noop!(
			Jobs::commit_audit(RuntimeOrigin::signed(added[0]), id, [0; 32]),
			Error::<Test>::AuditWindowClosed
		);
		run_until(id, JobStatus::Disputed);
		let missed: Vec<u64> = events()
			.into_iter()
			.filter_map(|e| match e {
				Event::DeadlineMissed { who, .. } => Some(who),
				_ => None,
			})
			.collect();
		assert_eq!(missed, added);
		assert_eq!(Staking::<Test>::stake(&first[0]), AUDITOR_STAKE);
		run_until(id, JobStatus::Expired);
		assert_eq!(Balances::balance(&DAPP), ENDOWMENT);
		assert_settled(issuance);
	});
}

#[test]
fn commit_audit_after_the_window_closed_has_its_own_error() {
	new_test_ext().execute_with(|| {
		let id = submit(DAPP, EXACT, &[1, 2, 3, 4], 5_000);
		run_until(id, JobStatus::Assigned);
		let out = honest_output(EXACT);
		commit(id, WORKER, &out);
		run_until(id, JobStatus::Auditing);
		let auditors: Vec<u64> = job(id).auditors.iter().map(|a| a.who).collect();
		commit_audit(id, auditors[0], &out);
		run_until(id, JobStatus::Revealing);
		assert_noop!(
			Jobs::commit_audit(
				RuntimeOrigin::signed(auditors[1]),
				id,
				commitment_of(id, auditors[1], &out)
			),
			Error::<Test>::AuditWindowClosed
		);
		assert_noop!(
			Jobs::commit_audit(RuntimeOrigin::signed(auditors[0]), id, [0; 32]),
			Error::<Test>::AlreadyCommitted
		);
		// One that missed the commit has nothing to reveal.
		assert_noop!(
			Jobs::reveal_audit(
				RuntimeOrigin::signed(auditors[1]),
				id,
				BoundedVec::truncate_from(out.clone()),
				salt_of(auditors[1])
			),
			Error::<Test>::NothingToReveal
		);
	});
}
