//! Assembles the node: client, database, networking, transaction pool, RPC and consensus.
//!
//! - Development chains (`--dev`) seal instantly and finalize each block at once; see
//!   [`crate::dev_seal`].
//! - Every other chain runs BABE for authoring and GRANDPA for finality. BABE's VRF outputs
//!   are the runtime's randomness for job assignment and audit draws.

use std::{sync::Arc, time::Duration};

use futures::channel::mpsc;
use sc_client_api::BlockBackend;
use sc_consensus::BoxBlockImport;
use sc_consensus_babe::{BabeLink, BabeWorkerHandle, SlotProportion};
use sc_consensus_grandpa::SharedVoterState;
use sc_service::{
	error::Error as ServiceError, ChainType, Configuration, TaskManager, WarpSyncConfig,
};
use sc_telemetry::{Telemetry, TelemetryWorker};
use sc_transaction_pool_api::{OffchainTransactionPoolFactory, TransactionPool};
use verinfer_runtime::{apis::RuntimeApi, opaque::Block};

use crate::dev_seal::{seal_commands, DevClock};

pub(crate) type FullClient = sc_service::TFullClient<
	Block,
	RuntimeApi,
	sc_executor::WasmExecutor<sp_io::SubstrateHostFunctions>,
>;
type FullBackend = sc_service::TFullBackend<Block>;
type FullSelectChain = sc_consensus::LongestChain<FullBackend, Block>;
type GrandpaLink = sc_consensus_grandpa::LinkHalf<Block, FullClient, FullSelectChain>;

/// How many blocks apart GRANDPA justifications are kept for warp sync.
const GRANDPA_JUSTIFICATION_PERIOD: u32 = 512;

/// The parts of the node that subcommands such as `check-block` and `revert` need too.
pub type Service = sc_service::PartialComponents<
	FullClient,
	FullBackend,
	FullSelectChain,
	sc_consensus::DefaultImportQueue<Block>,
	sc_transaction_pool::TransactionPoolHandle<Block, FullClient>,
	(ConsensusParts, Option<Telemetry>),
>;

/// What block authoring and finality need from [`new_partial`]: the block import (BABE
/// around GRANDPA around the client), BABE's epoch data and GRANDPA's link, and the handle
/// that keeps BABE's background worker alive (none on dev chains).
pub struct ConsensusParts {
	/// BABE's block import, wrapping GRANDPA's.
	pub block_import: BoxBlockImport<Block>,
	/// BABE's epoch changes and configuration.
	pub babe_link: BabeLink<Block>,
	/// GRANDPA's link to the block import.
	pub grandpa_link: GrandpaLink,
	/// BABE's worker, which answers epoch queries; it must live as long as the node.
	pub babe_worker: Option<BabeWorkerHandle<Block>>,
	/// The dev chain's slot clock, shared by sealing and import (dev chains only).
	pub dev_clock: Option<Arc<DevClock>>,
}

/// The inherent data BABE checks blocks against: the wall clock's timestamp and slot.
fn babe_inherents(
	slot_duration: sp_consensus_babe::SlotDuration,
) -> impl sp_inherents::CreateInherentDataProviders<
	Block,
	(),
	InherentDataProviders = (
		sp_consensus_babe::inherents::InherentDataProvider,
		sp_timestamp::InherentDataProvider,
	),
> + Clone
       + 'static {
	move |_, ()| async move {
		let timestamp = sp_timestamp::InherentDataProvider::from_system_time();
		let slot =
			sp_consensus_babe::inherents::InherentDataProvider::from_timestamp_and_slot_duration(
				*timestamp,
				slot_duration,
			);
		Ok((slot, timestamp))
	}
}

/// Whether `config` is a development chain, which seals instantly instead of by BABE slots.
pub fn is_dev(config: &Configuration) -> bool {
	config.chain_spec.chain_type() == ChainType::Development
}

/// Builds the client, database, transaction pool and import queue.
// `sc_cli::Error` and `sc_service::Error` are Substrate's own error types, which the CLI
// runner and the service builder require; boxing them is not an option here.
#[allow(clippy::result_large_err)]
pub fn new_partial(config: &Configuration) -> Result<Service, ServiceError> {
	let telemetry = config
		.telemetry_endpoints
		.clone()
		.filter(|x| !x.is_empty())
		.map(|endpoints| -> Result<_, sc_telemetry::Error> {
			let worker = TelemetryWorker::new(16)?;
			let telemetry = worker.handle().new_telemetry(endpoints);
			Ok((worker, telemetry))
		})
		.transpose()?;

	let executor = sc_service::new_wasm_executor::<sp_io::SubstrateHostFunctions>(&config.executor);
	let (client, backend, keystore_container, task_manager) =
		sc_service::new_full_parts::<Block, RuntimeApi, _>(
			config,
			telemetry.as_ref().map(|(_, telemetry)| telemetry.handle()),
			executor,
			Vec::new(),
		)?;
	let client = Arc::new(client);

	let telemetry = telemetry.map(|(worker, telemetry)| {
		task_manager.spawn_handle().spawn("telemetry", None, worker.run());
		telemetry
	});

	let select_chain = sc_consensus::LongestChain::new(backend.clone());

	let transaction_pool = Arc::from(
		sc_transaction_pool::Builder::new(
			task_manager.spawn_essential_handle(),
			client.clone(),
			config.role.is_authority().into(),
		)
		.with_options(config.transaction_pool.clone())
		.with_prometheus(config.prometheus_registry())
		.build(),
	);

	let (grandpa_block_import, grandpa_link) = sc_consensus_grandpa::block_import(
		client.clone(),
		GRANDPA_JUSTIFICATION_PERIOD,
		&client,
		select_chain.clone(),
		telemetry.as_ref().map(|x| x.handle()),
	)?;

	let babe_config = sc_consensus_babe::configuration(&*client)?;
	let slot_duration = babe_config.slot_duration();
	let offchain_tx_pool_factory = OffchainTransactionPoolFactory::new(transaction_pool.clone());

	let (import_queue, consensus) = if is_dev(config) {
		// Dev blocks run ahead of the wall clock (see `dev_seal`), so BABE checks their
		// timestamps against the dev clock, not the wall clock.
		let clock = Arc::new(DevClock::new(&*client, slot_duration).map_err(ServiceError::Other)?);
		let check_clock = clock.clone();
		let (babe_import, babe_link) = sc_consensus_babe::block_import(
			babe_config,
			grandpa_block_import.clone(),
			client.clone(),
			move |_, ()| {
				let (timestamp, slot) = check_clock.now();
				async move {
					Ok((
						sp_consensus_babe::inherents::InherentDataProvider::new(slot),
						sp_timestamp::InherentDataProvider::new(timestamp),
					))
				}
			},
			select_chain.clone(),
			offchain_tx_pool_factory,
		)?;
		// Dev blocks are sealed here; the queue only sees blocks imported from files.
		let verifier = sc_consensus_manual_seal::consensus::babe::BabeVerifier::new(
			babe_link.epoch_changes().clone(),
			client.clone(),
		);
		let queue = sc_consensus::BasicQueue::new(
			verifier,
			Box::new(babe_import.clone()),
			None,
			&task_manager.spawn_essential_handle(),
			config.prometheus_registry(),
		);
		let parts = ConsensusParts {
			block_import: Box::new(babe_import),
			babe_link,
			grandpa_link,
			babe_worker: None,
			dev_clock: Some(clock),
		};
		(queue, parts)
	} else {
		let (babe_import, babe_link) = sc_consensus_babe::block_import(
			babe_config,
			grandpa_block_import.clone(),
			client.clone(),
			babe_inherents(slot_duration),
			select_chain.clone(),
			offchain_tx_pool_factory,
		)?;
		let (queue, worker) =
			sc_consensus_babe::import_queue(sc_consensus_babe::ImportQueueParams {
				link: babe_link.clone(),
				block_import: babe_import.clone(),
				justification_import: Some(Box::new(grandpa_block_import.clone())),
				client: client.clone(),
				slot_duration,
				spawner: &task_manager.spawn_essential_handle(),
				registry: config.prometheus_registry(),
				telemetry: telemetry.as_ref().map(|x| x.handle()),
			})?;
		let parts = ConsensusParts {
			block_import: Box::new(babe_import),
			babe_link,
			grandpa_link,
			babe_worker: Some(worker),
			dev_clock: None,
		};
		(queue, parts)
	};

	Ok(sc_service::PartialComponents {
		client,
		backend,
		task_manager,
		import_queue,
		keystore_container,
		select_chain,
		transaction_pool,
		other: (consensus, telemetry),
	})
}

/// Builds and starts a full node.
// `sc_cli::Error` and `sc_service::Error` are Substrate's own error types, which the CLI
// runner and the service builder require; boxing them is not an option here.
#[allow(clippy::result_large_err)]
pub fn new_full<
	N: sc_network::NetworkBackend<Block, <Block as sp_runtime::traits::Block>::Hash>,
>(
	config: Configuration,
	dev_pace: crate::dev_seal::DevPace,
) -> Result<TaskManager, ServiceError> {
	let dev = is_dev(&config);
	let sc_service::PartialComponents {
		client,
		backend,
		mut task_manager,
		import_queue,
		keystore_container,
		select_chain,
		transaction_pool,
		other: (consensus, mut telemetry),
	} = new_partial(&config)?;
	let ConsensusParts { block_import, babe_link, grandpa_link, babe_worker, dev_clock } =
		consensus;

	let mut net_config = sc_network::config::FullNetworkConfiguration::<
		Block,
		<Block as sp_runtime::traits::Block>::Hash,
		N,
	>::new(&config.network, config.prometheus_registry().cloned());
	let metrics = N::register_notification_metrics(config.prometheus_registry());

	let genesis_hash = client
		.block_hash(0)
		.ok()
		.flatten()
		.ok_or_else(|| ServiceError::Other("the database has no genesis block".into()))?;
	let grandpa_protocol_name =
		sc_consensus_grandpa::protocol_standard_name(&genesis_hash, &config.chain_spec);
	let (grandpa_protocol_config, grandpa_notification_service) =
		sc_consensus_grandpa::grandpa_peers_set_config::<_, N>(
			grandpa_protocol_name.clone(),
			metrics.clone(),
			net_config.peer_store_handle(),
		);
	net_config.add_notification_protocol(grandpa_protocol_config);

	let warp_sync = Arc::new(sc_consensus_grandpa::warp_proof::NetworkProvider::new(
		backend.clone(),
		grandpa_link.shared_authority_set().clone(),
		Vec::default(),
	));

	let (network, system_rpc_tx, tx_handler_controller, sync_service, _bitswap) =
		sc_service::build_network(sc_service::BuildNetworkParams {
			config: &config,
			net_config,
			client: client.clone(),
			transaction_pool: transaction_pool.clone(),
			spawn_handle: task_manager.spawn_handle(),
			spawn_essential_handle: task_manager.spawn_essential_handle(),
			import_queue,
			block_announce_validator_builder: None,
			warp_sync_config: Some(WarpSyncConfig::WithProvider(warp_sync)),
			block_relay: None,
			metrics,
			gap_sync_body_policy: None,
		})?;

	let role = config.role;
	let force_authoring = config.force_authoring;
	let name = config.network.node_name.clone();
	let enable_grandpa = !config.disable_grandpa && !dev;
	let prometheus_registry = config.prometheus_registry().cloned();

	let (seal_sink, seal_stream) = if dev {
		let (sink, stream) = mpsc::channel(1024);
		(Some(sink), Some(stream))
	} else {
		(None, None)
	};

	let rpc_extensions_builder = {
		let client = client.clone();
		let pool = transaction_pool.clone();
		Box::new(move |_| {
			let deps = crate::rpc::FullDeps {
				client: client.clone(),
				pool: pool.clone(),
				manual_seal: seal_sink.clone(),
			};
			crate::rpc::create_full(deps).map_err(Into::into)
		})
	};

	sc_service::spawn_tasks(sc_service::SpawnTasksParams {
		network: network.clone(),
		client: client.clone(),
		keystore: keystore_container.keystore(),
		task_manager: &mut task_manager,
		transaction_pool: transaction_pool.clone(),
		rpc_builder: rpc_extensions_builder,
		backend,
		system_rpc_tx,
		tx_handler_controller,
		sync_service: sync_service.clone(),
		config,
		telemetry: telemetry.as_mut(),
		tracing_execute_block: None,
	})?;

	let proposer_factory = sc_basic_authorship::ProposerFactory::new(
		task_manager.spawn_handle(),
		client.clone(),
		transaction_pool.clone(),
		prometheus_registry.as_ref(),
		telemetry.as_ref().map(|x| x.handle()),
	);
	let slot_duration = babe_link.config().slot_duration();
	// BABE's worker answers epoch queries for the node's lifetime; keep its handle.
	if let Some(worker) = babe_worker {
		task_manager.spawn_handle().spawn("babe-worker-handle", None, async move {
			let _worker = worker;
			futures::future::pending::<()>().await
		});
	}

	if let (Some(rpc_commands), Some(clock)) = (seal_stream, dev_clock) {
		let commands =
			seal_commands(transaction_pool.import_notification_stream(), dev_pace, rpc_commands);
		// The dev chain's only authority (Alice, whose keys `--dev` puts in the keystore).
		let authorities = babe_link.config().authorities.clone();
		let consensus_data =
			sc_consensus_manual_seal::consensus::babe::BabeConsensusDataProvider::new(
				client.clone(),
				keystore_container.keystore(),
				babe_link.epoch_changes().clone(),
				authorities,
			)
			.map_err(|e| ServiceError::Other(format!("BABE for the dev chain: {e}")))?;
		let seal =
			sc_consensus_manual_seal::run_manual_seal(sc_consensus_manual_seal::ManualSealParams {
				block_import,
				env: proposer_factory,
				client: client.clone(),
				pool: transaction_pool.clone(),
				commands_stream: commands,
				select_chain,
				consensus_data_provider: Some(Box::new(consensus_data)),
				create_inherent_data_providers: move |_, ()| {
					let (timestamp, slot) = clock.next();
					async move {
						Ok((
							sp_consensus_babe::inherents::InherentDataProvider::new(slot),
							sp_timestamp::InherentDataProvider::new(timestamp),
						))
					}
				},
			});
		task_manager.spawn_essential_handle().spawn_blocking(
			"instant-seal",
			Some("block-authoring"),
			seal,
		);
		log::info!(
			"🔨 Development chain: sealing and finalizing a block when transactions arrive, at most \
			 one per {} ms, and at least one every {} ms",
			dev_pace.min_interval.as_millis(),
			dev_pace.max_interval.as_millis()
		);
	} else if role.is_authority() {
		let babe = sc_consensus_babe::start_babe(sc_consensus_babe::BabeParams {
			keystore: keystore_container.keystore(),
			client,
			select_chain,
			env: proposer_factory,
			block_import,
			sync_oracle: sync_service.clone(),
			justification_sync_link: sync_service.clone(),
			create_inherent_data_providers: babe_inherents(slot_duration),
			force_authoring,
			backoff_authoring_blocks: Option::<()>::None,
			babe_link,
			block_proposal_slot_portion: SlotProportion::new(2f32 / 3f32),
			max_block_proposal_slot_portion: None,
			telemetry: telemetry.as_ref().map(|x| x.handle()),
		})?;
		// Authoring is essential: if it fails, the node stops rather than idling silently.
		task_manager
			.spawn_essential_handle()
			.spawn_blocking("babe", Some("block-authoring"), babe);
	}

	if enable_grandpa {
		// Only an authority needs its keystore for GRANDPA; others just follow.
		let keystore = if role.is_authority() { Some(keystore_container.keystore()) } else { None };
		let grandpa_config = sc_consensus_grandpa::Config {
			gossip_duration: Duration::from_millis(333),
			justification_generation_period: GRANDPA_JUSTIFICATION_PERIOD,
			name: Some(name),
			observer_enabled: false,
			keystore,
			local_role: role,
			telemetry: telemetry.as_ref().map(|x| x.handle()),
			protocol_name: grandpa_protocol_name,
		};
		let grandpa = sc_consensus_grandpa::GrandpaParams {
			config: grandpa_config,
			link: grandpa_link,
			network,
			sync: Arc::new(sync_service),
			notification_service: grandpa_notification_service,
			voting_rule: sc_consensus_grandpa::VotingRulesBuilder::default().build(),
			prometheus_registry,
			shared_voter_state: SharedVoterState::empty(),
			telemetry: telemetry.as_ref().map(|x| x.handle()),
			offchain_tx_pool_factory: OffchainTransactionPoolFactory::new(transaction_pool),
		};
		task_manager.spawn_essential_handle().spawn_blocking(
			"grandpa-voter",
			None,
			sc_consensus_grandpa::run_grandpa_voter(grandpa)?,
		);
	}

	Ok(task_manager)
}
