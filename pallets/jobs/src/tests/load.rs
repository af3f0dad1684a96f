//! Load: capacity-aware assignment, batched settlement calls, releases, and proportionate
//! penalties for missed deadlines. Every test ends with issuance and holds checked.

use super::*;
use crate::{Error, MissStreak, WorkerLoad, MAX_ATTEMPTS};
use frame_support::assert_noop;
use pallet_compute_staking::Pallet as Staking;
use verinfer_primitives::{missed_deadline_slash, ComputeStakingInterface};

fn set_capacity(who: u64, models: Vec<ModelId>, capacity: u32) {
	assert_ok!(ComputeStaking::update_worker(
		RuntimeOrigin::signed(who),
		models.try_into().unwrap(),
		PRICE,
		Default::default(),
		capacity
	));
}

fn assigned_to(who: u64) -> Vec<JobId> {
	(0..crate::NextJobId::<Test>::get())
		.filter(|id| {
			JobsStorage::<Test>::get(id)
				.is_some_and(|j| j.status == JobStatus::Assigned && j.worker == Some(who))
		})
		.collect()
}

/// The jobs of `ids` waiting for this worker's reveal.
fn to_reveal(ids: &[JobId]) -> Vec<JobId> {
	ids.iter()
		.copied()
		.filter(|id| {
			JobsStorage::<Test>::get(id)
				.is_some_and(|j| j.status == JobStatus::Revealing && !j.revealed)
		})
		.collect()
}

/// The auditors do their part of every job of `ids` that needs it, in batches.
fn audit(ids: &[JobId]) {
	for a in AUDITORS {
		let of = |status: JobStatus, committed: bool| -> Vec<JobId> {
			ids.iter()
				.copied()
				.filter(|id| {
					JobsStorage::<Test>::get(id).is_some_and(|j| {
						j.status == status
							&& j.auditors.iter().any(|s| {
								s.who == a && s.commitment.is_some() == committed && !s.revealed
							})
					})
				})
				.collect()
		};
		let commit = of(JobStatus::Auditing, false);
		if !commit.is_empty() {
			assert_ok!(Jobs::commit_audits(RuntimeOrigin::signed(a), commits(&commit, a)));
		}
		let reveal = of(JobStatus::Revealing, true);
		if !reveal.is_empty() {
			assert_ok!(Jobs::reveal_audits(RuntimeOrigin::signed(a), reveals(&reveal, a)));
		}
	}
}

/// How job `id` ended, from the events (it may have been pruned since).
fn ending(id: JobId) -> Option<JobStatus> {
	events().into_iter().find_map(|e| match e {
		Event::JobFinalized { job, .. } if job == id => Some(JobStatus::Finalized),
		Event::JobExpired { job, .. } if job == id => Some(JobStatus::Expired),
		_ => None,
	})
}

fn batch<T, const N: u32>(items: Vec<T>) -> BoundedVec<T, frame_support::traits::ConstU32<N>> {
	BoundedVec::truncate_from(items)
}

fn commits(
	ids: &[JobId],
	who: u64,
) -> BoundedVec<(JobId, [u8; 32]), frame_support::traits::ConstU32<16>> {
	batch(
		ids.iter()
			.map(|id| (*id, commitment_of(*id, who, &honest_output(job(*id).model))))
			.collect(),
	)
}

type Reveals = BoundedVec<
	(JobId, BoundedVec<u8, frame_support::traits::ConstU32<1024>>, [u8; 32]),
	frame_support::traits::ConstU32<16>,
>;

fn reveals(ids: &[JobId], who: u64) -> Reveals {
	batch(
		ids.iter()
			.map(|id| (*id, BoundedVec::truncate_from(honest_output(job(*id).model)), salt_of(who)))
			.collect(),
	)
}

#[test]
fn a_worker_is_never_assigned_more_than_its_capacity() {
	new_test_ext().execute_with(|| {
		let issuance = genesis_issuance();
		rarely_audit();
		set_capacity(WORKER, vec![EXACT, FLOAT], 3);
		let ids: Vec<JobId> = (0..10).map(|i| submit(DAPP, EXACT, &[i, 0, 0, 0], 5_000)).collect();
		run_to(System::block_number() + 2);
		// Three taken, seven waiting in the queue, nobody's deadline running.
		assert_eq!(assigned_to(WORKER).len(), 3);
		assert_eq!(WorkerLoad::<Test>::get(WORKER), 3);
		assert_eq!(crate::Queue::<Test>::get().len(), 7);
		// Committing frees the slots; the next jobs are assigned at once.
		let held = assigned_to(WORKER);
		assert_ok!(Jobs::commit_results(RuntimeOrigin::signed(WORKER), commits(&held, WORKER)));
		assert_eq!(WorkerLoad::<Test>::get(WORKER), 0);
		run_to(System::block_number() + 1);
		assert_eq!(assigned_to(WORKER).len(), 3);
		// Keeping up with what it is given, the worker finishes every job unslashed.
		let stake = Staking::<Test>::stake(&WORKER);
		for _ in 0..40 {
			let held = assigned_to(WORKER);
			if !held.is_empty() {
				assert_ok!(Jobs::commit_results(
					RuntimeOrigin::signed(WORKER),
					commits(&held, WORKER)
				));
			}
			audit(&ids);
			let revealing = to_reveal(&ids);
			if !revealing.is_empty() {
				assert_ok!(Jobs::reveal_results(
					RuntimeOrigin::signed(WORKER),
					reveals(&revealing, WORKER)
				));
			}
			assert!(WorkerLoad::<Test>::get(WORKER) <= 3);
			run_to(System::block_number() + 1);
		}
		for id in &ids {
			assert_eq!(ending(*id), Some(JobStatus::Finalized), "job {id}");
		}
		assert_eq!(Staking::<Test>::stake(&WORKER), stake);
		assert!(!events().iter().any(|e| matches!(e, Event::DeadlineMissed { .. })));
		assert_settled(issuance);
	});
}

#[test]
fn a_burst_beyond_capacity_waits_or_is_refunded_and_never_slashes() {
	new_test_ext().execute_with(|| {
		let issuance = genesis_issuance();
		rarely_audit();
		set_capacity(WORKER, vec![EXACT, FLOAT], 2);
		// A burst of 40 jobs against a queue timeout of 10 blocks: the worker commits what
		// it holds once per block; the rest time out in the queue, refunded.
		let ids: Vec<JobId> = (0..40).map(|i| submit(DAPP, EXACT, &[i, 1, 0, 0], 5_000)).collect();
		let stake = Staking::<Test>::stake(&WORKER);
		for _ in 0..40 {
			run_to(System::block_number() + 1);
			let held = assigned_to(WORKER);
			if !held.is_empty() {
				assert_ok!(Jobs::commit_results(
					RuntimeOrigin::signed(WORKER),
					commits(&held, WORKER)
				));
			}
			audit(&ids);
			let revealing = to_reveal(&ids);
			if !revealing.is_empty() {
				assert_ok!(Jobs::reveal_results(
					RuntimeOrigin::signed(WORKER),
					reveals(&revealing, WORKER)
				));
			}
		}
		let (mut finalized, mut expired) = (0, 0);
		for id in &ids {
			match ending(*id) {
				Some(JobStatus::Finalized) => finalized += 1,
				Some(JobStatus::Expired) => expired += 1,
				other => panic!("job {id} has not ended: {other:?}"),
			}
		}
		assert!(finalized >= 10, "{finalized} finalized");
		assert_eq!(finalized + expired, 40);
		// Every refund names its reason: it waited in the queue.
		for e in events() {
			if let Event::JobExpired { status, .. } = e {
				assert_eq!(status, JobStatus::Queued);
			}
		}
		assert_eq!(Staking::<Test>::stake(&WORKER), stake, "the honest worker was not slashed");
		assert_eq!(Staking::<Test>::reputation(&WORKER).missed_deadlines, 0);
		assert_settled(issuance);
	});
}

#[test]
fn batched_calls_are_all_or_nothing() {
	new_test_ext().execute_with(|| {
		let issuance = genesis_issuance();
		rarely_audit();
		let a = submit(DAPP, EXACT, &[1, 2, 3, 4], 5_000);
		let b = submit(DAPP, EXACT, &[5, 6, 7, 8], 5_000);
		run_until(b, JobStatus::Assigned);
		assert_noop!(
			Jobs::commit_results(RuntimeOrigin::signed(WORKER), commits(&[], WORKER)),
			Error::<Test>::EmptyBatch
		);
		// One bad item (an unknown job) fails the whole call; nothing was committed.
		let mut bad = commits(&[a, b], WORKER).into_inner();
		bad.push((999, [0; 32]));
		assert_noop!(
			Jobs::commit_results(RuntimeOrigin::signed(WORKER), batch(bad)),
			Error::<Test>::UnknownJob
		);
		assert_noop!(
			Jobs::commit_results(RuntimeOrigin::signed(DAPP), commits(&[a], WORKER)),
			Error::<Test>::NotAssignedWorker
		);
		// A job twice in one batch: the second commit is refused, so the batch is.
		assert_noop!(
			Jobs::commit_results(RuntimeOrigin::signed(WORKER), commits(&[a, a], WORKER)),
			Error::<Test>::NotAwaitingCommit
		);
		assert_ok!(Jobs::commit_results(RuntimeOrigin::signed(WORKER), commits(&[a, b], WORKER)));
		assert_eq!((job(a).status, job(b).status), (JobStatus::Committed, JobStatus::Committed));
		run_until(b, JobStatus::Revealing);
		let mut wrong = reveals(&[a, b], WORKER).into_inner();
		wrong[1].1 = BoundedVec::truncate_from(wrong_output(EXACT));
		assert_noop!(
			Jobs::reveal_results(RuntimeOrigin::signed(WORKER), batch(wrong)),
			Error::<Test>::CommitmentMismatch
		);
		assert_ok!(Jobs::reveal_results(RuntimeOrigin::signed(WORKER), reveals(&[a, b], WORKER)));
		assert_eq!(last_verdict(a), Some(Verdict::AcceptedUnaudited));
		assert_eq!(last_verdict(b), Some(Verdict::AcceptedUnaudited));
		assert_settled(issuance);
	});
}

#[test]
fn auditors_commit_and_reveal_in_batches() {
	new_test_ext().execute_with(|| {
		let issuance = genesis_issuance();
		let ids = [submit(DAPP, EXACT, &[1, 2, 3, 4], 5_000), submit(DAPP, FLOAT, b"hello", 5_000)];
		run_until(ids[1], JobStatus::Assigned);
		assert_ok!(Jobs::commit_results(RuntimeOrigin::signed(WORKER), commits(&ids, WORKER)));
		run_until(ids[1], JobStatus::Auditing);
		for a in AUDITORS {
			assert_ok!(Jobs::commit_audits(RuntimeOrigin::signed(a), commits(&ids, a)));
		}
		assert_eq!(
			(job(ids[0]).status, job(ids[1]).status),
			(JobStatus::Revealing, JobStatus::Revealing)
		);
		assert_ok!(Jobs::reveal_results(RuntimeOrigin::signed(WORKER), reveals(&ids, WORKER)));
		for a in AUDITORS {
			assert_ok!(Jobs::reveal_audits(RuntimeOrigin::signed(a), reveals(&ids, a)));
		}
		assert_eq!(last_verdict(ids[0]), Some(Verdict::AcceptedByAudit));
		assert_eq!(last_verdict(ids[1]), Some(Verdict::AcceptedByAudit));
		assert_noop!(
			Jobs::reveal_audits(RuntimeOrigin::signed(AUDITORS[0]), reveals(&[], AUDITORS[0])),
			Error::<Test>::EmptyBatch
		);
		assert_settled(issuance);
	});
}

#[test]
fn a_released_job_goes_to_another_worker_unslashed() {
	new_test_ext().execute_with(|| {
		let issuance = genesis_issuance();
		rarely_audit();
		let id = submit(DAPP, EXACT, &[1, 2, 3, 4], 5_000);
		run_until(id, JobStatus::Assigned);
		assert_eq!(job(id).worker, Some(WORKER));
		bond_second_worker(4);
		let stake = Staking::<Test>::stake(&WORKER);
		assert_noop!(
			Jobs::release_jobs(RuntimeOrigin::signed(WORKER_2), batch(vec![id])),
			Error::<Test>::NotAssignedWorker
		);
		assert_noop!(
			Jobs::release_jobs(RuntimeOrigin::signed(WORKER), batch(vec![])),
			Error::<Test>::EmptyBatch
		);
		assert_ok!(Jobs::release_jobs(RuntimeOrigin::signed(WORKER), batch(vec![id])));
		assert!(events().contains(&Event::JobReleased { job: id, worker: WORKER }));
		assert!(events().contains(&Event::JobRequeued { job: id, failed_worker: WORKER }));
		assert_eq!(job(id).status, JobStatus::Queued);
		assert_eq!(WorkerLoad::<Test>::get(WORKER), 0);
		// Another worker takes it and delivers; the first one lost nothing.
		run_until(id, JobStatus::Assigned);
		assert_eq!(job(id).worker, Some(WORKER_2));
		commit(id, WORKER_2, &honest_output(EXACT));
		run_until(id, JobStatus::Revealing);
		reveal(id, WORKER_2, &honest_output(EXACT));
		assert_eq!(last_verdict(id), Some(Verdict::AcceptedUnaudited));
		assert_eq!(Staking::<Test>::stake(&WORKER), stake);
		assert_eq!(Staking::<Test>::reputation(&WORKER).missed_deadlines, 0);
		// Only an assigned, uncommitted job can be released.
		assert_noop!(
			Jobs::release_jobs(RuntimeOrigin::signed(WORKER_2), batch(vec![id])),
			Error::<Test>::NotReleasable
		);
		assert_settled(issuance);
	});
}

#[test]
fn a_job_released_by_every_worker_ends_refunded() {
	new_test_ext().execute_with(|| {
		let issuance = genesis_issuance();
		bond_second_worker(4);
		let id = submit(DAPP, EXACT, &[1, 2, 3, 4], 5_000);
		for _ in 0..MAX_ATTEMPTS {
			run_until(id, JobStatus::Assigned);
			let who = job(id).worker.unwrap();
			assert_ok!(Jobs::release_jobs(RuntimeOrigin::signed(who), batch(vec![id])));
		}
		assert_eq!(job(id).status, JobStatus::Expired);
		assert!(events().contains(&Event::JobExpired { job: id, status: JobStatus::Assigned }));
		assert_eq!(Balances::balance(&DAPP), ENDOWMENT, "refunded in full");
		assert!(!events().iter().any(|e| matches!(e, Event::DeadlineMissed { .. })));
		assert_settled(issuance);
	});
}

#[test]
fn a_release_after_the_commit_deadline_is_refused() {
	new_test_ext().execute_with(|| {
		let id = submit(DAPP, EXACT, &[1, 2, 3, 4], 5_000);
		run_until(id, JobStatus::Assigned);
		let ends = job(id).phase_ends;
		// The deadline's own block handles the miss first, in on_initialize.
		run_to(ends);
		assert_noop!(
			Jobs::release_jobs(RuntimeOrigin::signed(WORKER), batch(vec![id])),
			Error::<Test>::NotAssignedWorker
		);
	});
}

#[test]
fn a_missed_deadline_costs_a_multiple_of_the_fee_and_repeated_misses_chill() {
	new_test_ext().execute_with(|| {
		let issuance = genesis_issuance();
		let mut p = params();
		p.miss_fee_multiple = 2;
		p.min_worker_score = 0;
		assert_ok!(Jobs::set_params(RuntimeOrigin::root(), p.clone()));
		let miss = missed_deadline_slash(PRICE, p.miss_fee_multiple, p.miss_slash_floor);
		assert_eq!(miss, 2 * PRICE);
		let stake = Staking::<Test>::stake(&WORKER);
		// Three jobs in a row, never committed.
		for n in 1..=p.chill_after_misses {
			let id = submit(DAPP, EXACT, &[n as u8, 2, 3, 4], 5_000);
			run_until(id, JobStatus::Assigned);
			let ends = job(id).phase_ends;
			run_to(ends);
			assert_eq!(Staking::<Test>::stake(&WORKER), stake - u64::from(n) * miss, "miss {n}");
			assert!(events().contains(&Event::DeadlineMissed {
				job: id,
				who: WORKER,
				status: JobStatus::Assigned,
				slashed: miss
			}));
		}
		// The third miss in a row takes the worker off duty, long before its stake is gone.
		assert!(events()
			.iter()
			.any(|e| matches!(e, Event::ChilledForMisses { who: WORKER, misses: 3, .. })));
		assert!(!Staking::<Test>::is_active_worker(&WORKER, EXACT));
		assert!(Staking::<Test>::stake(&WORKER) > stake * 9 / 10);
		assert_eq!(MissStreak::<Test>::get(WORKER), None);
		run_to(System::block_number() + 40);
		assert_settled(issuance);
	});
}

#[test]
fn a_delivery_ends_a_run_of_misses() {
	new_test_ext().execute_with(|| {
		rarely_audit();
		let first = submit(DAPP, EXACT, &[1, 2, 3, 4], 5_000);
		run_until(first, JobStatus::Assigned);
		run_to(job(first).phase_ends);
		assert_eq!(MissStreak::<Test>::get(WORKER).map(|s| s.0), Some(1));
		let next = submit(DAPP, EXACT, &[9, 2, 3, 4], 5_000);
		run_until(next, JobStatus::Assigned);
		commit(next, WORKER, &honest_output(EXACT));
		assert_eq!(MissStreak::<Test>::get(WORKER), None);
		assert!(Staking::<Test>::is_active_worker(&WORKER, EXACT));
	});
}

#[test]
fn a_chill_threshold_of_zero_is_refused() {
	new_test_ext().execute_with(|| {
		let mut p = params();
		p.chill_after_misses = 0;
		assert_noop!(Jobs::set_params(RuntimeOrigin::root(), p), Error::<Test>::ZeroChillThreshold);
	});
}

#[test]
fn misses_in_one_block_count_once_and_a_reveal_ends_the_run() {
	new_test_ext().execute_with(|| {
		let mut p = params();
		p.audit_probability = sp_runtime::Perbill::from_parts(1);
		p.min_worker_score = 0;
		p.miss_fee_multiple = 2;
		assert_ok!(Jobs::set_params(RuntimeOrigin::root(), p));
		// Three jobs held at once, all missed in the same block: one outage, not three.
		let ids: Vec<JobId> = (0..3).map(|i| submit(DAPP, EXACT, &[i, 7, 3, 4], 5_000)).collect();
		run_until(ids[2], JobStatus::Assigned);
		assert!(ids.iter().all(|id| job(*id).worker == Some(WORKER)));
		run_to(job(ids[0]).phase_ends);
		assert_eq!(MissStreak::<Test>::get(WORKER).map(|s| s.0), Some(1));
		assert!(Staking::<Test>::is_active_worker(&WORKER, EXACT), "one bad block does not chill");
		// A worker that commits and then reveals is delivering: the run ends at the reveal too.
		MissStreak::<Test>::insert(WORKER, (2, 1));
		let id = submit(DAPP, EXACT, &[9, 9, 9, 9], 5_000);
		run_until(id, JobStatus::Assigned);
		commit(id, WORKER, &honest_output(EXACT));
		MissStreak::<Test>::insert(WORKER, (2, 1));
		run_until(id, JobStatus::Revealing);
		reveal(id, WORKER, &honest_output(EXACT));
		assert_eq!(MissStreak::<Test>::get(WORKER), None);
	});
}
