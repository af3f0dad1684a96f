//! Every path of the state machine, each ending with issuance and holds checked.

use super::*;
use crate::Error;
use frame_support::assert_noop;
use pallet_compute_staking::Pallet as Staking;
use verinfer_primitives::ComputeStakingInterface;

#[test]
fn happy_path_unaudited_pays_the_fee_split() {
	new_test_ext().execute_with(|| {
		let issuance = genesis_issuance();
		rarely_audit();
		let id = assigned_job();
		let out = honest_output(EXACT);
		commit(id, WORKER, &out);
		assert_noop!(
			Jobs::reveal_result(
				RuntimeOrigin::signed(WORKER),
				id,
				BoundedVec::truncate_from(out.clone()),
				salt_of(WORKER)
			),
			Error::<Test>::RevealNotOpen
		);
		run_until(id, JobStatus::Revealing);
		assert_eq!(job(id).audited, Some(false));
		let (worker0, treasury0, contrib0) = (
			Balances::balance(&WORKER),
			Balances::balance(&TREASURY),
			Balances::balance(&CONTRIBUTOR),
		);
		reveal(id, WORKER, &out);
		assert_eq!(job(id).status, JobStatus::Finalized);
		assert_eq!(last_verdict(id), Some(Verdict::AcceptedUnaudited));
		// Fee 1000: 5 % royalty, 10 % treasury, no auditors, the rest to the worker.
		assert_eq!(Balances::balance(&CONTRIBUTOR) - contrib0, 50);
		assert_eq!(Balances::balance(&TREASURY) - treasury0, 100);
		assert_eq!(Balances::balance(&WORKER) - worker0, 850);
		assert_eq!(Balances::balance(&DAPP), ENDOWMENT - PRICE);
		assert_eq!(crate::Outputs::<Test>::get(id, WORKER).unwrap().to_vec(), out);
		assert_eq!(Staking::<Test>::reputation(&WORKER).jobs_completed, 1);
		assert_settled(issuance);
	});
}

#[test]
fn audited_and_agreed_pays_the_auditors() {
	new_test_ext().execute_with(|| {
		let issuance = genesis_issuance();
		let out = honest_output(EXACT);
		let (id, auditors) = audited_job(&out);
		assert_eq!(auditors.len(), 3);
		assert!(!auditors.contains(&WORKER));
		// Blind: the worker cannot reveal until every auditor committed.
		assert_noop!(
			Jobs::reveal_result(
				RuntimeOrigin::signed(WORKER),
				id,
				BoundedVec::truncate_from(out.clone()),
				salt_of(WORKER)
			),
			Error::<Test>::RevealNotOpen
		);
		assert_noop!(
			Jobs::commit_audit(RuntimeOrigin::signed(DAPP), id, [0; 32]),
			Error::<Test>::NotAnAuditor
		);
		for a in &auditors {
			commit_audit(id, *a, &out);
		}
		assert_noop!(
			Jobs::commit_audit(RuntimeOrigin::signed(auditors[0]), id, [0; 32]),
			Error::<Test>::AlreadyCommitted
		);
		assert_eq!(job(id).status, JobStatus::Revealing);
		let before: Vec<u64> = auditors.iter().map(Balances::balance).collect();
		reveal(id, WORKER, &out);
		for a in &auditors {
			reveal_audit(id, *a, &out);
		}
		assert_eq!(last_verdict(id), Some(Verdict::AcceptedByAudit));
		// 20 % of 1000 shared by three: 67, 67, 66.
		let gained: Vec<u64> =
			auditors.iter().zip(before).map(|(a, b)| Balances::balance(a) - b).collect();
		assert_eq!(gained.iter().sum::<u64>(), 200);
		assert_eq!(Staking::<Test>::reputation(&auditors[0]).audits_passed, 1);
		assert_settled(issuance);
	});
}

#[test]
fn a_lying_worker_is_caught_slashed_and_the_dapp_refunded() {
	new_test_ext().execute_with(|| {
		let issuance = genesis_issuance();
		let wrong = wrong_output(EXACT);
		let (id, auditors) = audited_job(&wrong);
		for a in &auditors {
			commit_audit(id, *a, &honest_output(EXACT));
		}
		let stake = Staking::<Test>::stake(&WORKER);
		reveal(id, WORKER, &wrong);
		for a in &auditors {
			reveal_audit(id, *a, &honest_output(EXACT));
		}
		assert_eq!(last_verdict(id), Some(Verdict::RejectedByAudit));
		assert_eq!(Staking::<Test>::stake(&WORKER), stake / 2, "half the stake is slashed");
		assert_eq!(Balances::balance(&DAPP), ENDOWMENT, "the dApp pays nothing for a wrong result");
		assert_eq!(Staking::<Test>::reputation(&WORKER).audits_failed, 1);
		assert!(events()
			.iter()
			.any(|e| matches!(e, Event::WorkerSlashed { worker: WORKER, .. })));
		assert_settled(issuance);
	});
}

#[test]
fn a_lying_auditor_loses_to_the_majority() {
	new_test_ext().execute_with(|| {
		let issuance = genesis_issuance();
		let out = honest_output(EXACT);
		let (id, auditors) = audited_job(&out);
		let liar = auditors[1];
		let wrong = wrong_output(EXACT);
		for a in &auditors {
			commit_audit(id, *a, if *a == liar { &wrong } else { &out });
		}
		reveal(id, WORKER, &out);
		for a in &auditors {
			reveal_audit(id, *a, if *a == liar { &wrong } else { &out });
		}
		assert_eq!(last_verdict(id), Some(Verdict::AcceptedByAudit));
		assert_eq!(Staking::<Test>::stake(&liar), AUDITOR_STAKE * 4 / 5);
		assert!(events()
			.iter()
			.any(|e| matches!(e, Event::AuditorSlashed { auditor, .. } if *auditor == liar)));
		assert_settled(issuance);
	});
}

#[test]
fn a_float_model_is_judged_within_tolerance() {
	new_test_ext().execute_with(|| {
		let issuance = genesis_issuance();
		let id = submit(DAPP, FLOAT, b"a sentence", 5_000);
		run_until(id, JobStatus::Assigned);
		let out = honest_output(FLOAT);
		let close: Vec<u8> = [0.6001f32, -0.7999f32].iter().flat_map(|f| f.to_le_bytes()).collect();
		commit(id, WORKER, &out);
		run_until(id, JobStatus::Auditing);
		let auditors: Vec<u64> = job(id).auditors.iter().map(|a| a.who).collect();
		for a in &auditors {
			commit_audit(id, *a, &close);
		}
		reveal(id, WORKER, &out);
		for a in &auditors {
			reveal_audit(id, *a, &close);
		}
		assert_eq!(last_verdict(id), Some(Verdict::AcceptedByAudit));
		assert_settled(issuance);
	});
}

#[test]
fn reveals_are_checked_against_commitments() {
	new_test_ext().execute_with(|| {
		rarely_audit();
		let id = assigned_job();
		let out = honest_output(EXACT);
		assert_noop!(
			Jobs::commit_result(RuntimeOrigin::signed(WORKER_2), id, [0; 32]),
			Error::<Test>::NotAssignedWorker
		);
		commit(id, WORKER, &out);
		assert_noop!(
			Jobs::commit_result(RuntimeOrigin::signed(WORKER), id, [0; 32]),
			Error::<Test>::NotAwaitingCommit
		);
		run_until(id, JobStatus::Revealing);
		let go = |o: Vec<u8>, salt| {
			Jobs::reveal_result(
				RuntimeOrigin::signed(WORKER),
				id,
				BoundedVec::truncate_from(o),
				salt,
			)
		};
		assert_noop!(go(wrong_output(EXACT), salt_of(WORKER)), Error::<Test>::CommitmentMismatch);
		assert_noop!(go(out.clone(), [0; 32]), Error::<Test>::CommitmentMismatch);
		assert_noop!(
			Jobs::reveal_audit(
				RuntimeOrigin::signed(AUDITORS[0]),
				id,
				BoundedVec::truncate_from(out.clone()),
				[0; 32]
			),
			Error::<Test>::NotAnAuditor
		);
		assert_ok!(go(out.clone(), salt_of(WORKER)));
		assert_noop!(go(out, salt_of(WORKER)), Error::<Test>::AlreadyRevealed);
	});
}

#[test]
fn a_malformed_output_cannot_be_revealed() {
	new_test_ext().execute_with(|| {
		rarely_audit();
		let id = assigned_job();
		let bad = vec![1, 2, 3];
		commit(id, WORKER, &bad);
		run_until(id, JobStatus::Revealing);
		assert_noop!(
			Jobs::reveal_result(
				RuntimeOrigin::signed(WORKER),
				id,
				BoundedVec::truncate_from(bad),
				salt_of(WORKER)
			),
			Error::<Test>::MalformedOutput
		);
	});
}

#[test]
fn a_missed_commit_slashes_and_reassigns_then_refunds() {
	new_test_ext().execute_with(|| {
		let issuance = genesis_issuance();
		bond_second_worker(8);
		let id = submit(DAPP, EXACT, &[1, 2, 3, 4], 5_000);
		run_until(id, JobStatus::Assigned);
		let first = job(id).worker.unwrap();
		let stake = Staking::<Test>::stake(&first);
		let ends = job(id).phase_ends;
		run_to(ends);
		assert!(events()
			.iter()
			.any(|e| matches!(e, Event::DeadlineMissed { who, .. } if *who == first)));
		assert_eq!(Staking::<Test>::stake(&first), stake - 200 * PRICE);
		assert_eq!(Staking::<Test>::reputation(&first).missed_deadlines, 1);
		assert!(events().contains(&Event::JobRequeued { job: id, failed_worker: first }));
		run_until(id, JobStatus::Assigned);
		let second = job(id).worker.unwrap();
		assert_ne!(second, first, "never reassigned to the worker that failed");
		// The second worker fails too: the job is refunded.
		run_to(job(id).phase_ends);
		assert_eq!(job(id).status, JobStatus::Expired);
		assert_eq!(Balances::balance(&DAPP), ENDOWMENT);
		assert_settled(issuance);
	});
}

#[test]
fn a_missed_reveal_slashes_the_worker_and_refunds() {
	new_test_ext().execute_with(|| {
		let issuance = genesis_issuance();
		rarely_audit();
		let id = assigned_job();
		commit(id, WORKER, &honest_output(EXACT));
		run_until(id, JobStatus::Revealing);
		let stake = Staking::<Test>::stake(&WORKER);
		run_to(job(id).phase_ends);
		assert_eq!(Staking::<Test>::stake(&WORKER), stake - 200 * PRICE);
		// No other worker serves the model, so the requeued job expires in the queue.
		assert_eq!(job(id).status, JobStatus::Queued);
		run_until(id, JobStatus::Expired);
		assert_eq!(Balances::balance(&DAPP), ENDOWMENT);
		assert_settled(issuance);
	});
}

#[test]
fn an_unsettled_dispute_refunds_without_slashing() {
	new_test_ext().execute_with(|| {
		let issuance = genesis_issuance();
		let id = assigned_job();
		commit(id, WORKER, &honest_output(EXACT));
		run_until(id, JobStatus::Auditing);
		// No auditor commits or reveals: nothing to judge by, and every active auditor was
		// drawn already, so the escalation finds nobody and governance must decide.
		run_until(id, JobStatus::Revealing);
		reveal(id, WORKER, &honest_output(EXACT));
		assert_eq!(job(id).escalation, Some(3));
		run_until(id, JobStatus::Disputed);
		assert!(!events().iter().any(|e| matches!(e, Event::AuditEscalated { .. })));
		run_until(id, JobStatus::Expired);
		assert_eq!(Balances::balance(&DAPP), ENDOWMENT);
		assert_settled(issuance);
	});
}

#[test]
fn finished_jobs_are_pruned_after_retention() {
	new_test_ext().execute_with(|| {
		rarely_audit();
		let id = assigned_job();
		commit(id, WORKER, &honest_output(EXACT));
		run_until(id, JobStatus::Revealing);
		reveal(id, WORKER, &honest_output(EXACT));
		let done = System::block_number();
		run_to(done + params().retention - 1);
		assert!(JobsStorage::<Test>::contains_key(id));
		run_to(done + params().retention);
		assert!(!JobsStorage::<Test>::contains_key(id));
		assert!(crate::Outputs::<Test>::iter_prefix(id).next().is_none());
		assert!(events().contains(&Event::JobPruned { job: id }));
	});
}

#[test]
fn an_unserved_job_expires_from_the_queue() {
	new_test_ext().execute_with(|| {
		let issuance = genesis_issuance();
		assert_ok!(ComputeStaking::chill(RuntimeOrigin::signed(WORKER)));
		let id = submit(DAPP, EXACT, &[1, 2, 3, 4], 5_000);
		run_until(id, JobStatus::Expired);
		assert_eq!(Balances::balance(&DAPP), ENDOWMENT);
		assert_settled(issuance);
	});
}

/// Regression, found by the call-sequence fuzzer (`tests/fuzz.rs`): a requeued job taken
/// exactly `commit_window` blocks before its queue deadline got its commit deadline in the
/// same agenda block, and moving it there dropped it from the agenda, so it stayed
/// `Assigned` forever with the dApp's fee on hold.
#[test]
fn a_reassignment_due_in_the_block_of_its_queue_deadline_still_ends() {
	new_test_ext().execute_with(|| {
		let issuance = genesis_issuance();
		let id = submit(DAPP, EXACT, &[0, 0, 0, 0], PRICE);
		// WORKER misses its commit (due at 7); no other worker serves EXACT yet, so the job
		// waits in the queue until 7 + queue_timeout = 17.
		run_to(11);
		assert_eq!((job(id).status, job(id).phase_ends), (JobStatus::Queued, 17));
		bond_second_worker(8);
		// Assigned in block 12: commit by 12 + commit_window = 17, the same block.
		run_to(12);
		assert_eq!(
			(job(id).status, job(id).phase_ends, job(id).worker),
			(JobStatus::Assigned, 17, Some(WORKER_2))
		);
		// WORKER_2 misses it too: the second failure refunds the dApp.
		run_to(17);
		assert_eq!(job(id).status, JobStatus::Expired);
		assert_eq!(Staking::<Test>::reputation(&WORKER_2).missed_deadlines, 1);
		assert_settled(issuance);
	});
}

#[test]
fn each_assignment_draws_a_sampling_seed_that_nobody_chose() {
	new_test_ext().execute_with(|| {
		bond_second_worker(8);
		let a = submit(DAPP, EXACT, &[1, 2, 3, 4], 5_000);
		let b = submit(DAPP, EXACT, &[1, 2, 3, 4], 5_000);
		assert_eq!(job(a).seed, [0; 32], "no seed before the assignment");
		run_until(a, JobStatus::Assigned);
		run_until(b, JobStatus::Assigned);
		let first = job(a).seed;
		assert_ne!(first, [0; 32]);
		assert_eq!(Jobs::job_info(a).unwrap().seed, first, "the runtime API shows the seed");
		assert_ne!(job(b).seed, first, "the same input in another job samples differently");
		// A missed commit reassigns the job, with a seed of its own.
		run_to(job(a).phase_ends);
		run_until(a, JobStatus::Assigned);
		assert_eq!(job(a).attempts, 2);
		assert_ne!(job(a).seed, first, "a reassignment draws a new seed");
	});
}
