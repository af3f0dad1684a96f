//! The pallets whose benchmarks the node's `benchmark pallet` command runs.

frame_benchmarking::define_benchmarks!(
	[frame_benchmarking, BaselineBench::<Runtime>]
	[frame_system, SystemBench::<Runtime>]
	[frame_system_extensions, SystemExtensionsBench::<Runtime>]
	[pallet_balances, Balances]
	[pallet_timestamp, Timestamp]
	[pallet_sudo, Sudo]
	[pallet_models, Models]
	[pallet_compute_staking, ComputeStaking]
	[pallet_jobs, Jobs]
	[pallet_rewards, Rewards]
	[pallet_preimage, Preimage]
	[pallet_scheduler, Scheduler]
	[pallet_referenda, Referenda]
	[pallet_conviction_voting, ConvictionVoting]
	[pallet_treasury, Treasury]
);
