//! Submitting, cancelling and governing parameters.

use super::*;
use crate::Error;
use frame_support::{assert_noop, traits::fungible::InspectHold};
use sp_runtime::{DispatchError, Perbill};

#[test]
fn submit_holds_the_fee_and_queues_the_job() {
	new_test_ext().execute_with(|| {
		let issuance = genesis_issuance();
		let id = submit(DAPP, EXACT, &[1, 2, 3, 4], 5_000);
		assert_eq!(Balances::balance_on_hold(&HoldReason::JobFee.into(), &DAPP), 5_000);
		assert_eq!(job(id).status, JobStatus::Queued);
		assert_eq!(crate::Queue::<Test>::get().to_vec(), vec![id]);
		assert!(events().contains(&Event::JobSubmitted {
			job: id,
			owner: DAPP,
			model: EXACT,
			max_fee: 5_000
		}));
		assert_eq!(Balances::total_issuance(), issuance);
	});
}

#[test]
fn bad_submissions_fail_with_specific_errors_and_hold_nothing() {
	new_test_ext().execute_with(|| {
		let input = |v: &[u8]| BoundedVec::truncate_from(v.to_vec());
		let go = |model, i: &[u8], fee, deadline| {
			Jobs::submit_job(RuntimeOrigin::signed(DAPP), model, input(i), fee, deadline)
		};
		assert_noop!(go(77, &[1, 2, 3, 4], 5_000, None), Error::<Test>::UnknownModel);
		assert_noop!(go(EXACT, &[1, 2, 3], 5_000, None), Error::<Test>::MalformedInput);
		assert_noop!(go(EXACT, &[1, 2, 3, 4, 5], 5_000, None), Error::<Test>::InputTooLarge);
		assert_noop!(go(FLOAT, &[0xff, 0xfe], 5_000, None), Error::<Test>::MalformedInput);
		assert_noop!(go(FLOAT, &[b'a'; 65], 5_000, None), Error::<Test>::InputTooLarge);
		assert_noop!(go(EXACT, &[1, 2, 3, 4], 9, None), Error::<Test>::FeeBelowMinimum);
		assert_noop!(go(EXACT, &[1, 2, 3, 4], 99, None), Error::<Test>::FeeBelowModelPrice);
		assert_noop!(go(EXACT, &[1, 2, 3, 4], 5_000, Some(3)), Error::<Test>::DeadlineTooSoon);
		assert_noop!(
			Jobs::submit_job(
				RuntimeOrigin::signed(DAPP),
				EXACT,
				input(&[1, 2, 3, 4]),
				2 * ENDOWMENT,
				None
			),
			sp_runtime::TokenError::FundsUnavailable
		);
		assert_noop!(
			Jobs::submit_job(RuntimeOrigin::none(), EXACT, input(&[1, 2, 3, 4]), 5_000, None),
			DispatchError::BadOrigin
		);
		// A deprecated model takes no new jobs.
		assert_ok!(Models::deprecate_model(RuntimeOrigin::root(), EXACT));
		assert_noop!(go(EXACT, &[1, 2, 3, 4], 5_000, None), Error::<Test>::ModelNotApproved);
		assert_eq!(Balances::balance_on_hold(&HoldReason::JobFee.into(), &DAPP), 0);
	});
}

#[test]
fn the_queue_is_bounded() {
	new_test_ext().execute_with(|| {
		for _ in 0..64 {
			submit(DAPP, EXACT, &[1, 2, 3, 4], 5_000);
		}
		assert_noop!(
			Jobs::submit_job(
				RuntimeOrigin::signed(DAPP),
				EXACT,
				BoundedVec::truncate_from(vec![1, 2, 3, 4]),
				5_000,
				None
			),
			Error::<Test>::QueueFull
		);
	});
}

#[test]
fn cancel_refunds_a_queued_job_only() {
	new_test_ext().execute_with(|| {
		let issuance = genesis_issuance();
		let id = submit(DAPP, EXACT, &[1, 2, 3, 4], 5_000);
		assert_noop!(Jobs::cancel_job(RuntimeOrigin::signed(2), id), Error::<Test>::NotJobOwner);
		assert_noop!(Jobs::cancel_job(RuntimeOrigin::signed(DAPP), 99), Error::<Test>::UnknownJob);
		assert_ok!(Jobs::cancel_job(RuntimeOrigin::signed(DAPP), id));
		assert_eq!(job(id).status, JobStatus::Cancelled);
		assert!(crate::Queue::<Test>::get().is_empty());
		assert_settled(issuance);
		assert_eq!(Balances::balance(&DAPP), ENDOWMENT);

		let taken = submit(DAPP, EXACT, &[1, 2, 3, 4], 5_000);
		run_to(2);
		assert_eq!(job(taken).status, JobStatus::Assigned);
		assert_noop!(
			Jobs::cancel_job(RuntimeOrigin::signed(DAPP), taken),
			Error::<Test>::NotCancellable
		);
	});
}

#[test]
fn params_are_range_checked_and_only_governance_sets_them() {
	new_test_ext().execute_with(|| {
		let set = |p| Jobs::set_params(RuntimeOrigin::root(), p);
		assert_noop!(
			Jobs::set_params(RuntimeOrigin::signed(DAPP), params()),
			DispatchError::BadOrigin
		);
		assert_noop!(
			set(crate::JobParams { audit_probability: Perbill::zero(), ..params() }),
			Error::<Test>::AuditProbabilityZero
		);
		assert_noop!(
			set(crate::JobParams { auditors_per_job: 0, ..params() }),
			Error::<Test>::AuditorsPerJobOutOfRange
		);
		assert_noop!(
			set(crate::JobParams { auditors_per_job: 6, ..params() }),
			Error::<Test>::AuditorsPerJobOutOfRange
		);
		assert_noop!(
			set(crate::JobParams { reveal_window: 0, ..params() }),
			Error::<Test>::ZeroWindow
		);
		assert_noop!(
			set(crate::JobParams {
				treasury_share: Perbill::from_percent(60),
				auditor_share: Perbill::from_percent(50),
				..params()
			}),
			Error::<Test>::SharesAbove100Percent
		);
		assert_noop!(
			set(crate::JobParams { min_worker_score: 1001, ..params() }),
			Error::<Test>::ScoreOutOfRange
		);
		let new = crate::JobParams { min_fee: 50, ..params() };
		assert_ok!(set(new.clone()));
		assert_eq!(crate::Params::<Test>::get(), Some(new));
	});
}

/// Slash fractions are `Perbill`s, so a slash above 100% has no value to check: its
/// encoding does not decode, and a `set_params` call (or a referendum's preimage of one)
/// carrying it is rejected before dispatch.
#[test]
fn a_slash_above_100_percent_does_not_decode() {
	use codec::{Decode, Encode};
	let p = params();
	let mut bytes = p.encode();
	let at = p.min_fee.encode().len()
		+ p.audit_probability.encode().len()
		+ p.auditors_per_job.encode().len();
	assert_eq!(&bytes[at..at + 4], p.worker_slash.encode().as_slice());
	assert_eq!(crate::ParamsOf::<Test>::decode(&mut bytes.as_slice()).ok(), Some(p));
	bytes[at..at + 4].copy_from_slice(&1_000_000_001u32.encode());
	assert!(crate::ParamsOf::<Test>::decode(&mut bytes.as_slice()).is_err());
}

#[test]
fn a_parameter_change_never_applies_to_jobs_in_flight() {
	new_test_ext().execute_with(|| {
		let before = submit(DAPP, EXACT, &[1, 2, 3, 4], 5_000);
		assert_ok!(Jobs::set_params(
			RuntimeOrigin::root(),
			crate::JobParams { commit_window: 50, ..params() }
		));
		let after = submit(DAPP, EXACT, &[1, 2, 3, 4], 5_000);
		assert_eq!(job(before).terms.commit_window, 5);
		assert_eq!(job(after).terms.commit_window, 50);
		run_to(2);
		assert_eq!(job(before).phase_ends, 7);
		assert_eq!(job(after).phase_ends, 52);
	});
}

#[test]
fn parameters_whose_timeline_outlives_the_stake_are_refused() {
	use frame_support::assert_ok;
	new_test_ext().execute_with(|| {
		let locked: u64 = <Test as crate::Config>::StakeLockedFor::get();
		let p = params();
		let span = Jobs::slashable_span(&p);
		// Commit, two rounds of draw delay + audit + reveal, and the dispute window.
		let round = u64::from(crate::DRAW_DELAY) + p.audit_window + p.reveal_window;
		assert_eq!(span, p.commit_window + 2 * round + p.dispute_window);
		assert!(span <= locked, "the mock's own parameters fit");
		// A dispute window that ends exactly when the stake may leave is accepted...
		let fits = crate::JobParams { dispute_window: p.dispute_window + (locked - span), ..p };
		assert_ok!(Jobs::set_params(RuntimeOrigin::root(), fits.clone()));
		// ...and one block more is refused, leaving the parameters as they were.
		let longer = crate::JobParams { dispute_window: fits.dispute_window + 1, ..fits.clone() };
		assert_noop!(
			Jobs::set_params(RuntimeOrigin::root(), longer),
			Error::<Test>::TimelineOutlivesStake
		);
		assert_eq!(crate::Params::<Test>::get(), Some(fits));
	});
}
