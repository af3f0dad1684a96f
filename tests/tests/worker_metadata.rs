//! The worker's subxt interface is generated from `worker/metadata/verinfer.scale`; this
//! test keeps that file equal to the metadata of the runtime in this tree, so the worker
//! never signs calls or decodes events against a stale layout.
//!
//! After a runtime change, regenerate it with
//! `VERINFER_UPDATE_METADATA=1 cargo test --workspace --test worker_metadata`
//! (or `scripts/update-metadata.sh`) and commit the file.

use verinfer_e2e::repo_root;

/// The metadata version the worker's subxt reads.
const METADATA_VERSION: u32 = 16;

#[test]
fn worker_metadata_matches_the_runtime() {
	// Some constants (the governance periods) are read from storage, so metadata is built
	// inside externalities; the type layout subxt generates code from does not depend on it.
	let metadata = sp_io::TestExternalities::default()
		.execute_with(|| verinfer_runtime::Runtime::metadata_at_version(METADATA_VERSION))
		.expect("the runtime offers metadata v16");
	// `OpaqueMetadata` is the SCALE-encoded `RuntimeMetadataPrefixed`, which is what
	// subxt's `runtime_metadata_path` reads.
	let bytes: Vec<u8> = metadata.to_vec();
	let path = repo_root().join("worker/metadata/verinfer.scale");
	if std::env::var_os("VERINFER_UPDATE_METADATA").is_some() {
		std::fs::write(&path, &bytes).expect("write worker/metadata/verinfer.scale");
		return;
	}
	let committed = std::fs::read(&path).unwrap_or_default();
	assert!(
		committed == bytes,
		"{} is stale ({} bytes committed, {} generated): run scripts/update-metadata.sh and commit it",
		path.display(),
		committed.len(),
		bytes.len()
	);
}
