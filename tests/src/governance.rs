//! Passing referenda over JSON-RPC: note the preimage, submit, place the decision deposit
//! and vote with conviction; the scheduler then enacts the call.

use codec::Encode;
use frame_support::traits::{schedule::DispatchTime, Bounded};
use jsonrpsee::http_client::HttpClient;
use pallet_conviction_voting::{AccountVote, Conviction, Vote};
use sp_keyring::Sr25519Keyring;
use sp_runtime::traits::{BlakeTwo256, Hash};
use verinfer_runtime::{Balance, OriginCaller, RuntimeCall};

use crate::submit_and_include;

/// Proposes `call` as referendum `index` on the track of `origin` (Alice notes the
/// preimage, submits and places the decision deposit), and has each of `voters` vote aye
/// with `balance`, locked at 2x conviction. Returns once the last vote is in a block.
pub async fn propose_and_vote(
	rpc: &HttpClient,
	index: u32,
	origin: OriginCaller,
	call: RuntimeCall,
	voters: &[Sr25519Keyring],
	balance: Balance,
) -> anyhow::Result<()> {
	use Sr25519Keyring::Alice;
	let bytes = call.encode();
	let proposal = Bounded::Lookup { hash: BlakeTwo256::hash(&bytes), len: bytes.len() as u32 };
	submit_and_include(
		rpc,
		Alice,
		RuntimeCall::Preimage(pallet_preimage::Call::note_preimage { bytes }),
	)
	.await?;
	submit_and_include(
		rpc,
		Alice,
		RuntimeCall::Referenda(pallet_referenda::Call::submit {
			proposal_origin: Box::new(origin),
			proposal,
			enactment_moment: DispatchTime::After(1),
		}),
	)
	.await?;
	submit_and_include(
		rpc,
		Alice,
		RuntimeCall::Referenda(pallet_referenda::Call::place_decision_deposit { index }),
	)
	.await?;
	for voter in voters {
		submit_and_include(
			rpc,
			*voter,
			RuntimeCall::ConvictionVoting(pallet_conviction_voting::Call::vote {
				poll_index: index,
				vote: AccountVote::Standard {
					vote: Vote { aye: true, conviction: Conviction::Locked2x },
					balance,
				},
			}),
		)
		.await?;
	}
	Ok(())
}
