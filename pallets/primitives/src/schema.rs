//! How a model's input and output look: tensor schemas and their canonical encodings.

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;
use serde::{Deserialize, Serialize};
use sp_runtime::{traits::ConstU32, BoundedVec};

/// The most dimensions a tensor schema may have. Four covers images in NCHW layout.
pub const MAX_TENSOR_RANK: u32 = 4;
/// The largest input or output, in bytes, a schema may declare. Anything larger travels
/// off-chain as a content hash; the bound keeps job storage small.
pub const MAX_TENSOR_BYTES: u32 = 64 * 1024;

/// The shape of a tensor: the size of each dimension, outermost first.
pub type TensorShape = BoundedVec<u32, ConstU32<MAX_TENSOR_RANK>>;

/// The type of one element of a tensor, which fixes how its bytes are read.
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
pub enum ElementType {
	/// Unsigned 8-bit integer (pixels).
	U8,
	/// Signed 8-bit integer (quantised logits).
	I8,
	/// Signed 32-bit integer, little endian.
	I32,
	/// IEEE-754 single-precision float, little endian.
	F32,
	/// UTF-8 text. The shape is empty and the schema's `max_bytes` bounds the length.
	Utf8,
}

impl ElementType {
	/// The size of one element in bytes; `None` for variable-length text.
	pub const fn byte_width(self) -> Option<u32> {
		match self {
			Self::U8 | Self::I8 => Some(1),
			Self::I32 | Self::F32 => Some(4),
			Self::Utf8 => None,
		}
	}
}

/// What a schema rejects, so that callers can map it to their own specific error.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum SchemaError {
	/// A numeric tensor has no dimensions, a zero-sized dimension, or text has a shape.
	BadShape,
	/// `max_bytes` is zero, above [`MAX_TENSOR_BYTES`], or (numeric) not equal to the size
	/// that the shape implies.
	BadSize,
	/// The bytes do not have the length the schema requires.
	WrongLength,
	/// The bytes are not valid UTF-8 for a text schema.
	NotUtf8,
}

/// The layout of a model's input or output.
///
/// A numeric tensor is the little-endian, row-major concatenation of its elements, so its
/// length is exactly `product(shape) * element width`, and `max_bytes` must equal that (the
/// redundancy lets a reader check one against the other). Text (`Utf8`) has an empty shape
/// and any length from 0 to `max_bytes`.
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
pub struct TensorSchema {
	/// The element type.
	pub element: ElementType,
	/// The size of each dimension, outermost first; empty for text.
	pub shape: TensorShape,
	/// The exact (numeric) or largest (text) length in bytes.
	pub max_bytes: u32,
}

impl TensorSchema {
	/// The schema of a tensor of `element`s shaped `shape` (at most [`MAX_TENSOR_RANK`]
	/// dimensions; more are dropped), as long as the shape implies. Text (no width) may be
	/// up to 64 bytes.
	pub fn fixed(element: ElementType, shape: &[u32]) -> Self {
		let shape = TensorShape::truncate_from(shape.to_vec());
		let max_bytes = element
			.byte_width()
			.and_then(|w| shape.iter().try_fold(w, |acc, d| acc.checked_mul(*d)))
			.unwrap_or(64);
		Self { element, shape, max_bytes }
	}

	/// The byte length that the shape implies for a numeric tensor, `None` on overflow or
	/// for text.
	pub fn implied_bytes(&self) -> Option<u32> {
		let width = self.element.byte_width()?;
		self.shape.iter().try_fold(width, |acc, dim| acc.checked_mul(*dim))
	}

	/// Checks that the schema is well formed: what a registry checks before accepting it.
	pub fn validate(&self) -> Result<(), SchemaError> {
		if self.max_bytes == 0 || self.max_bytes > MAX_TENSOR_BYTES {
			return Err(SchemaError::BadSize);
		}
		match self.element {
			ElementType::Utf8 => {
				if !self.shape.is_empty() {
					return Err(SchemaError::BadShape);
				}
			},
			_ => {
				if self.shape.is_empty() || self.shape.contains(&0) {
					return Err(SchemaError::BadShape);
				}
				if self.implied_bytes() != Some(self.max_bytes) {
					return Err(SchemaError::BadSize);
				}
			},
		}
		Ok(())
	}

	/// Checks that `bytes` is a value of this schema: what `Jobs` checks on an input.
	pub fn check(&self, bytes: &[u8]) -> Result<(), SchemaError> {
		let len = u32::try_from(bytes.len()).map_err(|_| SchemaError::WrongLength)?;
		match self.element {
			ElementType::Utf8 => {
				if len > self.max_bytes {
					return Err(SchemaError::WrongLength);
				}
				core::str::from_utf8(bytes).map(|_| ()).map_err(|_| SchemaError::NotUtf8)
			},
			_ => {
				if len == self.max_bytes {
					Ok(())
				} else {
					Err(SchemaError::WrongLength)
				}
			},
		}
	}
}

/// The canonical encoding of an `I32` tensor, which commitments hash and `Exact` judging
/// compares: every element little endian, in row-major order.
pub fn encode_i32s(values: &[i32]) -> alloc::vec::Vec<u8> {
	values.iter().flat_map(|v| v.to_le_bytes()).collect()
}

/// The canonical encoding of an `F32` tensor: every element's IEEE-754 bits little endian,
/// in row-major order (what `Tolerance` judging decodes).
pub fn encode_f32s(values: &[f32]) -> alloc::vec::Vec<u8> {
	values.iter().flat_map(|v| v.to_le_bytes()).collect()
}

/// Decodes [`encode_i32s`]; `None` when the length is not a multiple of four.
pub fn decode_i32s(bytes: &[u8]) -> Option<alloc::vec::Vec<i32>> {
	let (words, rest) = bytes.as_chunks::<4>();
	rest.is_empty().then(|| words.iter().map(|w| i32::from_le_bytes(*w)).collect())
}

/// Decodes [`encode_f32s`]; `None` when the length is not a multiple of four.
pub fn decode_f32s(bytes: &[u8]) -> Option<alloc::vec::Vec<f32>> {
	let (words, rest) = bytes.as_chunks::<4>();
	rest.is_empty().then(|| words.iter().map(|w| f32::from_le_bytes(*w)).collect())
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn canonical_tensor_encodings_round_trip() {
		let ints = [0i32, -1, i32::MAX, i32::MIN, 7];
		let bytes = encode_i32s(&ints);
		assert_eq!(&bytes[4..8], &[0xff; 4], "little endian, in order");
		assert_eq!(decode_i32s(&bytes).unwrap(), ints);
		let floats = [0.5f32, -0.0, 1e-7, f32::MAX];
		let bytes = encode_f32s(&floats);
		assert_eq!(&bytes[..4], &0.5f32.to_bits().to_le_bytes());
		assert_eq!(decode_f32s(&bytes).unwrap(), floats);
		assert_eq!(decode_i32s(&[1, 2, 3]), None, "a partial element");
	}

	fn schema(element: ElementType, shape: &[u32], max_bytes: u32) -> TensorSchema {
		TensorSchema { element, shape: shape.to_vec().try_into().unwrap(), max_bytes }
	}

	#[test]
	fn numeric_schema_must_match_its_shape() {
		assert_eq!(schema(ElementType::U8, &[28, 28], 784).validate(), Ok(()));
		assert_eq!(schema(ElementType::F32, &[384], 1536).validate(), Ok(()));
		assert_eq!(schema(ElementType::F32, &[384], 384).validate(), Err(SchemaError::BadSize));
		assert_eq!(schema(ElementType::U8, &[], 1).validate(), Err(SchemaError::BadShape));
		assert_eq!(schema(ElementType::U8, &[0, 4], 0).validate(), Err(SchemaError::BadSize));
		assert_eq!(schema(ElementType::U8, &[0, 4], 4).validate(), Err(SchemaError::BadShape));
		// Overflowing shapes are rejected rather than wrapped.
		assert_eq!(
			schema(ElementType::I32, &[u32::MAX, 2], 8).validate(),
			Err(SchemaError::BadSize)
		);
	}

	#[test]
	fn text_schema_bounds_length_and_encoding() {
		let text = schema(ElementType::Utf8, &[], 8);
		assert_eq!(text.validate(), Ok(()));
		assert_eq!(text.check(b"hello"), Ok(()));
		assert_eq!(text.check(b""), Ok(()));
		assert_eq!(text.check(b"too long!"), Err(SchemaError::WrongLength));
		assert_eq!(text.check(&[0xff, 0xfe]), Err(SchemaError::NotUtf8));
		assert_eq!(schema(ElementType::Utf8, &[1], 8).validate(), Err(SchemaError::BadShape));
		assert_eq!(
			schema(ElementType::Utf8, &[], MAX_TENSOR_BYTES + 1).validate(),
			Err(SchemaError::BadSize)
		);
	}

	#[test]
	fn numeric_input_must_have_exact_length() {
		let image = schema(ElementType::U8, &[28, 28], 784);
		assert_eq!(image.check(&[0u8; 784]), Ok(()));
		assert_eq!(image.check(&[0u8; 783]), Err(SchemaError::WrongLength));
	}
}
