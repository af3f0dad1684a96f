//! The storage invariants that `try_state` checks (and `run_to` checks after every block)
//! catch the corruptions they name.

use super::*;
use crate::{Agenda, Queue, WorkerLoad};
use frame_support::traits::{fungible::MutateHold, tokens::Precision};

#[test]
fn invariants_hold_through_an_audited_job() {
	new_test_ext().execute_with(|| {
		let out = honest_output(EXACT);
		let (id, auditors) = audited_job(&out);
		assert_ok!(Jobs::do_try_state());
		for a in &auditors {
			commit_audit(id, *a, &out);
		}
		reveal(id, WORKER, &out);
		for a in &auditors {
			reveal_audit(id, *a, &out);
		}
		assert_eq!(job(id).status, JobStatus::Finalized);
		assert_ok!(Jobs::do_try_state());
	});
}

#[test]
fn a_job_missing_from_the_agenda_is_caught() {
	new_test_ext().execute_with(|| {
		let id = assigned_job();
		assert_ok!(Jobs::do_try_state());
		Agenda::<Test>::remove(job(id).phase_ends);
		assert!(Jobs::do_try_state().is_err());
	});
}

#[test]
fn a_job_due_twice_is_caught() {
	new_test_ext().execute_with(|| {
		let id = assigned_job();
		Agenda::<Test>::mutate(job(id).phase_ends + 1, |due| due.try_push(id).unwrap());
		assert!(Jobs::do_try_state().is_err());
	});
}

#[test]
fn a_hold_that_differs_from_the_open_fees_is_caught() {
	new_test_ext().execute_with(|| {
		let id = submit(DAPP, EXACT, &[1, 2, 3, 4], 5_000);
		assert_ok!(Jobs::do_try_state());
		assert_ok!(Balances::release(
			&HoldReason::JobFee.into(),
			&job(id).owner,
			1,
			Precision::Exact
		));
		assert!(Jobs::do_try_state().is_err());
	});
}

#[test]
fn a_queued_job_missing_from_the_queue_is_caught() {
	new_test_ext().execute_with(|| {
		let id = submit(DAPP, EXACT, &[1, 2, 3, 4], 5_000);
		assert_eq!(job(id).status, JobStatus::Queued);
		Queue::<Test>::kill();
		assert!(Jobs::do_try_state().is_err());
	});
}

#[test]
fn a_worker_load_that_differs_from_its_assigned_jobs_is_caught() {
	new_test_ext().execute_with(|| {
		assigned_job();
		assert_ok!(Jobs::do_try_state());
		WorkerLoad::<Test>::mutate(WORKER, |n| *n += 1);
		assert!(Jobs::do_try_state().is_err());
	});
}
