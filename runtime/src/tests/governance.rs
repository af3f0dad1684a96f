//! Governance end to end inside the runtime: preimage, referendum, decision deposit,
//! conviction votes, enactment by the scheduler, locks, and the origins of every setter.

use super::{dev_ext, local_ext, next_block, run_to_block};
use crate::{
	genesis_config_presets::job_params,
	governance::{
		origins::{Origin, TREASURER_SPEND_LIMIT},
		tracks::{TracksInfo, PARAMETERS, TREASURY},
	},
	AccountId, Balance, Balances, BlockNumber, ConvictionVoting, OriginCaller, Preimage, Referenda,
	Runtime, RuntimeCall, RuntimeEvent, RuntimeOrigin, System, Treasury, DAYS, INF,
};
use codec::{Decode, Encode};
use frame_support::{
	assert_noop, assert_ok,
	traits::{
		fungible::Inspect,
		schedule::DispatchTime,
		tokens::{Fortitude, Preservation},
		Bounded, Get, OriginTrait,
	},
};
use pallet_conviction_voting::{AccountVote, Conviction, Vote};
use pallet_referenda::{ReferendumIndex, ReferendumInfo, ReferendumInfoFor};
use sp_keyring::Sr25519Keyring;
use sp_runtime::{
	traits::{BlakeTwo256, Dispatchable, Hash},
	DispatchError, Perbill,
};

fn alice() -> AccountId {
	Sr25519Keyring::Alice.to_account_id()
}
fn bob() -> AccountId {
	Sr25519Keyring::Bob.to_account_id()
}
fn charlie() -> AccountId {
	Sr25519Keyring::Charlie.to_account_id()
}

fn signed(who: &AccountId) -> RuntimeOrigin {
	RuntimeOrigin::signed(who.clone())
}

/// The call a `parameters` referendum makes: the development job parameters with a new
/// audit probability.
fn set_audit_probability(p: Perbill) -> RuntimeCall {
	let params = pallet_jobs::JobParams { audit_probability: p, ..job_params(true) };
	RuntimeCall::Jobs(pallet_jobs::Call::set_params { params })
}

fn audit_probability() -> Perbill {
	pallet_jobs::Params::<Runtime>::get()
		.expect("genesis sets the parameters")
		.audit_probability
}

/// `who` notes `call` as a preimage, submits it as a referendum with `origin` and places
/// the decision deposit, as a wallet would.
fn propose(who: &AccountId, origin: Origin, call: RuntimeCall) -> ReferendumIndex {
	let bytes = call.encode();
	assert_ok!(Preimage::note_preimage(signed(who), bytes.clone()));
	let proposal = Bounded::Lookup { hash: BlakeTwo256::hash(&bytes), len: bytes.len() as u32 };
	let index = pallet_referenda::ReferendumCount::<Runtime>::get();
	assert_ok!(Referenda::submit(
		signed(who),
		Box::new(OriginCaller::Origins(origin)),
		proposal,
		DispatchTime::After(1),
	));
	assert_ok!(Referenda::place_decision_deposit(signed(who), index));
	index
}

fn vote(
	who: &AccountId,
	index: ReferendumIndex,
	aye: bool,
	balance: Balance,
	conviction: Conviction,
) {
	assert_ok!(ConvictionVoting::vote(
		signed(who),
		index,
		AccountVote::Standard { vote: Vote { aye, conviction }, balance },
	));
}

/// Runs blocks until the referendum is no longer ongoing, at most `limit` of them; returns
/// its final state.
fn run_until_decided(
	index: ReferendumIndex,
	limit: BlockNumber,
) -> pallet_referenda::ReferendumInfoOf<Runtime, ()> {
	let last = System::block_number() + limit;
	while System::block_number() < last {
		next_block();
		let info = ReferendumInfoFor::<Runtime>::get(index).expect("the referendum exists");
		if !matches!(info, ReferendumInfo::Ongoing(_)) {
			return info;
		}
	}
	panic!("referendum {index} still undecided after {limit} blocks");
}

/// The block at which an approved referendum was approved.
fn approved_at(info: pallet_referenda::ReferendumInfoOf<Runtime, ()>) -> BlockNumber {
	match info {
		ReferendumInfo::Approved(at, ..) => at,
		other => panic!("expected an approved referendum, got {other:?}"),
	}
}

/// The results of the enacted proposals the scheduler dispatched in this block. Referenda
/// schedule their proposals by name and their own alarms anonymously; only the former count.
fn dispatch_results() -> Vec<Result<(), DispatchError>> {
	System::events()
		.into_iter()
		.filter_map(|record| match record.event {
			RuntimeEvent::Scheduler(pallet_scheduler::Event::Dispatched {
				id: Some(_),
				result,
				..
			}) => Some(result.map_err(DispatchError::stripped)),
			_ => None,
		})
		.collect()
}

/// The balance `who` could move out of its account now.
fn spendable(who: &AccountId) -> Balance {
	<Balances as Inspect<AccountId>>::reducible_balance(
		who,
		Preservation::Expendable,
		Fortitude::Polite,
	)
}

#[test]
fn a_parameters_referendum_changes_the_audit_probability() {
	dev_ext().execute_with(|| {
		let before = audit_probability();
		let wanted = Perbill::from_percent(25);
		assert_ne!(before, wanted);

		let index = propose(&alice(), Origin::ParametersAdmin, set_audit_probability(wanted));
		vote(&alice(), index, true, 900_000 * INF, Conviction::Locked2x);
		let info = ReferendumInfoFor::<Runtime>::get(index).unwrap();
		let ReferendumInfo::Ongoing(status) = info else { panic!("the referendum is ongoing") };
		assert_eq!(status.track, PARAMETERS);

		// Passing is not enacting: nothing changes until the scheduler dispatches the call.
		let submitted = System::block_number();
		let approved = approved_at(run_until_decided(index, 20));
		assert_eq!(audit_probability(), before);

		// The development pace enacts a passed referendum a few blocks after submission.
		let mut enacted = false;
		for _ in 0..5 {
			next_block();
			if !dispatch_results().is_empty() {
				assert_eq!(dispatch_results(), vec![Ok(())]);
				enacted = true;
				break;
			}
		}
		assert!(enacted, "the approved call was dispatched");
		assert_eq!(audit_probability(), wanted);
		assert!(System::block_number() - submitted <= 15, "a dev referendum takes a few blocks");
		assert!(approved > submitted);
	});
}

#[test]
fn a_rejected_referendum_changes_nothing() {
	dev_ext().execute_with(|| {
		let before = audit_probability();
		let index = propose(
			&alice(),
			Origin::ParametersAdmin,
			set_audit_probability(Perbill::from_percent(90)),
		);
		vote(&alice(), index, true, 100_000 * INF, Conviction::None);
		vote(&bob(), index, false, 900_000 * INF, Conviction::Locked1x);

		let info = run_until_decided(index, 30);
		assert!(matches!(info, ReferendumInfo::Rejected(..)), "{info:?}");
		for _ in 0..5 {
			next_block();
			assert!(dispatch_results().is_empty());
		}
		assert_eq!(audit_probability(), before);
		// The decision deposit of a rejected referendum goes back to whoever placed it.
		assert_ok!(Referenda::refund_decision_deposit(signed(&charlie()), index));
	});
}

#[test]
fn an_approved_referendum_for_invalid_parameters_fails_with_the_pallets_error() {
	dev_ext().execute_with(|| {
		let before = audit_probability();
		let index =
			propose(&alice(), Origin::ParametersAdmin, set_audit_probability(Perbill::zero()));
		vote(&alice(), index, true, 900_000 * INF, Conviction::Locked2x);
		approved_at(run_until_decided(index, 20));
		let mut results = Vec::new();
		for _ in 0..5 {
			next_block();
			results.extend(dispatch_results());
		}
		let expected =
			DispatchError::from(pallet_jobs::Error::<Runtime>::AuditProbabilityZero).stripped();
		assert_eq!(results, vec![Err(expected)]);
		assert_eq!(audit_probability(), before);
	});
}

#[test]
fn a_slash_above_100_percent_cannot_even_be_proposed() {
	// Slash fractions are `Perbill`s, whose decoding rejects more than 100%: a preimage that
	// encodes such a call never decodes into a call the scheduler could dispatch.
	let call = RuntimeCall::Jobs(pallet_jobs::Call::set_params { params: job_params(true) });
	let valid = call.encode();
	let slash = Perbill::from_percent(30).encode();
	let at = valid
		.windows(slash.len())
		.position(|w| w == slash.as_slice())
		.expect("the worker slash is in the encoding");
	let mut invalid = valid.clone();
	invalid[at..at + slash.len()].copy_from_slice(&1_000_000_001u32.encode());
	assert!(RuntimeCall::decode(&mut valid.as_slice()).is_ok());
	assert!(RuntimeCall::decode(&mut invalid.as_slice()).is_err());
}

#[test]
fn conviction_locks_outlast_the_referendum_by_the_lock_period() {
	dev_ext().execute_with(|| {
		let stake = 900_000 * INF;
		let index = propose(
			&alice(),
			Origin::ParametersAdmin,
			set_audit_probability(Perbill::from_percent(20)),
		);
		vote(&bob(), index, true, stake, Conviction::Locked2x);
		let approved = approved_at(run_until_decided(index, 20));
		assert!(spendable(&bob()) < 200_000 * INF);

		// Removing the vote leaves a lock of two voting periods after the approval.
		let lock_end =
			approved + 2 * <Runtime as pallet_conviction_voting::Config>::VoteLockingPeriod::get();
		assert_ok!(ConvictionVoting::remove_vote(signed(&bob()), Some(PARAMETERS), index));
		run_to_block(lock_end - 1);
		assert_ok!(ConvictionVoting::unlock(signed(&bob()), PARAMETERS, bob().into()));
		assert!(spendable(&bob()) < 200_000 * INF, "still locked one block before the end");
		assert!(Balances::transfer_allow_death(signed(&bob()), charlie().into(), 500_000 * INF)
			.is_err());

		run_to_block(lock_end);
		assert_ok!(ConvictionVoting::unlock(signed(&bob()), PARAMETERS, bob().into()));
		assert!(spendable(&bob()) > stake);
		assert_ok!(Balances::transfer_allow_death(signed(&bob()), charlie().into(), 500_000 * INF));
	});
}

/// Every call that only governance may make, with the origins that must not be able to.
fn governed_calls() -> Vec<(&'static str, RuntimeCall, Vec<Origin>)> {
	use Origin::*;
	let not_models = vec![ParametersAdmin, Treasurer];
	let not_parameters = vec![ModelsAdmin, Treasurer];
	let not_treasury = vec![ParametersAdmin, ModelsAdmin];
	let nobody = vec![ParametersAdmin, ModelsAdmin, Treasurer];
	vec![
		(
			"Models::approve_model",
			pallet_models::Call::<Runtime>::approve_model { model: 0 }.into(),
			not_models.clone(),
		),
		(
			"Models::reject_model",
			pallet_models::Call::<Runtime>::reject_model { model: 0 }.into(),
			not_models.clone(),
		),
		(
			"Models::deprecate_model",
			pallet_models::Call::<Runtime>::deprecate_model { model: 0 }.into(),
			not_models,
		),
		(
			"ComputeStaking::set_min_stake",
			pallet_compute_staking::Call::<Runtime>::set_min_stake {
				role: verinfer_primitives::RoleKind::Worker,
				amount: 10 * INF,
			}
			.into(),
			not_parameters.clone(),
		),
		(
			"ComputeStaking::set_unbonding_delay",
			pallet_compute_staking::Call::<Runtime>::set_unbonding_delay { delay: 100_000 }.into(),
			not_parameters.clone(),
		),
		("Jobs::set_params", set_audit_probability(Perbill::from_percent(50)), not_parameters),
		(
			"Jobs::resolve_dispute",
			pallet_jobs::Call::<Runtime>::resolve_dispute { job: 0, accept: true }.into(),
			nobody,
		),
		(
			"Treasury::spend",
			pallet_treasury::Call::<Runtime>::spend {
				asset_kind: Box::new(()),
				amount: INF,
				beneficiary: Box::new(bob()),
				valid_from: None,
			}
			.into(),
			not_treasury.clone(),
		),
		(
			"Treasury::void_spend",
			pallet_treasury::Call::<Runtime>::void_spend { index: 0 }.into(),
			not_treasury,
		),
	]
}

#[test]
fn governed_calls_reject_signed_and_wrong_track_origins() {
	dev_ext().execute_with(|| {
		for (name, call, wrong) in governed_calls() {
			let origins = core::iter::once(signed(&alice()))
				.chain(wrong.into_iter().map(RuntimeOrigin::from));
			for origin in origins {
				let caller = origin.caller().clone();
				let result = call.clone().dispatch(origin);
				assert_eq!(
					result.map_err(|e| e.error),
					Err(DispatchError::BadOrigin),
					"{name} from {caller:?}"
				);
			}
		}
	});
}

#[test]
fn each_track_origin_passes_its_own_calls() {
	dev_ext().execute_with(|| {
		let params = RuntimeOrigin::from(Origin::ParametersAdmin);
		assert_ok!(set_audit_probability(Perbill::from_percent(50)).dispatch(params.clone()));
		assert_ok!(RuntimeCall::from(pallet_compute_staking::Call::<Runtime>::set_min_stake {
			role: verinfer_primitives::RoleKind::Worker,
			amount: 10 * INF,
		})
		.dispatch(params));
		assert_ok!(RuntimeCall::from(pallet_models::Call::<Runtime>::deprecate_model { model: 0 })
			.dispatch(Origin::ModelsAdmin.into()));

		// The treasury track spends up to its limit, and no more.
		let spend = |amount| pallet_treasury::Call::<Runtime>::spend {
			asset_kind: Box::new(()),
			amount,
			beneficiary: Box::new(bob()),
			valid_from: None,
		};
		assert_noop!(
			RuntimeCall::from(spend(TREASURER_SPEND_LIMIT + 1))
				.dispatch(Origin::Treasurer.into())
				.map_err(|e| e.error),
			pallet_treasury::Error::<Runtime>::InsufficientPermission
		);
		assert_ok!(
			RuntimeCall::from(spend(TREASURER_SPEND_LIMIT)).dispatch(Origin::Treasurer.into())
		);
	});
}

#[test]
fn the_treasury_owns_the_pot_that_fees_and_slashes_go_to() {
	dev_ext().execute_with(|| {
		assert_eq!(Treasury::account_id(), crate::configs::TreasuryAccount::get());
	});
}

#[test]
fn a_treasury_referendum_spends_from_the_pot() {
	dev_ext().execute_with(|| {
		// Fee shares and slashes arrive in the pot as plain transfers.
		let pot = crate::configs::TreasuryAccount::get();
		assert_ok!(Balances::transfer_allow_death(signed(&bob()), pot.into(), 50_000 * INF));
		let amount = 20_000 * INF;
		let spend = RuntimeCall::from(pallet_treasury::Call::<Runtime>::spend {
			asset_kind: Box::new(()),
			amount,
			beneficiary: Box::new(charlie()),
			valid_from: None,
		});
		let index = propose(&alice(), Origin::Treasurer, spend);
		let ReferendumInfo::Ongoing(status) = ReferendumInfoFor::<Runtime>::get(index).unwrap()
		else {
			panic!("the referendum is ongoing")
		};
		assert_eq!(status.track, TREASURY);
		vote(&alice(), index, true, 900_000 * INF, Conviction::Locked1x);
		approved_at(run_until_decided(index, 20));
		let mut results = Vec::new();
		for _ in 0..5 {
			next_block();
			results.extend(dispatch_results());
		}
		assert_eq!(results, vec![Ok(())]);

		let spend_index = pallet_treasury::SpendCount::<Runtime>::get() - 1;
		let before = Balances::free_balance(charlie());
		assert_ok!(Treasury::payout(signed(&charlie()), spend_index));
		assert_eq!(Balances::free_balance(charlie()), before + amount);
	});
}

#[test]
fn the_local_testnet_has_no_sudo_key_and_production_periods() {
	local_ext().execute_with(|| {
		assert_eq!(pallet_sudo::Key::<Runtime>::get(), None);
		use pallet_referenda::TracksInfo as _;
		assert_eq!(TracksInfo::info(PARAMETERS).unwrap().decision_period, 7 * DAYS);
		assert_eq!(
			<Runtime as pallet_conviction_voting::Config>::VoteLockingPeriod::get(),
			7 * DAYS
		);
	});
	dev_ext().execute_with(|| {
		assert_eq!(pallet_sudo::Key::<Runtime>::get(), Some(alice()));
		use pallet_referenda::TracksInfo as _;
		assert_eq!(TracksInfo::info(PARAMETERS).unwrap().decision_period, 10);
	});
}
