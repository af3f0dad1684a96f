//! Simulations: does cheating pay, and do audits catch cheaters as often as `p` says?

use super::*;
use sp_runtime::Perbill;
use verinfer_primitives::{
	audit_probability, expected_cheating_gain, missed_deadline_slash, ComputeStakingInterface,
	Reputation,
};

/// A deterministic stream of uniform draws in [0, 1e9).
fn draws(seed: u64) -> impl Iterator<Item = u32> {
	(0u64..).map(move |i| {
		let h = sp_io::hashing::blake2_128(&codec::Encode::encode(&(seed, i)));
		(u128::from_le_bytes(h) % 1_000_000_000) as u32
	})
}

/// 10,000 jobs at the default parameters, a worker that skips the work on 30 % of them, and
/// audits drawn at the probability the pallet's formula gives a veteran worker: cheating
/// must lose money, in expectation and over the run.
#[test]
fn cheating_has_negative_expected_value() {
	let p = params();
	let fee = PRICE as u128;
	let stake = WORKER_STAKE as u128;
	let veteran = Reputation { jobs_completed: 1_000, ..Default::default() };
	// A caught cheater pays the cheaper of the audit slash and a missed reveal.
	let miss = missed_deadline_slash(fee, p.miss_fee_multiple, u128::from(p.miss_slash_floor));
	let prob = audit_probability(
		p.audit_probability.min(Perbill::from_percent(10)),
		fee,
		stake,
		p.worker_slash,
		miss,
		&veteran,
	);
	let slash = p.worker_slash.mul_floor(stake).min(miss);

	// The formula's own verdict first, then a run of it: a cheat does no work, and either
	// keeps the fee or pays the slash (an honest job would have earned `fee - cost`).
	assert!(expected_cheating_gain(prob, fee, slash) < 0);
	let (mut cheated, mut cheat_profit) = (0u32, 0i128);
	let mut rng = draws(7);
	for _ in 0..10_000 {
		let cheat = rng.next().unwrap() < 300_000_000;
		let audited = rng.next().unwrap() < prob.deconstruct();
		if cheat {
			cheated += 1;
			cheat_profit += if audited { -(slash as i128) } else { fee as i128 };
		}
	}
	assert!(cheat_profit < 0, "cheating earned {cheat_profit} over {cheated} jobs");
}

/// The same on the real pallet: 300 jobs through submit, commit, audit and reveal, with the
/// worker wrong on every third one. Every wrong result that is audited is rejected, every
/// audited honest one accepted, and the share audited matches the audit probability.
#[test]
fn on_chain_audits_catch_the_cheater() {
	new_test_ext().execute_with(|| {
		let issuance = genesis_issuance();
		let mut p = params();
		p.audit_probability = Perbill::from_percent(30);
		// Small slashes and no reputation cut-off, so the cheater stays in the market for
		// the whole run (a real cheater is priced out much sooner).
		p.worker_slash = Perbill::from_percent(1);
		p.min_worker_score = 0;
		assert_ok!(Jobs::set_params(RuntimeOrigin::root(), p));
		// Enough stake that slashes never push the worker out of the market mid-run.
		assert_ok!(ComputeStaking::bond_extra(RuntimeOrigin::signed(WORKER), 400_000));
		let (mut audited, mut rejected, mut wrong_audited) = (0u32, 0u32, 0u32);
		// The audit probability the pallet states for each job (from the worker's stake
		// and record when it committed), summed: the expected number audited.
		let (mut expected, mut variance) = (0f64, 0f64);
		for n in 0..300u32 {
			let cheat = n % 3 == 0;
			let id = submit(DAPP, EXACT, &[1, 2, 3, 4], 5_000);
			run_until(id, JobStatus::Assigned);
			let out = if cheat { wrong_output(EXACT) } else { honest_output(EXACT) };
			commit(id, WORKER, &out);
			let entry = job(id);
			let stated = audit_probability(
				entry.terms.audit_probability,
				entry.fee,
				<ComputeStaking as ComputeStakingInterface<u64, u64>>::stake(&WORKER),
				entry.terms.worker_slash,
				Jobs::miss_slash(&entry),
				&<ComputeStaking as ComputeStakingInterface<u64, u64>>::reputation(&WORKER),
			)
			.deconstruct() as f64
				/ 1e9;
			expected += stated;
			variance += stated * (1.0 - stated);
			run_to(job(id).phase_ends);
			if job(id).audited == Some(true) {
				audited += 1;
				wrong_audited += cheat as u32;
				let auditors: Vec<u64> = job(id).auditors.iter().map(|a| a.who).collect();
				for a in &auditors {
					commit_audit(id, *a, &honest_output(EXACT));
				}
				reveal(id, WORKER, &out);
				for a in &auditors {
					reveal_audit(id, *a, &honest_output(EXACT));
				}
			} else {
				reveal(id, WORKER, &out);
			}
			let verdict = last_verdict(id).expect("final");
			if verdict == Verdict::RejectedByAudit {
				rejected += 1;
			}
			assert_eq!(verdict.accepted(), !(cheat && job(id).audited == Some(true)));
		}
		assert_eq!(rejected, wrong_audited, "every audited wrong result was rejected");
		// The pallet audits as often as it says: within four standard deviations of the
		// sum of the probabilities it stated (at least 30 % each; newcomer and failed-audit
		// boosts raise them).
		assert!(
			(f64::from(audited) - expected).abs() <= 4.0 * variance.sqrt() + 1.0,
			"audited {audited} of 300, expected {expected:.1}"
		);
		assert_settled(issuance);
	});
}
