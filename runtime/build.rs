fn main() {
	#[cfg(feature = "std")]
	{
		substrate_wasm_builder::WasmBuilder::build_using_defaults();
		// The same runtime one `spec_version` later: what the runtime-upgrade test enacts.
		substrate_wasm_builder::WasmBuilder::init_with_defaults()
			.enable_feature("next-spec-version")
			.set_file_name("wasm_binary_next_spec_version.rs")
			.build();
	}
}
