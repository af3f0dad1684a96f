//! Models in the registry: their description, lifecycle and the trait other pallets read
//! them through.

use crate::{TensorSchema, VerificationClass};
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;
use serde::{Deserialize, Serialize};
use sp_runtime::{traits::ConstU32, BoundedVec, Perbill};

/// A model's index in the registry, assigned in registration order.
pub type ModelId = u32;

/// The sha256 of a model's weights file, as `sha256sum` prints it (but raw bytes).
pub type WeightsHash = [u8; 32];

/// The file format of a model's weights, which tells the worker which loader to use.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	Serialize,
	Deserialize,
)]
pub enum WeightsFormat {
	/// A PyTorch `torch.save` pickle (`.pt`, `.pth`).
	PyTorchPickle,
	/// Hugging Face safetensors.
	SafeTensors,
	/// ONNX protobuf.
	Onnx,
	/// burn's own record format (`.mpk`).
	BurnRecord,
	/// GGUF (llama.cpp's format): weights, hyperparameters and tokenizer in one file.
	Gguf,
}

/// The architecture a model belongs to, which tells a worker which implementation to build
/// it with. Everything else (sizes, vocabulary, quantization) comes from the weights file
/// itself, so a new model of a known family is a registry entry, not a worker release.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	Serialize,
	Deserialize,
)]
pub enum ModelFamily {
	/// The integer-quantized digits CNN: a 28x28 image in, ten fixed-point logits out.
	DigitsCnn,
	/// BERT-style sentence encoders (all-MiniLM-L6-v2): text in, a mean-pooled,
	/// normalized embedding out.
	Bert,
	/// Llama-architecture decoder LLMs in GGUF (SmolLM2 and others): a generation request
	/// in, the generated tokens out.
	Llama,
}

impl ModelFamily {
	/// Whether a model of this family can be stored in `format`: Llama models come in GGUF,
	/// the digits CNN as a PyTorch pickle, BERT encoders as safetensors.
	pub fn accepts(self, format: WeightsFormat) -> bool {
		matches!(
			(self, format),
			(Self::Llama, WeightsFormat::Gguf)
				| (Self::DigitsCnn, WeightsFormat::PyTorchPickle)
				| (Self::Bert, WeightsFormat::SafeTensors)
		)
	}
}

/// The longest model name, in bytes.
pub const MAX_NAME_LEN: u32 = 64;
/// The longest version string, in bytes.
pub const MAX_VERSION_LEN: u32 = 32;
/// The longest weights location (a URI such as `pypi:digit-recognizer-py==0.1.0#path`, or
/// an IPFS CID), in bytes.
pub const MAX_LOCATION_LEN: u32 = 256;
/// The most contributors one model can name.
pub const MAX_CONTRIBUTORS: u32 = 16;

/// A model name, e.g. `all-MiniLM-L6-v2`.
pub type ModelName = BoundedVec<u8, ConstU32<MAX_NAME_LEN>>;
/// A model version, e.g. `1.0.0`.
pub type ModelVersion = BoundedVec<u8, ConstU32<MAX_VERSION_LEN>>;
/// Where a worker fetches the weights file from.
pub type WeightsLocation = BoundedVec<u8, ConstU32<MAX_LOCATION_LEN>>;
/// A model's contributors.
pub type Contributors<AccountId> = BoundedVec<Contributor<AccountId>, ConstU32<MAX_CONTRIBUTORS>>;

/// Where a model is in its lifecycle.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	Serialize,
	Deserialize,
)]
pub enum ModelStatus {
	/// Registered, waiting for governance. Accepts no jobs.
	Proposed,
	/// Approved by governance. The only status in which the model accepts new jobs.
	Approved,
	/// Retired by governance. Accepts no new jobs, but its entry stays so that jobs that are
	/// still running can be judged and paid.
	Deprecated,
}

/// Someone who contributed to a model (its authors, the owners of its training data) and
/// receives a royalty from every job that uses it.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Clone,
	PartialEq,
	Eq,
	Debug,
	Serialize,
	Deserialize,
)]
pub struct Contributor<AccountId> {
	/// The contributor's identity: the account that may change `payee`.
	pub who: AccountId,
	/// The account its royalties are paid to.
	pub payee: AccountId,
	/// Its share of each job's fee.
	pub share: Perbill,
}

/// The sum of the royalty shares, or `None` if it exceeds 100 %.
///
/// Royalties are taken from the job fee, so more than the whole fee cannot be promised.
pub fn total_royalty<AccountId>(contributors: &[Contributor<AccountId>]) -> Option<Perbill> {
	contributors
		.iter()
		.try_fold(0u32, |acc, c| {
			acc.checked_add(c.share.deconstruct())
				.filter(|sum| *sum <= Perbill::one().deconstruct())
		})
		.map(Perbill::from_parts)
}

/// Everything a model owner submits to register a model.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Clone,
	PartialEq,
	Eq,
	Debug,
	Serialize,
	Deserialize,
)]
pub struct ModelSpec<AccountId, Balance> {
	/// Human-readable name. Name and version together are unique in the registry.
	pub name: ModelName,
	/// Version string.
	pub version: ModelVersion,
	/// sha256 of the weights file.
	pub weights_hash: WeightsHash,
	/// Format of the weights file.
	pub weights_format: WeightsFormat,
	/// The architecture, which picks the worker's implementation; the shapes come from the
	/// weights file.
	pub family: ModelFamily,
	/// Where to fetch the weights file; the hash, not the location, is authoritative.
	pub weights_location: WeightsLocation,
	/// What a job's input must look like.
	pub input: TensorSchema,
	/// What a job's output looks like.
	pub output: TensorSchema,
	/// How results are compared.
	pub verification: VerificationClass,
	/// Who receives royalties, and how much.
	pub contributors: Contributors<AccountId>,
	/// The suggested fee per job, for wallets and dApps; each worker sets its own price.
	pub base_price: Balance,
}

/// Builds [`ModelSpec`]s for tests and benchmarks: every pallet's mock and benchmark starts
/// from [`SpecBuilder::new`] and changes only what it tests.
#[cfg(any(feature = "std", feature = "runtime-benchmarks"))]
pub struct SpecBuilder<AccountId, Balance>(ModelSpec<AccountId, Balance>);

#[cfg(any(feature = "std", feature = "runtime-benchmarks"))]
impl<AccountId, Balance> SpecBuilder<AccountId, Balance> {
	/// A valid description named `name` (truncated to [`MAX_NAME_LEN`]): version `1`,
	/// Bert-family safetensors weights with hash `[name[0]; 32]` at location `test`, a
	/// 4-byte `U8` input
	/// and output, exact verification, no contributors, and `price`.
	pub fn new(name: &[u8], price: Balance) -> Self {
		let schema = TensorSchema::fixed(crate::ElementType::U8, &[4]);
		Self(ModelSpec {
			name: BoundedVec::truncate_from(name.to_vec()),
			version: BoundedVec::truncate_from(b"1".to_vec()),
			weights_hash: [name.first().copied().unwrap_or_default(); 32],
			weights_format: WeightsFormat::SafeTensors,
			family: ModelFamily::Bert,
			weights_location: BoundedVec::truncate_from(b"test".to_vec()),
			input: schema.clone(),
			output: schema,
			verification: VerificationClass::Exact,
			contributors: BoundedVec::new(),
			base_price: price,
		})
	}

	/// The version string (truncated to [`MAX_VERSION_LEN`]).
	pub fn version(mut self, version: &[u8]) -> Self {
		self.0.version = BoundedVec::truncate_from(version.to_vec());
		self
	}

	/// The weights file's hash and format.
	pub fn weights(mut self, hash: WeightsHash, format: WeightsFormat) -> Self {
		self.0.weights_hash = hash;
		self.0.weights_format = format;
		self
	}

	/// The model's family.
	pub fn family(mut self, family: ModelFamily) -> Self {
		self.0.family = family;
		self
	}

	/// Where the weights file is fetched from (truncated to [`MAX_LOCATION_LEN`]).
	pub fn location(mut self, location: &[u8]) -> Self {
		self.0.weights_location = BoundedVec::truncate_from(location.to_vec());
		self
	}

	/// The input schema.
	pub fn input(mut self, schema: TensorSchema) -> Self {
		self.0.input = schema;
		self
	}

	/// The output schema.
	pub fn output(mut self, schema: TensorSchema) -> Self {
		self.0.output = schema;
		self
	}

	/// How results are compared.
	pub fn verification(mut self, class: VerificationClass) -> Self {
		self.0.verification = class;
		self
	}

	/// The contributors (at most [`MAX_CONTRIBUTORS`]; more are dropped).
	pub fn contributors(mut self, contributors: alloc::vec::Vec<Contributor<AccountId>>) -> Self {
		self.0.contributors = BoundedVec::truncate_from(contributors);
		self
	}

	/// The description.
	pub fn build(self) -> ModelSpec<AccountId, Balance> {
		self.0
	}
}

/// A registered model as other pallets read it: its status and what its owner registered.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct ModelView<AccountId, Balance> {
	/// Where the model is in its lifecycle.
	pub status: ModelStatus,
	/// What its owner registered: schemas, verification class, weights and royalties.
	pub spec: ModelSpec<AccountId, Balance>,
}

impl<AccountId, Balance> ModelView<AccountId, Balance> {
	/// Whether the model takes new jobs: only approved models do.
	pub fn accepts_jobs(&self) -> bool {
		self.status == ModelStatus::Approved
	}
}

/// Read access to the model registry, for pallets that take jobs for models.
///
/// Implemented by the `Models` pallet; other pallets' tests use it or a mock. A
/// caller reads a model once per step ([`ModelRegistry::model`]: one storage read) and takes
/// every field it needs from the view.
pub trait ModelRegistry<AccountId, Balance> {
	/// The model, `None` if no such model is registered.
	fn model(model: ModelId) -> Option<ModelView<AccountId, Balance>>;

	/// Registers and approves a model with the given schemas and the most contributors, for
	/// another pallet's benchmarks; `None` if this registry cannot (the default, so that a
	/// registry built without benchmarks still implements the trait when another crate
	/// turns this feature on).
	#[cfg(feature = "runtime-benchmarks")]
	fn register_approved_for_benchmark(
		_owner: AccountId,
		_input: TensorSchema,
		_output: TensorSchema,
		_verification: VerificationClass,
	) -> Option<ModelId> {
		None
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	fn c(share: u32) -> Contributor<u64> {
		Contributor { who: 1, payee: 1, share: Perbill::from_percent(share) }
	}

	#[test]
	fn each_family_has_its_format() {
		use ModelFamily::*;
		use WeightsFormat::*;
		assert!(Llama.accepts(Gguf));
		assert!(DigitsCnn.accepts(PyTorchPickle));
		assert!(Bert.accepts(SafeTensors));
		for format in [PyTorchPickle, SafeTensors, Onnx, BurnRecord] {
			assert!(!Llama.accepts(format), "{format:?}");
		}
		assert!(!Bert.accepts(Gguf));
		assert!(!DigitsCnn.accepts(Gguf));
	}

	#[test]
	fn royalties_may_not_exceed_the_whole_fee() {
		assert_eq!(total_royalty::<u64>(&[]), Some(Perbill::zero()));
		assert_eq!(total_royalty(&[c(40), c(60)]), Some(Perbill::one()));
		assert_eq!(total_royalty(&[c(40), c(61)]), None);
		assert_eq!(total_royalty(&[c(100), c(100), c(100), c(100), c(100)]), None);
	}
}
